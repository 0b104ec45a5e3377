import { randomInt } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { runShellCommand, type ProcessRequest } from "../../src/runner/process.js";
import { removeDirectory, steppingClock, temporaryDirectory } from "./helpers.js";

// FACTORY_SANDBOX=none: no PID namespace, so leftovers are found through /proc (src/runner/process-tree.ts).
// Each command waits a moment before it exits, so the child has left the group (setsid) by then.
let workspace: string;
beforeEach(async () => {
  workspace = await temporaryDirectory();
});
afterEach(async () => {
  await removeDirectory(workspace);
});

const MARKER = "FACTORY_TASK_FILE=/task/files/task.md";

function request(timeoutMs: number, sweep = true): Omit<ProcessRequest, "file" | "args"> {
  return {
    cwd: workspace,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", FACTORY_TASK_FILE: "/task/files/task.md" },
    timeoutMs,
    clock: steppingClock(),
    killGraceMs: 200,
    ...(sweep ? { sandbox: { mode: "none" as const, traits: { directories: [workspace], marker: MARKER } } } : {}),
  };
}

/** Host pids of `sleep <seconds>`: the unique duration names the leftover. */
async function sleepers(seconds: number): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^[0-9]+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    if (cmdline.split("\0").join(" ").trim() === `sleep ${seconds}` && !/\) Z/.test(stat)) found.push(Number(name));
  }
  return found;
}

const uniqueSeconds = () => 500_000 + randomInt(400_000);

test("a setsid'd child outlives its group without the sweep: what the sweep is for", async () => {
  const seconds = uniqueSeconds();
  await runShellCommand(
    `setsid sh -c "exec sleep ${seconds}" > /dev/null 2>&1 < /dev/null & sleep 0.5`,
    request(10_000, false),
  );
  const left = await sleepers(seconds);
  expect(left).toHaveLength(1);
  left.forEach((pid) => process.kill(pid, "SIGKILL"));
});

test("after a successful exit, a setsid'd child is killed", async () => {
  const seconds = uniqueSeconds();
  const outcome = await runShellCommand(
    `setsid sh -c "exec sleep ${seconds}" > /dev/null 2>&1 < /dev/null & sleep 0.5; exit 0`,
    request(10_000),
  );
  expect(outcome.exitCode).toBe(0);
  expect(await sleepers(seconds)).toEqual([]);
});

test("at a timeout, a setsid'd child is killed with the group", async () => {
  const seconds = uniqueSeconds();
  const outcome = await runShellCommand(
    `setsid sh -c "exec sleep ${seconds}" > /dev/null 2>&1 < /dev/null & sleep 60`,
    request(500),
  );
  expect(outcome.timedOut).toBe(true);
  expect(await sleepers(seconds)).toEqual([]);
});

test("a double fork that leaves the workspace is found by the task's variable", async () => {
  const seconds = uniqueSeconds();
  await runShellCommand(
    `(cd / && setsid sh -c "exec sleep ${seconds}" > /dev/null 2>&1 < /dev/null &) ; sleep 0.5; exit 0`,
    request(10_000),
  );
  expect(await sleepers(seconds)).toEqual([]);
});

test("a double fork with a clean environment is found by its working directory", async () => {
  const seconds = uniqueSeconds();
  await runShellCommand(
    `(setsid env -i /bin/sh -c "exec sleep ${seconds}" > /dev/null 2>&1 < /dev/null &) ; sleep 0.5; exit 0`,
    request(10_000),
  );
  expect(await sleepers(seconds)).toEqual([]);
});
