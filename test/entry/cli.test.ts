import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { main } from "../../src/entry/cli.js";

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(args, { stdin: new PassThrough(), stdout, stderr, cwd: process.cwd(), env: {} });
  return { code, out, err };
}

describe("factory-bot", () => {
  test.each([["--version"], ["-v"]])("%s prints the package version and nothing else", async (flag) => {
    expect(await cli([flag])).toEqual({ code: 0, out: `${version}\n`, err: "" });
  });

  test("the usage names --version", async () => {
    const { code, out } = await cli(["--help"]);
    expect(code).toBe(0);
    expect(out).toContain("factory-bot --version");
  });

  test("an unknown verb is refused with the usage", async () => {
    const { code, err } = await cli(["--verbose"]);
    expect(code).toBe(2);
    expect(err).toContain('unknown verb "--verbose"');
  });
});
