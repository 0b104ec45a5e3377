/**
 * Sandbox cost per command: `npx tsx bench/sandbox.bench.ts` (also in `npm run bench`).
 *
 * Runs a trivial command (`true` through `sh -c`, as agent and test commands run) 50 times each
 * way, interleaved so load on the machine hits every way alike: a plain spawn (the baseline, no
 * sandbox), FACTORY_SANDBOX=none (the /proc sweep for leftovers), and bubblewrap with the network
 * on and off. Prints the median and 90th percentile in ms and each median's ratio to the
 * baseline's, and the per-task set-up (the sandbox layout and private home). Fails when bubblewrap
 * is missing or does not work here.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runShellCommand, type ProcessRequest } from "../src/runner/process.js";
import { sandboxSettingFromEnv, taskSandbox, type CommandSandbox } from "../src/runner/sandbox.js";

const RUNS = 50;
const systemClock = { now: () => new Date() };

interface Way {
  label: string;
  sandbox?: CommandSandbox;
  samples: number[];
}

async function main(): Promise<void> {
  const bwrapPath = sandboxSettingFromEnv(process.env).bwrapPath;
  if (bwrapPath === null) throw new Error("bubblewrap (bwrap) is not installed: apt-get install bubblewrap");
  const workdir = await mkdtemp(join(tmpdir(), "factory-bench-sandbox-"));
  try {
    const workspace = await mkdtemp(join(workdir, "factory-"));
    const filesDirectory = await mkdtemp(join(workdir, "factory-task-"));
    const runner = { mode: "bwrap" as const, bwrapPath, workdir, serverEnv: process.env };
    const task = { workspace, filesDirectory, network: true, marker: `FACTORY_TASK_FILE=${filesDirectory}/task.md` };
    const setupStarted = performance.now();
    const networkOn = await taskSandbox(runner, task);
    const setupMs = performance.now() - setupStarted;
    const ways: Way[] = [
      { label: "plain spawn (baseline)", samples: [] },
      {
        label: "FACTORY_SANDBOX=none (/proc sweep)",
        sandbox: await taskSandbox({ ...runner, mode: "none" }, task),
        samples: [],
      },
      { label: "bwrap, network on", sandbox: networkOn, samples: [] },
      { label: "bwrap, network off", sandbox: await taskSandbox(runner, { ...task, network: false }), samples: [] },
    ];
    const request: Omit<ProcessRequest, "file" | "args"> = {
      cwd: workspace,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", FACTORY_TASK_FILE: `${filesDirectory}/task.md` },
      timeoutMs: 30_000,
      clock: systemClock,
      killGraceMs: 1000,
    };
    for (let run = 0; run < RUNS; run += 1) {
      for (const way of ways) {
        const started = performance.now();
        const outcome = await runShellCommand("true", { ...request, sandbox: way.sandbox });
        way.samples.push(performance.now() - started);
        if (outcome.exitCode !== 0) throw new Error(`${way.label}: exit ${outcome.exitCode}: ${outcome.outputTail}`);
      }
    }
    report(ways, setupMs);
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

function report(ways: Way[], setupMs: number): void {
  const baseline = percentile(ways[0]!.samples, 0.5);
  console.log(`| way (${RUNS} runs of \`sh -c true\`) | median ms | p90 ms | median / baseline |`);
  console.log("|---|---|---|---|");
  for (const way of ways) {
    const median = percentile(way.samples, 0.5);
    const p90 = percentile(way.samples, 0.9);
    console.log(`| ${way.label} | ${median.toFixed(1)} | ${p90.toFixed(1)} | ${(median / baseline).toFixed(2)}× |`);
  }
  console.log(`\nper-task set-up (layout of the host, private home): ${setupMs.toFixed(1)} ms, once per task`);
}

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
