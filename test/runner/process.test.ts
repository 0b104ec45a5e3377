import { formatOutputTail, runShellCommand, shellExitCode } from "../../src/runner/process.js";
import { steppingClock } from "./helpers.js";

const request = { cwd: "/", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeoutMs: 10_000, killGraceMs: 200 };

test("keeps the last 40 lines of interleaved output, redacted", async () => {
  const outcome = await runShellCommand(
    "i=0; while [ $i -lt 100 ]; do echo line $i; i=$((i+1)); done; echo 'token glpat-abcdefghijklmnopqrstuvwxyz' >&2",
    { ...request, clock: steppingClock() },
  );

  const lines = outcome.outputTail.split("\n");
  expect(lines).toHaveLength(40);
  expect(lines[0]).toBe("line 61");
  expect(lines[39]).toBe("token [REDACTED]");
  expect(outcome).toMatchObject({ exitCode: 0, signal: null, timedOut: false, aborted: false, durationMs: 1000 });
});

test("bounds captured output to the last 64 KiB however much a command prints", async () => {
  const outcome = await runShellCommand("head -c 5000000 /dev/zero | tr '\\0' 'a'; echo; echo last", {
    ...request,
    clock: steppingClock(),
  });

  expect(outcome.outputTail.endsWith("\nlast")).toBe(true);
  expect(outcome.outputTail.length).toBeLessThanOrEqual(64 * 1024);
});

test("redaction sees secrets before the line limit cuts them", () => {
  const key = "-----BEGIN RSA PRIVATE KEY-----\nMIIabc\n-----END RSA PRIVATE KEY-----";
  expect(formatOutputTail(`ghp_${"a".repeat(36)}\n`)).toBe("[REDACTED]");
  expect(formatOutputTail(key).split("\n")).toHaveLength(3);
});

test("a signal-killed process gets the shell's exit code", () => {
  expect(shellExitCode({ exitCode: null, signal: "SIGTERM" })).toBe(143);
  expect(shellExitCode({ exitCode: 2, signal: null })).toBe(2);
});
