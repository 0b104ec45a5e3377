import type { TaskCancellation } from "../cancellation.js";
import type { Clock, Logger } from "../deps.js";
import type { Forge } from "../forge.js";
import { decodeState } from "../markers.js";
import { markedComments } from "../sticky-comment.js";
import type { TaskRunner, TaskSpec } from "../task-runner.js";
import { isActive, type TaskState } from "../task-state.js";
import { TaskProgress } from "../task/record.js";
import { resumeQueuedTask } from "../task/execute.js";

export interface QueuedTaskDeps {
  forge: Forge;
  /** Runs the task here and now: the shared queue already holds the limits. */
  runner: TaskRunner;
  logger: Logger;
  clock: Clock;
  cancellation?: TaskCancellation;
}

/**
 * A replica took a task from the shared queue (`REDIS_URL`), maybe after the replica that
 * queued it died: run it when the progress comment still waits for this very run, else it was
 * stopped, finished or replaced meanwhile and nothing happens.
 */
export async function handleQueuedTask(task: TaskSpec, deps: QueuedTaskDeps): Promise<void> {
  const { forge, logger } = deps;
  const comment = (await markedComments(forge, { kind: "issue", number: task.issue.number }, "task"))[0];
  const state = comment ? decodeState<TaskState>(comment.body) : null;
  if (
    !comment ||
    !state ||
    !isActive(state.phase) ||
    state.stopped ||
    state.attempt !== task.attempt ||
    state.branch !== task.branch
  ) {
    return logger.info({ issue: task.issue.number, phase: state?.phase }, "queued task no longer wanted; skipped");
  }
  const progress = new TaskProgress(forge, task.issue.number, comment.id, state, deps.clock);
  await resumeQueuedTask(task, progress, deps);
}
