import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { taskCommand } from "../../../src/entry/cli/task.js";
import type { ChangeSet } from "../../../src/core/changeset.js";
import { checkChangeSet } from "../../../src/core/changeset-check.js";

function checkout(config: string): string {
  const dir = mkdtempSync(join(tmpdir(), "factory-task-cli-"));
  mkdirSync(join(dir, ".github"));
  writeFileSync(join(dir, ".github/factory.yml"), config);
  writeFileSync(join(dir, "README.md"), "# app\n");
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1" } });
  git("init", "-q");
  git("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A");
  git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base");
  return dir;
}

function io(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  return {
    io: {
      stdin: new PassThrough(),
      stdout,
      stderr,
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, SECRET_TOKEN: "nope" },
    },
    out: () => out,
    err: () => err,
  };
}

describe("factory-bot task", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("--mode plan: the plan (redacted) goes in changeset.json, no files, no tests; the refinements reach the task file", async () => {
    dir = checkout(
      'agent:\n  command: \'printf "## Plan\\n%s\\n%s\\nghp_abcdefghijklmnopqrstuvwxyz0123456789" "$FACTORY_MODE" "$(grep -c "^## Refinement " "$FACTORY_TASK_FILE")" > "$FACTORY_PLAN_FILE"; touch stray.txt\'\n' +
        "tests:\n  - name: never\n    command: 'false'\nplan:\n  required: true\n",
    );
    writeFileSync(join(dir, "../requests.md"), "## Refinement 1 (untrusted input from @a)\n\nsmaller\n");
    const run = io(dir);
    const code = await taskCommand(
      ["--issue", "4", "--title", "T", "--mode", "plan", "--plan-file", "../requests.md", "--output", "../plan.json"],
      run.io,
    );
    expect(code).toBe(0);
    const changeSet = JSON.parse(readFileSync(join(dir, "../plan.json"), "utf8")) as ChangeSet;
    expect(changeSet).toMatchObject({ files: [], tests: [], agent: { exit_code: 0 } });
    expect(changeSet.plan).toMatch(/^## Plan\nplan\n1\n/);
    expect(changeSet.plan).not.toContain("ghp_abcdefghijklmnopqrstuvwxyz0123456789");
    const checked = checkChangeSet(readFileSync(join(dir, "../plan.json"), "utf8"));
    expect(checked.ok && checked.changeSet.plan).toBe(changeSet.plan);
    expect(await taskCommand(["--issue", "4", "--title", "T", "--mode", "x", "--output", "o.json"], io(dir).io)).toBe(
      1,
    );
    rmSync(join(dir, "../plan.json"));
    rmSync(join(dir, "../requests.md"));
  });

  it("runs the agent and tests in the checkout and writes changeset.json", async () => {
    dir = checkout(
      'agent:\n  command: "printf \'%s\' \\"$FACTORY_ISSUE_TITLE\\" > note.txt"\ntests:\n  - name: has note\n    command: test -s note.txt\n',
    );
    const run = io(dir);
    const code = await taskCommand(
      ["--issue", "4", "--title", "Hello; rm -rf /", "--output", "../changeset.json"],
      run.io,
    );
    expect(run.err()).not.toMatch(/"level":"error"/);
    expect(code).toBe(0);
    const changeSet = JSON.parse(readFileSync(join(dir, "../changeset.json"), "utf8")) as ChangeSet;
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir }).toString().trim();
    expect(changeSet).toMatchObject({ version: 1, base_sha: head, agent: { exit_code: 0, timed_out: false } });
    // The title arrives as data, never as shell syntax.
    expect(changeSet.files).toEqual([
      { path: "note.txt", action: "create", mode: "100644", encoding: "utf8", content: "Hello; rm -rf /" },
    ]);
    expect(changeSet.tests).toMatchObject([{ name: "has note", exit_code: 0 }]);
    rmSync(join(dir, "../changeset.json"));
  });

  it("takes a title that looks like an option when given as --title=…", async () => {
    dir = checkout('agent:\n  command: "printf \'%s\' \\"$FACTORY_ISSUE_TITLE\\" > t.txt"\n');
    const run = io(dir);
    expect(await taskCommand(["--issue=2", "--title=--verbose fix", "--output=cs.json"], run.io)).toBe(0);
    const changeSet = JSON.parse(readFileSync(join(dir, "cs.json"), "utf8")) as ChangeSet;
    expect(changeSet.files[0]!.content).toBe("--verbose fix");
  });

  it("records an agent failure in the ChangeSet and still exits 0", async () => {
    dir = checkout('agent:\n  command: "echo broken >&2; exit 3"\n');
    const run = io(dir);
    expect(await taskCommand(["--issue", "1", "--title", "t", "--output", "cs.json"], run.io)).toBe(0);
    const changeSet = JSON.parse(readFileSync(join(dir, "cs.json"), "utf8")) as ChangeSet;
    expect(changeSet.files).toEqual([]);
    expect(changeSet.agent).toMatchObject({ exit_code: 3 });
    expect(changeSet.agent!.output_tail).toContain("broken");
  });

  it("iterates in CI too: changeset.json records the runs, and the bot's artifact check keeps them", async () => {
    const agent =
      'if [ "$FACTORY_ITERATION" = 1 ]; then echo 1 > n.txt; else grep -q expected "$FACTORY_TEST_FAILURE_FILE" && echo 2 > n.txt; fi';
    const check = 'test "$(cat n.txt)" = 2 || { echo "expected 2, got $(cat n.txt)"; exit 1; }';
    dir = checkout(
      `agent:\n  command: ${JSON.stringify(agent)}\ntests:\n  - name: two\n    command: ${JSON.stringify(check)}\n`,
    );
    const run = io(dir);
    expect(await taskCommand(["--issue", "5", "--title", "t", "--output", "../cs-iter.json"], run.io)).toBe(0);
    const text = readFileSync(join(dir, "../cs-iter.json"), "utf8");
    rmSync(join(dir, "../cs-iter.json"));
    expect(run.out()).toContain("2 agent run(s), stopped: passed");
    const checked = checkChangeSet(text);
    if (!checked.ok) throw new Error(checked.problem);
    expect(checked.changeSet.files.map((f) => [f.path, f.content])).toEqual([["n.txt", "2\n"]]);
    expect(checked.changeSet.iterations).toMatchObject({
      max_iterations: 3,
      stopped: "passed",
      published_run: 2,
      runs: [
        { iteration: 1, tests: [{ exit_code: 1 }] },
        { iteration: 2, tests: [{ exit_code: 0 }] },
      ],
    });
  });

  it("exits 1 with the problems when the config is invalid, and 2 for a bad command line", async () => {
    dir = checkout("agent:\n  command: x\nbogus: 1\n");
    const run = io(dir);
    expect(await taskCommand(["--issue", "1", "--title", "t", "--output", "cs.json"], run.io)).toBe(1);
    expect(run.err()).toContain("bogus");
    expect(await taskCommand(["--issue", "x", "--output", "cs.json"], run.io)).toBe(2);
  });
});
