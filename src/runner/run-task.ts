import os from "node:os";
import path from "node:path";
import type { Clock, Logger } from "../core/deps.js";
import type { IterationsRecord } from "../core/changeset.js";
import type { AgentOutcome, IterationProgress, TaskRunResult, TaskSpec } from "../core/task-runner.js";
import { noTracing, type Tracing } from "../core/tracing.js";
import { MISSING_AGENT_COMMAND_MESSAGE } from "./allowlist.js";
import { collectChanges } from "./changeset.js";
import { buildTaskEnvironments } from "./environment.js";
import { DEFAULT_LIMITS, type RunnerLimits } from "./limits.js";
import { scanDirectory, type BaseManifest } from "./manifest.js";
import { isInsideDirectory } from "./paths.js";
import { runShellCommand } from "./process.js";
import { iterate, type IterationOutcome, type IterationSteps } from "./iterations.js";
import { runRepositoryTestsWithOutput, type TestRun } from "./repository-tests.js";
import { iterationVariables, readSummary, taskVariables, writeTaskFiles, writeTestFailure } from "./task-files.js";
import { explainFailures, renderTestFailureMarkdown } from "./test-failures.js";
import { taskSandbox, type CommandSandbox, type RunnerSandbox } from "./sandbox.js";
import { withTemporaryDirectory } from "./workspace.js";
import { MAX_PLAN_CHARS } from "../core/task/plan.js";

export interface TaskInDirectoryOptions {
  /** The tree before the agent runs; when absent, `directory` is scanned first (a CI checkout). */
  baseManifest?: BaseManifest;
  /** The environment PATH, HOME, LANG, TMPDIR and `agentEnvNames` are taken from. */
  serverEnv: NodeJS.ProcessEnv;
  /** Variables of `serverEnv` for the agent only (FACTORY_AGENT_ENV). */
  agentEnvNames: readonly string[];
  /** Where the task files are written, outside `directory`; default the OS temp dir. */
  tempDir?: string;
  logger: Logger;
  clock: Clock;
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL when a process group is stopped; default 5 s. */
  killGraceMs?: number;
  limits?: Partial<RunnerLimits>;
  /** The local runner's sandbox for the agent and the tests; absent (CI runners): commands run as they are. */
  sandbox?: RunnerSandbox;
  /** Told when each iteration's agent run or tests start (the progress comment). */
  onProgress?: (step: IterationProgress) => Promise<void>;
  /** Spans for the agent and the tests; none by default. */
  tracing?: Tracing;
}

export const DEFAULT_KILL_GRACE_MS = 5000;

/**
 * Runs one task in a directory that already holds the base tree: the agent, then (when it
 * succeeded) the ChangeSet and the repository's tests, and the agent again while they fail
 * (docs/iterations.md). Runs whatever the config says: allow-lists
 * are the caller's business. Rejects with the signal's reason when aborted, and with a
 * TaskFailedError when the agent's changes cannot be used.
 */
export async function runTaskInDirectory(
  directory: string,
  task: TaskSpec,
  options: TaskInDirectoryOptions,
): Promise<TaskRunResult> {
  const command = task.config.agent.command;
  if (command === null) return { kind: "refused", message: MISSING_AGENT_COMMAND_MESSAGE };
  const root = path.resolve(directory);
  const base = options.baseManifest ?? (await scanDirectory(root));
  return withTemporaryDirectory(options.tempDir ?? os.tmpdir(), "factory-task-", options.logger, (filesDirectory) => {
    if (isInsideDirectory(root, filesDirectory)) {
      throw new Error(`The task files directory ${filesDirectory} must be outside the workspace ${root}.`);
    }
    if (task.mode === "plan") return runPlanInDirectory(root, command, task, filesDirectory, options);
    return runAgentThenTests(root, command, task, base, filesDirectory, options);
  });
}

