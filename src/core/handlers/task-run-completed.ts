import type { Clock, Logger } from "../deps.js";
import type { FactoryConfig } from "../../config/types.js";
import { ForgeError } from "../errors.js";
import { checkChangeSet } from "../changeset-check.js";
import type { TaskRunCompletedEvent } from "../events.js";
import type { Forge } from "../forge.js";
import { findTaskRecord, TaskProgress } from "../task/record.js";
import { publishChangeSet, settleHeadStatus } from "../task/publish.js";
import type { ChangeSet } from "../changeset.js";
import { isActive, type TaskState } from "../task-state.js";
import { summarizeFailedJobs } from "../ci-excerpts.js";
import { showAgentFailed, showPlan } from "../task/plan-run.js";

export interface TaskRunCompletedDeps {
  forge: Forge;
  logger: Logger;
  clock: Clock;
}

/**
 * A task run on the repository's CI finished: check its `changeset.json` and publish it exactly
 * as a local run would, or say on the issue why nothing was pushed. Only the run the progress
 * comment is waiting for counts, so a redelivered or foreign run changes nothing.
 */
export async function handleTaskRunCompleted(event: TaskRunCompletedEvent, deps: TaskRunCompletedDeps): Promise<void> {
  const { forge, logger } = deps;
  const loaded = await forge.loadConfig();
  if (loaded.status !== "ok")
    return logger.warn({ status: loaded.status }, "task run finished but the config is not usable; ignored");
  const config = loaded.config;
  if (event.workflowPath !== undefined && !event.workflowPath.endsWith(`/${config.runner_workflow}`)) return;
  const record = await findTaskRecord(forge, event.issueNumber);
  const state = record?.state;
  if (
    !record ||
    !state ||
    !isActive(state.phase) ||
    state.runner !== config.runner ||
    state.attempt !== event.attempt ||
    !state.branch
  ) {
    return logger.info({ issue: event.issueNumber }, "no task is waiting for this run; ignored");
  }
  const progress = new TaskProgress(
    forge,
    event.issueNumber,
    record.comment.id,
    { ...state, deliveryId: event.deliveryId },
    deps.clock,
  );
  try {
    await publishRun(event, deps, config, state as TaskState & { branch: string }, progress);
  } catch (err) {
    // Whatever failed, the comment must not stay "running": say so, and how to retry.
    logger.error({ err }, "publishing the task run failed");
    const message = err instanceof Error ? err.message : String(err);
    await progress.show({
      phase: "failed",
      failure: { kind: err instanceof ForgeError ? "forge-error" : "internal", message },
    });
  }
}

async function publishRun(
  event: TaskRunCompletedEvent,
  deps: TaskRunCompletedDeps,
  config: FactoryConfig,
  state: TaskState & { branch: string },
  progress: TaskProgress,
): Promise<void> {
  const { forge, logger } = deps;
  // A re-run set `factory/task` pending on the PR head; whatever happens now settles it.
  const head = state.changeRequest !== undefined ? await forge.getBranchSha(state.branch) : null;
  const settle = async (changeSet: ChangeSet | null) => {
    if (head) await settleHeadStatus(forge, head, changeSet);
  };
  if (state.stopped) {
    await progress.show({
      phase: "failed",
      failure: {
        kind: "refused",
        message: "the task was stopped with `/factory stop`; its CI run's result was not used.",
      },
    });
    return settle(null);
  }
  if (!event.succeeded) {
    const excerpt = await summarizeFailedJobs(await forge.listTaskRunJobs(event.runId), config.ci.max_lines, logger);
    await progress.show({
      phase: "failed",
      failure: { kind: "ci-run-failed", url: event.url, excerpt: excerpt.flatMap((g) => g.excerpt) },
    });
    return settle(null);
  }
  const text = await forge.downloadTaskChangeSet(event.runId);
  const checked =
    text === null
      ? { ok: false as const, problem: "the run uploaded no `changeset.json` artifact" }
      : checkChangeSet(text);
  if (!checked.ok) {
    await progress.show({
      phase: "failed",
      failure: { kind: "bad-artifact", url: event.url, problem: checked.problem },
    });
    return settle(null);
  }
  const { changeSet } = checked;
  if (state.mode === "plan") return publishPlan(changeSet, config, progress);
  if (changeSet.agent && (changeSet.agent.exit_code !== 0 || changeSet.agent.timed_out)) {
    const agent = {
      exitCode: changeSet.agent.exit_code,
      signal: null,
      timedOut: changeSet.agent.timed_out,
      durationMs: changeSet.agent.duration_ms,
      outputTail: changeSet.agent.output_tail,
    };
    await progress.show({
      phase: "failed",
      failure: {
        kind: "agent-failed",
        agent,
        timeoutSeconds: config.agent.timeout_seconds,
        ...(changeSet.iterations?.stopped === "out-of-time"
          ? { outOfTime: { maxMinutes: changeSet.iterations.max_minutes } }
          : {}),
      },
    });
    return settle(null);
  }
  const base = config.pull_request.base ?? (await forge.getDefaultBranch());
  const issue = { number: event.issueNumber, title: state.title ?? "", body: "", url: state.url ?? "" };
  const outcome = await publishChangeSet({
    forge,
    config,
    issue,
    branch: state.branch,
    base,
    attempt: event.attempt,
    changeSet,
    progress,
    logger,
  });
  if (outcome !== "published") await settle(changeSet);
}

/** A plan run's artifact carries the plan (`factory-bot task --mode plan`); nothing in it is pushed. */
async function publishPlan(changeSet: ChangeSet, config: FactoryConfig, progress: TaskProgress): Promise<void> {
  const agent = changeSet.agent;
  if (agent && (agent.exit_code !== 0 || agent.timed_out)) {
    return showAgentFailed(progress, config, {
      exitCode: agent.exit_code,
      signal: null,
      timedOut: agent.timed_out,
      durationMs: agent.duration_ms,
      outputTail: agent.output_tail,
    });
  }
  return showPlan(progress, config, changeSet.plan ?? "");
}
