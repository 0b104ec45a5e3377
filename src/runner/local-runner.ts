import type { Logger } from "../core/deps.js";
import type { TaskRunner, TaskRunnerContext, TaskRunResult, TaskSpec } from "../core/task-runner.js";
import { localRunnerRefusal } from "./allowlist.js";
import { extractArchive } from "./archive.js";
import { initBaseRepository } from "./git.js";
import { DEFAULT_LIMITS, type RunnerLimits } from "./limits.js";
import type { LocalTaskRunnerOptions } from "./options.js";
import { TaskQueue } from "./queue.js";
import { DEFAULT_KILL_GRACE_MS, runTaskInDirectory } from "./run-task.js";
import { SandboxGate } from "./sandbox-gate.js";
import type { RunnerSandbox } from "./sandbox.js";
import { withTemporaryDirectory } from "./workspace.js";

/**
 * Runs tasks in the bot's own process (`runner: local`): each in a fresh workspace made from the
 * base archive, at most `maxTasks` at once, and only commands the operator allowed.
 */
export class LocalTaskRunner implements TaskRunner {
  private readonly queue: TaskQueue;
  private readonly limits: RunnerLimits;
  private readonly killGraceMs: number;
  private readonly sandbox: SandboxGate;

  constructor(private readonly options: LocalTaskRunnerOptions) {
    this.queue = new TaskQueue(options.maxTasks, options.maxTasksPerRepo ?? 1);
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.sandbox = new SandboxGate(options);
  }

  /** Rejects with the signal's reason when `ctx.signal` aborts, waiting or running. */
  async run(task: TaskSpec, ctx: TaskRunnerContext): Promise<TaskRunResult> {
    const refusal = localRunnerRefusal(task.config, this.options.allowedCommands);
    if (refusal !== null) return { kind: "refused", message: refusal };
    const admitted = await this.admit(task);
    if (typeof admitted === "string") return { kind: "refused", message: admitted };
    return this.queue.run(() => this.start(task, ctx, admitted), ctx.signal, task.repoFullName);
  }

  /**
   * Runs a task taken from the shared queue (`REDIS_URL`): the queue already holds this replica's
   * and the repository's limits, so it starts at once.
   */
  async runNow(task: TaskSpec, ctx: TaskRunnerContext): Promise<TaskRunResult> {
    const admitted = await this.admit(task);
    if (typeof admitted === "string") return { kind: "refused", message: admitted };
    return this.start(task, ctx, admitted);
  }

  /** The refusal to show, or the sandbox the task's commands run in. */
  private async admit(task: TaskSpec): Promise<string | RunnerSandbox> {
    return localRunnerRefusal(task.config, this.options.allowedCommands) ?? (await this.sandbox.admit(task.config));
  }

  private async start(task: TaskSpec, ctx: TaskRunnerContext, sandbox: RunnerSandbox): Promise<TaskRunResult> {
    const logger = this.taskLogger(task);
    await ctx.started?.();
    return withTemporaryDirectory(this.options.workdir, "factory-", logger, (workspace) =>
      this.runInWorkspace(workspace, task, ctx, logger, sandbox),
    );
  }

  private taskLogger(task: TaskSpec): Logger {
    return this.options.logger.child({ repo: task.repoFullName, issue: task.issue.number, attempt: task.attempt });
  }

  private async runInWorkspace(
    workspace: string,
    task: TaskSpec,
    ctx: TaskRunnerContext,
    logger: Logger,
    sandbox: RunnerSandbox,
  ): Promise<TaskRunResult> {
    const { env, clock, agentEnvNames, workdir } = this.options;
    const archive = await ctx.downloadArchive(task.baseSha);
    const baseManifest = await extractArchive(archive, workspace, this.limits, ctx.signal);
    ctx.signal?.throwIfAborted();
    const processOptions = { logger, clock, killGraceMs: this.killGraceMs, signal: ctx.signal };
    await initBaseRepository(workspace, {
      ...processOptions,
      baseSha: task.baseSha,
      baseBranch: task.base,
      serverEnv: env,
    });
    return runTaskInDirectory(workspace, task, {
      ...processOptions,
      baseManifest,
      serverEnv: env,
      agentEnvNames,
      tempDir: workdir,
      limits: this.limits,
      sandbox,
      onProgress: async (step) => {
        // A progress comment that cannot be edited must not stop the agent's work.
        await ctx
          .progress?.(step)
          .catch((err: unknown) => logger.warn({ err }, "could not show the iteration's progress"));
      },
      tracing: this.options.tracing,
    });
  }
}
