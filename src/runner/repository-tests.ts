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
}

/** The shell's "cannot execute" code, for a test whose working directory is unusable. */
const UNUSABLE_DIRECTORY_EXIT_CODE = 126;

/** Runs the repository's tests in order; every test is recorded, passed, failed or skipped by `paths`. */
export async function runRepositoryTests(specs: readonly TestSpec[], options: TestRunOptions): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const spec of specs) {
    options.signal?.throwIfAborted();
    results.push(await runRepositoryTest(spec, options));
  }
  return results;
}

async function runRepositoryTest(spec: TestSpec, options: TestRunOptions): Promise<TestResult> {
  const recorded = { name: spec.name, command: spec.command };
  if (!touchesPaths(spec.paths, options.changedPaths)) {
    return { ...recorded, exit_code: null, duration_ms: 0, output_tail: "", skipped: true };
  }
  const cwd = await testDirectory(options.root, spec.path);
  if (typeof cwd !== "string") {
    return { ...recorded, exit_code: UNUSABLE_DIRECTORY_EXIT_CODE, duration_ms: 0, output_tail: cwd.problem };
  }
  const outcome = await runShellCommand(spec.command, {
    cwd,
    env: options.env,
    timeoutMs: spec.timeout_seconds * 1000,
    clock: options.clock,
    killGraceMs: options.killGraceMs,
    signal: options.signal,
    sandbox: options.sandbox,
  });
  return {
    ...recorded,
    exit_code: shellExitCode(outcome),
    duration_ms: outcome.durationMs,
    output_tail: outcome.outputTail,
    ...(outcome.timedOut ? { timed_out: true } : {}),
  };
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
