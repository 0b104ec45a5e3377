import { chmod, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { TaskFailedError } from "../../src/runner/errors.js";
import type { TaskRunResult } from "../../src/core/task-runner.js";
import { manifestEntryOf, scanDirectory } from "../../src/runner/manifest.js";
import { runTaskInDirectory, type TaskInDirectoryOptions } from "../../src/runner/run-task.js";
import {
  factoryConfig,
  isRunning,
  removeDirectory,
  steppingClock,
  taskSpec,
  temporaryDirectory,
  testSpec,
  warnings,
} from "./helpers.js";
import { recordingLogger } from "../helpers/logger.js";

let checkout: string;
let tempDir: string;

beforeEach(async () => {
  checkout = await temporaryDirectory();
  tempDir = await temporaryDirectory();
  await writeTree(checkout, {
    ".gitignore": "node_modules/\n*.log\n!keep.log\nbuild/\n",
    "build/tracked.txt": "tracked although ignored\n",
    "src/index.js": "module.exports = 1;\n",
    "node_modules/dep/index.js": "installed before the agent\n",
    ".git/HEAD": "ref: refs/heads/main\n",
  });
  await chmod(path.join(checkout, "src/index.js"), 0o755);
  await symlink("src/index.js", path.join(checkout, "main.js"));
});
afterEach(async () => {
  await removeDirectory(checkout);
  await removeDirectory(tempDir);
});

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, relative)), { recursive: true });
    await writeFile(path.join(root, relative), content);
  }
}

function changedPaths(result: TaskRunResult): [string, string][] {
  if (result.kind !== "completed") throw new Error(`expected completed, got ${result.kind}`);
  return result.changeSet.files.map((file) => [file.path, file.action]);
}

function options(overrides: Partial<TaskInDirectoryOptions> = {}): TaskInDirectoryOptions {
  return {
    serverEnv: { PATH: process.env.PATH },
    agentEnvNames: [],
    tempDir,
    logger: recordingLogger(),
    clock: steppingClock(),
    killGraceMs: 200,
    ...overrides,
  };
}

test("scanning a checkout records its tree without .git and git-ignored files", async () => {
  const manifest = await scanDirectory(checkout);

  expect([...manifest.keys()].sort()).toEqual([".gitignore", "main.js", "src/index.js"]);
  expect(manifest.get("src/index.js")).toMatchObject({ kind: "file", mode: "100755", size: 20 });
  expect(manifest.get("main.js")).toEqual({ kind: "symlink", target: "src/index.js" });
});

test("in a CI checkout the ChangeSet leaves out what .gitignore excludes", async () => {
  const command =
    "mkdir -p node_modules/new && echo x > node_modules/new/index.js && echo log > debug.log && echo kept > keep.log" +
    " && echo changed > build/tracked.txt && echo inner > .git/config && echo y > src/index.js";
  const result = await runTaskInDirectory(checkout, taskSpec(factoryConfig({ command })), options());

  expect(changedPaths(result)).toEqual([
    ["keep.log", "create"],
    ["src/index.js", "update"],
  ]);
});

test("paths in the base manifest are tracked: reported even where .gitignore excludes them", async () => {
  const base = await scanDirectory(checkout);
  base.set("build/tracked.txt", await manifestEntryOf(path.join(checkout, "build/tracked.txt"), "file"));
  const command = "echo changed > build/tracked.txt && echo out > build/new.txt";
  const result = await runTaskInDirectory(
    checkout,
    taskSpec(factoryConfig({ command })),
    options({ baseManifest: base }),
  );

  expect(changedPaths(result)).toEqual([["build/tracked.txt", "update"]]);
});

test("a given base manifest is used instead of scanning", async () => {
  const base = await scanDirectory(checkout);
  base.delete("src/index.js");

  const result = await runTaskInDirectory(
    checkout,
    taskSpec(factoryConfig({ command: "true" })),
    options({ baseManifest: base }),
  );

  expect(changedPaths(result)).toEqual([["src/index.js", "create"]]);
});

test("changes above the size cap fail the task with a clear error", async () => {
  const task = taskSpec(factoryConfig({ command: "head -c 3000 /dev/zero > blob.bin" }));
  const run = runTaskInDirectory(checkout, task, options({ limits: { maxChangeSetBytes: 2048 } }));

  await expect(run).rejects.toThrow(TaskFailedError);
  await expect(run).rejects.toThrow(/more than 2\.0 KiB of file content \(reached at "blob\.bin"\)/);
});

test("agent.env cannot make an allowed command load code: NODE_OPTIONS, LD_PRELOAD, BASH_ENV, npm_config_*", async () => {
  const logger = recordingLogger();
  const config = factoryConfig({
    command: 'echo "[$NODE_OPTIONS|$LD_PRELOAD|$BASH_ENV|$npm_config_script_shell|$GIT_SSH_COMMAND|$EXTRA]" > seen.txt',
    env: {
      NODE_OPTIONS: "--require ./evil.js",
      LD_PRELOAD: "./evil.so",
      BASH_ENV: "./evil.sh",
      npm_config_script_shell: "./evil",
      GIT_SSH_COMMAND: "./evil",
      EXTRA: "kept",
    },
  });
  const result = await runTaskInDirectory(checkout, taskSpec(config), options({ logger }));

  const seen =
    result.kind === "completed" ? result.changeSet.files.find((file) => file.path === "seen.txt")?.content : "";
  expect(seen).toBe("[|||||kept]\n");
  expect(warnings(logger)).toEqual(["agent.env may not set these variables; ignored"]);
});