async function runAgentThenTests(
  root: string,
  command: string,
  task: TaskSpec,
  base: BaseManifest,
  filesDirectory: string,
  options: TaskInDirectoryOptions,
): Promise<TaskRunResult> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { killGraceMs, files, environments, sandbox } = await prepareRun(root, task, filesDirectory, options);
  const tracing = options.tracing ?? noTracing;
  const { max_iterations: maxIterations, max_minutes: maxMinutes } = task.config.agent;
  let testFailureFile: string | null = null;
  let lastTests: TestRun[] = [];
  const steps: IterationSteps = {
    agent: (iteration, timeoutMs) =>
      tracing.span("agent", { attempt: task.attempt, iteration }, () =>
        runAgent(
          command,
          root,
          { ...environments.agent, ...iterationVariables(iteration, testFailureFile) },
          timeoutMs,
          killGraceMs,
          options,
          sandbox,
        ),
      ),
    changes: () => collectChanges(root, base, limits.maxChangeSetBytes),
    tests: async (changedPaths, remainingMs) => {
      lastTests = await tracing.span("tests", { count: task.config.tests.length }, () =>
        runRepositoryTestsWithOutput(task.config.tests, {
          root,
          changedPaths,
          env: environments.tests,
          clock: options.clock,
          killGraceMs,
          signal: options.signal,
          remainingMs,
          sandbox,
        }),
      );
      options.signal?.throwIfAborted();
      return lastTests.map((run) => run.result);
    },
    summary: () => readSummary(files.summaryFile, limits.maxSummaryChars),
    prepareRerun: async (next, failed) => {
      const failures = await explainFailures(
        lastTests.filter((run) => failed.includes(run.result)),
        task.config.ci.max_lines,
      );
      const markdown = renderTestFailureMarkdown({ iteration: next - 1, maxIterations, failures });
      testFailureFile = await writeTestFailure(filesDirectory, task, files, markdown);
      options.logger.info({ iteration: next, failed: failed.map((t) => t.name) }, "tests failed; the agent runs again");
    },
    progress: options.onProgress,
  };
  const outcome = await iterate(steps, {
    maxIterations,
    budgetMs: maxMinutes * 60_000,
    agentTimeoutMs: task.config.agent.timeout_seconds * 1000,
    clock: options.clock,
  });
  options.logger.info({ stopped: outcome.stopped, runs: outcome.runs.length }, "iterations finished");
  return taskResult(task, outcome);
}

/** What the loop ended with: the last complete run published, or the agent's failure. */
function taskResult(task: TaskSpec, outcome: IterationOutcome): TaskRunResult {
  const { max_iterations: maxIterations, max_minutes: maxMinutes } = task.config.agent;
  const iterations: IterationsRecord = {
    max_iterations: maxIterations,
    max_minutes: maxMinutes,
    stopped: outcome.stopped,
    published_run: outcome.last?.iteration ?? 0,
    runs: outcome.runs,
  };
  const { last } = outcome;
  if (last === null) {
    const agent = outcome.failedAgent!;
    return {
      kind: "agent-failed",
      agent,
      iterations,
      ...(outcome.stopped === "out-of-time" ? { outOfTime: true } : {}),
    };
  }
  return {
    kind: "completed",
    agent: last.agent,
    changeSet: {
      version: 1,
      base_sha: task.baseSha,
      files: last.files,
      summary: last.summary,
      tests: last.tests,
      iterations,
    },
  };
}

async function runAgent(
  command: string,
  root: string,
  env: Record<string, string>,
  timeoutMs: number,
  killGraceMs: number,
  options: TaskInDirectoryOptions,
  sandbox: CommandSandbox | undefined,
): Promise<AgentOutcome> {
  const outcome = await runShellCommand(command, {
    cwd: root,
    env,
    timeoutMs,
    clock: options.clock,
    killGraceMs,
    signal: options.signal,
    sandbox,
  });
  options.signal?.throwIfAborted();
  const { exitCode, signal, timedOut, durationMs, outputTail } = outcome;
  options.logger.info(
    { iteration: Number(env.FACTORY_ITERATION), exitCode, signal, timedOut, durationMs },
    "agent finished",
  );
  return { exitCode, signal, timedOut, durationMs, outputTail };
}

/** The task files, both environments and the sandbox: the same for plan and implementation runs. */
async function prepareRun(root: string, task: TaskSpec, filesDirectory: string, options: TaskInDirectoryOptions) {
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const files = await writeTaskFiles(filesDirectory, task);
  const environments = buildTaskEnvironments(
    {
      serverEnv: options.serverEnv,
      agentEnvNames: options.agentEnvNames,
      configEnv: task.config.agent.env,
      taskVariables: taskVariables(task, files),
    },
    options.logger,
  );
  const sandbox =
    options.sandbox === undefined
      ? undefined
      : await taskSandbox(options.sandbox, {
          workspace: root,
          filesDirectory,
          network: task.config.agent.network !== "off",
          marker: `FACTORY_TASK_FILE=${files.taskFile}`,
        });
  return { killGraceMs, files, environments, sandbox };
}

/**
 * A plan run (docs/plans.md): the agent once, with `FACTORY_MODE=plan`; no changes collected, no
 * tests. The plan file is read like the summary (a regular file only, redacted, capped).
 */
async function runPlanInDirectory(
  root: string,
  command: string,
  task: TaskSpec,
  filesDirectory: string,
  options: TaskInDirectoryOptions,
): Promise<TaskRunResult> {
  const { killGraceMs, files, environments, sandbox } = await prepareRun(root, task, filesDirectory, options);
  const env = { ...environments.agent, ...iterationVariables(1, null) };
  const timeoutMs = task.config.agent.timeout_seconds * 1000;
  const agent = await runAgent(command, root, env, timeoutMs, killGraceMs, options, sandbox);
  if (agent.timedOut || agent.exitCode !== 0) return { kind: "agent-failed", agent };
  const plan = files.planFile === null ? "" : await readSummary(files.planFile, MAX_PLAN_CHARS);
  return { kind: "planned", agent, plan };
}
