import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { summarizeCommand } from "../../src/entry/cli/summarize.js";
import type { CliIo } from "../../src/entry/cli/types.js";

const LOG = [
  "Compiling app v0.1.0",
  "error[E0425]: cannot find value `x` in this scope",
  " --> src/main.rs:2:5",
  "error: could not compile `app`",
].join("\n");

async function run(args: string[], options: { stdin?: string; cwd?: string } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (d: Buffer) => out.push(d.toString()));
  stderr.on("data", (d: Buffer) => err.push(d.toString()));
  const io: CliIo = {
    stdin: Readable.from([options.stdin ?? ""]),
    stdout,
    stderr,
    cwd: options.cwd ?? process.cwd(),
    env: {},
  };
  const code = await summarizeCommand(args, io);
  return { code, stdout: out.join(""), stderr: err.join("") };
}

describe("factory-bot summarize", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "summarize-cli-"));
    await writeFile(join(dir, "job.log"), LOG);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("--help prints the usage and succeeds", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Usage: factory-bot summarize \[--max-lines N\] \[--format markdown\|text\] \[log-file\]/,
    );
  });

  test("reads a file relative to the working directory, as Markdown by default", async () => {
    const result = await run(["job.log"], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^```text\n/);
    expect(result.stdout).toContain("error[E0425]: cannot find value `x` in this scope\n --> src/main.rs:2:5\n");
    expect(result.stdout).not.toContain("could not compile");
  });

  test("reads standard input without a file, or with -", async () => {
    for (const args of [[], ["-"]]) {
      const result = await run(args, { stdin: LOG });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("error[E0425]");
    }
  });

  test("--format markdown and --max-lines, in either spelling", async () => {
    const result = await run(["--format=markdown", "--max-lines", "1", join(dir, "job.log")]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("```text\nerror[E0425]: cannot find value `x` in this scope\n```\n");
  });

  test("--format text prints plain lines for terminals", async () => {
    const result = await run(["--format", "text", join(dir, "job.log")]);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("```");
    expect(result.stdout).toContain("error[E0425]: cannot find value `x` in this scope\n");
  });

  test.each([
    [["--max-lines"], /--max-lines needs a number/],
    [["--max-lines", "0"], /--max-lines must be a whole number from 1 to 1000, got "0"/],
    [["--max-lines=2.5"], /got "2.5"/],
    [["--format", "html"], /--format must be markdown or text, got "html"/],
    [["--colour"], /unknown option --colour/],
    [["a.log", "b.log"], /expected at most one log file, got 2/],
  ])("bad arguments %j exit 2 with a clear message", async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
  });

  test("a file that cannot be read exits 1", async () => {
    const missing = await run(["nope.log"], { cwd: dir });
    expect(missing).toMatchObject({ code: 1, stdout: "" });
    expect(missing.stderr).toBe("factory-bot summarize: cannot read nope.log: no such file\n");
    const directory = await run([dir]);
    expect(directory.code).toBe(1);
    expect(directory.stderr).toMatch(/cannot read .*: it is a directory/);
  });
});
