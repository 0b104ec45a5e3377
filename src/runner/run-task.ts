import os from "node:os";
import path from "node:path";
import type { Clock, Logger } from "../core/deps.js";
import type { AgentOutcome, TaskRunResult, TaskSpec } from "../core/task-runner.js";
import { MISSING_AGENT_COMMAND_MESSAGE } from "./allowlist.js";
import { collectChanges } from "./changeset.js";
import { buildTaskEnvironments } from "./environment.js";
import { DEFAULT_LIMITS, type RunnerLimits } from "./limits.js";
import { scanDirectory, type BaseManifest } from "./manifest.js";
import { isInsideDirectory } from "./paths.js";
import { runShellCommand } from "./process.js";
import { runRepositoryTests } from "./repository-tests.js";
import { readSummary, taskVariables, writeTaskFiles } from "./task-files.js";
import { withTemporaryDirectory } from "./workspace.js";

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
}

export const DEFAULT_KILL_GRACE_MS = 5000;

/**
 * Runs one task in a directory that already holds the base tree: the agent, then (when it
 * succeeded) the ChangeSet and the repository's tests. Runs whatever the config says: allow-lists
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
  const agent = await runAgent(command, root, task, environments.agent, killGraceMs, options);
  if (agent.timedOut || agent.exitCode !== 0) return { kind: "agent-failed", agent };
  const changes = await collectChanges(root, base, limits.maxChangeSetBytes);
  const summary = await readSummary(files.summaryFile, limits.maxSummaryChars);
  const tests = await runRepositoryTests(task.config.tests, {
    root,
    changedPaths: changes.map((file) => file.path),
    env: environments.tests,
    clock: options.clock,
    killGraceMs,
    signal: options.signal,
  });
  options.signal?.throwIfAborted();
  return {
    kind: "completed",
    agent,
    changeSet: { version: 1, base_sha: task.baseSha, files: changes, summary, tests },
  };
}

async function runAgent(
  command: string,
  root: string,
  task: TaskSpec,
  env: Record<string, string>,
  killGraceMs: number,
  options: TaskInDirectoryOptions,
): Promise<AgentOutcome> {
  const outcome = await runShellCommand(command, {
    cwd: root,
    env,
    timeoutMs: task.config.agent.timeout_seconds * 1000,
    clock: options.clock,
    killGraceMs,
    signal: options.signal,
  });
  options.signal?.throwIfAborted();
  const { exitCode, signal, timedOut, durationMs, outputTail } = outcome;
  options.logger.info({ exitCode, signal, timedOut, durationMs }, "agent finished");
  return { exitCode, signal, timedOut, durationMs, outputTail };
}