test("a missing agent.command is refused, with nothing run", async () => {
  const result = await runTaskInDirectory(checkout, taskSpec(factoryConfig({ command: null })), options());

  expect(result).toEqual({ kind: "refused", message: expect.stringContaining("agent.command") });
});

test("agent.env cannot replace PATH or task variables", async () => {
  const logger = recordingLogger();
  const config = factoryConfig({
    command: 'echo "$PATH|$FACTORY_ISSUE_NUMBER|$EXTRA" > seen.txt',
    env: { PATH: "/repository/bin", FACTORY_ISSUE_NUMBER: "999", EXTRA: "kept" },
  });
  const result = await runTaskInDirectory(checkout, taskSpec(config), options({ logger }));

  const seen =
    result.kind === "completed" ? result.changeSet.files.find((file) => file.path === "seen.txt")?.content : "";
  expect(seen).toBe(`${process.env.PATH}|42|kept\n`);
  expect(warnings(logger)).toEqual(["agent.env may not set these variables; ignored"]);
});

/** The first reading is almost an hour ago (agent.max_minutes 60): `leftMs` of the budget are left. */
function almostSpentClock(leftMs: number) {
  let first = true;
  return {
    now: () => {
      const skew = first ? 60 * 60_000 - leftMs : 0;
      first = false;
      return new Date(Date.now() - skew);
    },
  };
}

describe("iterations", () => {
  const TEST = testSpec({
    name: "answer",
    command:
      'grep -qx "answer=42" answer.txt || { echo "AssertionError: expected answer=42, got $(cat answer.txt)"; exit 1; }',
  });

  test("a failing test runs the agent again in the same workspace, with the failure in FACTORY_TEST_FAILURE_FILE", async () => {
    const out = await temporaryDirectory();
    try {
      const command =
        `env > "${out}/env-$FACTORY_ITERATION"; ` +
        'if [ "$FACTORY_ITERATION" = 1 ]; then echo answer=41 > answer.txt; echo first > notes.txt; ' +
        `else cp "$FACTORY_TEST_FAILURE_FILE" "${out}/failure.md"; cp "$FACTORY_TASK_FILE" "${out}/task.md"; echo answer=42 > answer.txt; fi`;
      const result = await runTaskInDirectory(checkout, taskSpec(factoryConfig({ command, tests: [TEST] })), options());

      if (result.kind !== "completed") throw new Error(result.kind);
      expect(changedPaths(result)).toEqual([
        ["answer.txt", "create"],
        ["notes.txt", "create"],
      ]);
      expect(result.changeSet.tests.map((t) => t.exit_code)).toEqual([0]);
      expect(result.changeSet.iterations).toMatchObject({
        stopped: "passed",
        published_run: 2,
        runs: [
          { iteration: 1, tests: [{ exit_code: 1 }] },
          { iteration: 2, tests: [{ exit_code: 0 }] },
        ],
      });
      const env1 = await readFile(path.join(out, "env-1"), "utf8");
      const env2 = await readFile(path.join(out, "env-2"), "utf8");
      expect(env1).toMatch(/^FACTORY_ITERATION=1$/m);
      expect(env1).toMatch(/^FACTORY_MODE=implement$/m);
      expect(env1).not.toMatch(/^FACTORY_TEST_FAILURE_FILE=/m);
      expect(env2).toMatch(/^FACTORY_ITERATION=2$/m);
      expect(env2).toMatch(/^FACTORY_MODE=implement$/m);
      const failure = await readFile(path.join(out, "failure.md"), "utf8");
      expect(failure).toContain("# Failing tests after run 1 of 3");
      expect(failure).toContain("## `answer`");
      expect(failure).toContain("- result: exit code 1");
      expect(failure).toContain("AssertionError: expected answer=42, got answer=41");
      expect(await readFile(path.join(out, "task.md"), "utf8")).toContain("AssertionError: expected answer=42");
    } finally {
      await removeDirectory(out);
    }
  });

  test("a budget spent during the tests publishes that run with the stopped and unstarted tests as timed out", async () => {
    const tests = [testSpec({ name: "slow", command: "sleep 20" }), testSpec({ name: "never", command: "true" })];
    const result = await runTaskInDirectory(
      checkout,
      taskSpec(factoryConfig({ command: "echo v1 > made.txt", tests })),
      options({ clock: almostSpentClock(1500) }),
    );

    if (result.kind !== "completed") throw new Error(result.kind);
    expect(changedPaths(result)).toEqual([["made.txt", "create"]]);
    expect(result.changeSet.iterations).toMatchObject({ stopped: "out-of-time", published_run: 1 });
    expect(result.changeSet.tests).toMatchObject([
      { name: "slow", timed_out: true },
      { name: "never", timed_out: true, exit_code: null, output_tail: expect.stringContaining("Not run") },
    ]);
  });

  test("the budget stops the running process group and the task reports it ran out of time", async () => {
    const out = await temporaryDirectory();
    try {
      const command = `sleep 30 & echo $! > "${out}/pid"; wait`;
      const clock = almostSpentClock(400);
      const result = await runTaskInDirectory(
        checkout,
        taskSpec(factoryConfig({ command, tests: [TEST] })),
        options({ clock }),
      );

      expect(result).toMatchObject({
        kind: "agent-failed",
        outOfTime: true,
        agent: { timedOut: true },
        iterations: { stopped: "out-of-time", published_run: 0 },
      });
      const pid = Number(await readFile(path.join(out, "pid"), "utf8"));
      expect(await isRunning(pid)).toBe(false);
    } finally {
      await removeDirectory(out);
    }
  });
});
