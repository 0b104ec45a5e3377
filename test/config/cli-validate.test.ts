import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { validateCommand } from "../../src/entry/cli/validate.js";
import type { CliIo } from "../../src/entry/cli/types.js";

// The `validate` verb runs in-process against a temporary checkout and a captured stdout/stderr.
function fakeIo(cwd: string) {
  const output = { stdout: "", stderr: "" };
  const capture = (stream: keyof typeof output) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        output[stream] += chunk.toString();
        done();
      },
    });
  const io: CliIo = { stdin: Readable.from([]), stdout: capture("stdout"), stderr: capture("stderr"), cwd, env: {} };
  return { io, output };
}

let checkout: string;

beforeEach(() => {
  checkout = mkdtempSync(join(tmpdir(), "factory-validate-"));
  mkdirSync(join(checkout, ".github"));
});

afterEach(() => rmSync(checkout, { recursive: true, force: true }));

function writeConfig(relativePath: string, text: string): void {
  writeFileSync(join(checkout, relativePath), text);
}

describe("factory-bot validate", () => {
  test("checks .github/factory.yml by default and says it is valid", async () => {
    writeConfig(".github/factory.yml", "agent:\n  command: make agent\n");
    const { io, output } = fakeIo(checkout);
    expect(await validateCommand([], io)).toBe(0);
    expect(output.stdout).toBe(".github/factory.yml: valid\n");
    expect(output.stderr).toBe("");
  });

  test("checks the file it is given, relative to the working directory", async () => {
    writeConfig("other.yml", "runner: actions\n");
    const { io, output } = fakeIo(checkout);
    expect(await validateCommand(["other.yml"], io)).toBe(0);
    expect(output.stdout).toBe("other.yml: valid\n");
  });

  test("prints one problem per line as file:line:col: message and exits 1", async () => {
    writeConfig(".github/factory.yml", "runner: docker\nci:\n  foo: 1\n");
    const { io, output } = fakeIo(checkout);
    expect(await validateCommand([], io)).toBe(1);
    expect(output.stdout.trimEnd().split("\n")).toEqual([
      ".github/factory.yml:1:1: `runner` must be one of local, actions, gitlab-ci; got a string (`docker`)",
      ".github/factory.yml:3:3: unknown key `foo` under `ci`; allowed: comments, max_lines, fix_attempts",
    ]);
  });

  test("reports a YAML syntax error with its position", async () => {
    writeConfig("bad.yml", "ci:\n  comments: [all\n");
    const { io, output } = fakeIo(checkout);
    expect(await validateCommand(["bad.yml"], io)).toBe(1);
    expect(output.stdout).toMatch(/^bad\.yml:3:1: YAML syntax error: /);
  });

  test("a missing file exits 1 with a message naming it", async () => {
    const { io, output } = fakeIo(checkout);
    expect(await validateCommand([], io)).toBe(1);
    expect(output.stderr).toBe(
      "factory-bot validate: cannot read .github/factory.yml: no such file (the config lives at .github/factory.yml)\n",
    );
    expect(output.stdout).toBe("");
  });

  test("a directory is not a config file", async () => {
    const { io, output } = fakeIo(checkout);
    expect(await validateCommand([".github"], io)).toBe(1);
    expect(output.stderr).toContain("cannot read .github: it is a directory");
  });

  test("--help prints the usage and exits 0", async () => {
    const { io, output } = fakeIo(checkout);
    expect(await validateCommand(["--help"], io)).toBe(0);
    expect(output.stdout).toMatch(/^Usage: factory-bot validate \[file\]/);
  });

  test.each([[["a.yml", "b.yml"]], [["--strict"]]])(
    "refuses the arguments %j with exit 2 and the usage",
    async (args) => {
      const { io, output } = fakeIo(checkout);
      expect(await validateCommand(args, io)).toBe(2);
      expect(output.stderr).toContain("Usage: factory-bot validate [file]");
    },
  );

  test("a file name starting with `-` can follow `--`", async () => {
    writeConfig("-odd.yml", "");
    const { io, output } = fakeIo(checkout);
    expect(await validateCommand(["--", "-odd.yml"], io)).toBe(0);
    expect(output.stdout).toBe("-odd.yml: valid\n");
  });
});
