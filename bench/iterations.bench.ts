/**
 * What one more iteration costs beyond the agent and the tests themselves: the same task with a
 * trivial agent and a trivial test, once passing on run 1 (1 run) and once passing on run 3 (3
 * runs). From each task's wall time the processes' own times (every agent and test run, as the
 * ChangeSet records them) are subtracted; what is left is the loop's own work (scanning the
 * workspace for changes, comparing them, summarizing the failure, writing the failure file), and
 * the difference between the two, halved, is the overhead per extra iteration.
 * The workspace holds FILES files of 1 KiB, as a small repository would; the failing test prints
 * OUTPUT_LINES lines before its assertion, as a test runner would.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { defaultConfig } from "../src/config/defaults.js";
import type { FactoryConfig } from "../src/config/types.js";
import { systemClock, type Logger } from "../src/core/deps.js";
import type { TaskRunResult } from "../src/core/task-runner.js";
import { runTaskInDirectory } from "../src/runner/run-task.js";

const FILES = 1000;
const OUTPUT_LINES = 2000;
const ROUNDS = 6;
const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet };

// The agent bumps a counter each run; the test passes once the counter reaches PASS_AT.
const AGENT = "n=$(cat counter 2>/dev/null || echo 0); echo $((n + 1)) > counter";
const test = (passAt: number) =>
  `[ "$(cat counter)" -ge ${passAt} ] || { seq 1 ${OUTPUT_LINES}; echo "AssertionError: counter below ${passAt}"; exit 1; }`;

function config(passAt: number): FactoryConfig {
  const base = defaultConfig();
  return {
    ...base,
    agent: { ...base.agent, command: AGENT, max_iterations: 3 },
    tests: [{ name: "counter", command: test(passAt), path: ".", timeout_seconds: 60, paths: ["**"] }],
  };
}

async function checkout(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), "factory-bench-iter-"));
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(root, "src", `m${i % 20}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `f${i}.ts`), `export const v${i} = "${"x".repeat(1000)}";\n`);
  }
  return root;
}

interface Measure {
  /** CPU time of this process alone (user + system): the children (agent, tests) are not in it. */
  cpuMs: number;
  wallMs: number;
  processMs: number;
  runs: number;
}

async function once(passAt: number, tempDir: string): Promise<Measure> {
  const root = await checkout();
  try {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result: TaskRunResult = await runTaskInDirectory(
      root,
      {
        repoFullName: "acme/widgets",
        issue: { number: 1, title: "Count", body: "", url: "" },
        branch: "factory/1-count",
        base: "main",
        baseSha: "0".repeat(40),
        attempt: 1,
        config: config(passAt),
      },
      { serverEnv: { PATH: process.env.PATH }, agentEnvNames: [], tempDir, logger: quiet, clock: systemClock },
    );
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    if (result.kind !== "completed" || !result.changeSet.iterations) throw new Error(`unexpected ${result.kind}`);
    const { runs, stopped } = result.changeSet.iterations;
    if (stopped !== "passed" || runs.length !== passAt) throw new Error(`stopped ${stopped} after ${runs.length}`);
    const processMs = runs.reduce(
      (sum, run) => sum + run.agent.duration_ms + run.tests.reduce((s, t) => s + t.duration_ms, 0),
      0,
    );
    return { cpuMs, wallMs, processMs, runs: runs.length };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

// Wall time on a shared machine is noisy; the bot's own CPU time is the steadier of the two figures.
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const tempDir = await mkdtemp(path.join(os.tmpdir(), "factory-bench-files-"));
  const one: Measure[] = [];
  const three: Measure[] = [];
  await once(1, tempDir); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    one.push(await once(1, tempDir));
    three.push(await once(3, tempDir));
  }
  await rm(tempDir, { recursive: true, force: true });
  const row = (label: string, m: Measure[]) => {
    const wall = median(m.map((x) => x.wallMs));
    const proc = median(m.map((x) => x.processMs));
    const own = median(m.map((x) => x.wallMs - x.processMs));
    const cpu = median(m.map((x) => x.cpuMs));
    console.log(`| ${label} | ${wall.toFixed(1)} | ${proc.toFixed(1)} | ${own.toFixed(1)} | ${cpu.toFixed(1)} |`);
    return { wall, proc, own, cpu };
  };
  console.log(`Workspace: ${FILES} files of 1 KiB; failing test output: ${OUTPUT_LINES} lines; median of ${ROUNDS}.\n`);
  console.log(
    "| task | wall ms | agent + tests ms | wall minus processes ms | bot CPU ms |\n| --- | --- | --- | --- | --- |",
  );
  const a = row("1 run (passes at once)", one);
  const b = row("3 runs (passes on run 3)", three);
  const perIteration = (b.own - a.own) / 2;
  const processPerIteration = (b.proc - a.proc) / 2;
  console.log(
    `\nOverhead per extra iteration, agent and tests excluded: ${perIteration.toFixed(1)} ms wall, ` +
      `${((b.cpu - a.cpu) / 2).toFixed(1)} ms of the bot's CPU ` +
      `(the trivial agent and test of that iteration took ${processPerIteration.toFixed(1)} ms; ratio ${(perIteration / processPerIteration).toFixed(2)}).`,
  );
  console.log(
    "A local-runner task also edits its progress comment twice per extra iteration (agent, tests): 2 API calls.",
  );
}

await main();
