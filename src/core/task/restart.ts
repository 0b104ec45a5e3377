import type { FactoryConfig } from "../../config/types.js";
import type { CommandEvent } from "../events.js";
import { MARKERS } from "../markers.js";
import type { IssueRef } from "../task-runner.js";
import type { TaskState } from "../task-state.js";
import { runTask, type RunTaskDeps } from "./execute.js";
import { issueForRerun, rememberDelivery, TaskProgress, type TaskRecord } from "./record.js";

/**
 * Runs an issue's task again for a command (`/factory retry`, `/factory approve`, `/factory plan`):
 * the task comment is continued (or made), the command's delivery remembered so a redelivery
 * starts nothing, and `patch` applied to the state first.
 */
export async function restartTask(
  event: CommandEvent,
  deps: RunTaskDeps,
  input: {
    config: FactoryConfig;
    issue: number;
    found: TaskRecord | null;
    patch?: Partial<TaskState>;
    mode?: "plan" | "implement";
  },
): Promise<void> {
  const { forge, clock } = deps;
  const { issue, found } = input;
  const issueRef: IssueRef = event.issue ?? (await issueForRerun(forge, issue, found?.state));
  const state: TaskState = {
    ...found?.state,
    ...input.patch,
    phase: "queued",
    issue,
    attempt: 1,
    updatedAt: clock.now().toISOString(),
    deliveryId: event.deliveryId,
    deliveries: rememberDelivery(found?.state ?? null, event.deliveryId),
    stopped: false,
  };
  const progress = found
    ? new TaskProgress(forge, issue, found.comment.id, state, clock)
    : new TaskProgress(
        forge,
        issue,
        (await forge.createComment({ kind: "issue", number: issue }, MARKERS.task)).id,
        state,
        clock,
      );
  await progress.show({ phase: "queued" });
  await runTask(
    { config: input.config, issue: issueRef, progress, attempt: 1, branch: found?.state?.branch, mode: input.mode },
    deps,
  );
}
