import type { FactoryConfig } from "../../config/types.js";
import type { Clock } from "../deps.js";
import type { Forge } from "../forge.js";
import { decodeState } from "../markers.js";
import { markedComments } from "../sticky-comment.js";
import { isActive, type TaskState } from "../task-state.js";
import { TaskProgress } from "./progress.js";
import { TASK_STATUS_CONTEXT } from "./publish.js";

/** How long past the agent's own timeout an active task may stay silent before it counts as lost. */
export const INTERRUPTED_GRACE_MS = 10 * 60 * 1000;

/**
 * The longest a task can take: each of its runs the agent, then every test, each up to its
 * timeout; all of them together within `agent.max_minutes` (docs/iterations.md).
 */
export function longestRunMs(config: FactoryConfig): number {
  const tests = config.tests.reduce((sum, test) => sum + test.timeout_seconds, 0);
  const oneRun = (config.agent.timeout_seconds + tests) * 1000;
  return Math.min(oneRun * config.agent.max_iterations, config.agent.max_minutes * 60_000);
}

export function isInterrupted(state: TaskState, config: FactoryConfig, now: Date): boolean {
  const limit = longestRunMs(config) + INTERRUPTED_GRACE_MS;
  return isActive(state.phase) && now.getTime() - Date.parse(state.updatedAt) > limit;
}

/**
 * A task still "running" long after it could have (a restart, a lost CI run) is marked failed
 * with a retry hint, and its pending `factory/task` status resolved. True when it was.
 */
export async function markIfInterrupted(
  forge: Forge,
  issue: number,
  config: FactoryConfig,
  clock: Clock,
): Promise<boolean> {
  const comment = (await markedComments(forge, { kind: "issue", number: issue }, "task"))[0];
  const state = comment ? decodeState<TaskState>(comment.body) : null;
  if (!comment || !state || !isInterrupted(state, config, clock.now())) return false;
  const progress = new TaskProgress(forge, issue, comment.id, state, clock);
  await progress.show({
    phase: "failed",
    failure: {
      kind: "refused",
      message:
        "it was interrupted (the server restarted or its CI run was lost) and never finished. Comment `/factory retry` to run it again.",
    },
  });
  const head = state.branch ? await forge.getBranchSha(state.branch) : null;
  if (head && state.changeRequest !== undefined) {
    await forge.setCommitStatus(head, {
      context: TASK_STATUS_CONTEXT,
      state: "error",
      description: "Interrupted; comment /factory retry to run it again",
    });
  }
  return true;
}
