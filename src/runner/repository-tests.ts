import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";
import type { TestResult } from "../core/changeset.js";
import type { TestSpec } from "../config/types.js";
import type { Clock } from "../core/deps.js";
import { isInsideDirectory } from "./paths.js";
import { runShellCommand, shellExitCode } from "./process.js";
import type { CommandSandbox } from "./sandbox.js";

export interface TestRunOptions {
  root: string;
  /** Paths in the ChangeSet, for `paths` filters. */
  changedPaths: readonly string[];
  env: Record<string, string>;
  clock: Clock;
  killGraceMs: number;
  signal?: AbortSignal;
  /** The task's sandbox; the tests run in it as the agent did. */
  sandbox?: CommandSandbox;
  /** What is left of the task's time budget (`agent.max_minutes`); a test gets at most that. */
  remainingMs?: () => number;
}

/** A test's result and its output (last 64 KiB, redacted) for the summarizer; the output stays out of the ChangeSet. */
export interface TestRun {
  result: TestResult;
  output: string;
}

/** The shell's "cannot execute" code, for a test whose working directory is unusable. */
const UNUSABLE_DIRECTORY_EXIT_CODE = 126;

/** Runs the repository's tests in order; every test is recorded, passed, failed or skipped by `paths`. */
export async function runRepositoryTests(specs: readonly TestSpec[], options: TestRunOptions): Promise<TestResult[]> {
  return (await runRepositoryTestsWithOutput(specs, options)).map((run) => run.result);
}

/** The same, with each test's output; once the time budget is spent the tests not yet started count as timed out. */
export async function runRepositoryTestsWithOutput(
  specs: readonly TestSpec[],
  options: TestRunOptions,
): Promise<TestRun[]> {
  const runs: TestRun[] = [];
  for (const spec of specs) {
    options.signal?.throwIfAborted();
    if (options.remainingMs !== undefined && options.remainingMs() <= 0) runs.push(notRunForTime(spec));
    else runs.push(await runRepositoryTest(spec, options));
  }
  return runs;
}

/** A test the budget left no time for: not passed, so the change is not presented as green. */
function notRunForTime(spec: TestSpec): TestRun {
  const output = "Not run: the task's time budget (`agent.max_minutes`) was spent before this test could start.";
  const result = { name: spec.name, command: spec.command, exit_code: null, duration_ms: 0, output_tail: output };
  return { result: { ...result, timed_out: true }, output };
}

async function runRepositoryTest(spec: TestSpec, options: TestRunOptions): Promise<TestRun> {
  const recorded = { name: spec.name, command: spec.command };
  if (!touchesPaths(spec.paths, options.changedPaths)) {
    return { result: { ...recorded, exit_code: null, duration_ms: 0, output_tail: "", skipped: true }, output: "" };
  }
  const cwd = await testDirectory(options.root, spec.path);
  if (typeof cwd !== "string") {
    const result = { ...recorded, exit_code: UNUSABLE_DIRECTORY_EXIT_CODE, duration_ms: 0, output_tail: cwd.problem };
    return { result, output: cwd.problem };
  }
  const ownTimeoutMs = spec.timeout_seconds * 1000;
  const outcome = await runShellCommand(spec.command, {
    cwd,
    env: options.env,
    timeoutMs: Math.min(ownTimeoutMs, options.remainingMs?.() ?? ownTimeoutMs),
    clock: options.clock,
    killGraceMs: options.killGraceMs,
    signal: options.signal,
    sandbox: options.sandbox,
  });
  const result = {
    ...recorded,
    exit_code: shellExitCode(outcome),
    duration_ms: outcome.durationMs,
    output_tail: outcome.outputTail,
    ...(outcome.timedOut ? { timed_out: true } : {}),
  };
  return { result, output: outcome.output };
}

/** `["**"]` or no globs at all means always; otherwise any changed file (dot files too) must match. */
export function touchesPaths(globs: readonly string[], changedPaths: readonly string[]): boolean {
  if (globs.length === 0 || globs.includes("**")) return true;
  const matches = picomatch([...globs], { dot: true });
  return changedPaths.some((changed) => matches(changed));
}

/** The test's working directory, resolved on disk so a symlink cannot lead it out of the repository. */
async function testDirectory(root: string, relative: string): Promise<string | { problem: string }> {
  const described = `The test's path ${JSON.stringify(relative)}`;
  let resolved: string;
  try {
    resolved = await realpath(path.resolve(root, relative));
  } catch {
    return { problem: `${described} does not exist in the repository.` };
  }
  if (!isInsideDirectory(await realpath(root), resolved)) {
    return { problem: `${described} leads outside the repository; tests run inside it only.` };
  }
  if (!(await stat(resolved)).isDirectory()) return { problem: `${described} is not a directory.` };
  return resolved;
}
