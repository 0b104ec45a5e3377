import type { FactoryConfig } from "../../config/types.js";
import type { CommandEvent, PlanCommandName } from "../events.js";
import { isActive } from "../task-state.js";
import type { RunTaskDeps } from "../task/execute.js";
import { decideApproval, planRequired, withRequest } from "../task/plan.js";
import { findTaskRecord } from "../task/record.js";
import { restartTask } from "../task/restart.js";

type Reply = (event: CommandEvent, deps: RunTaskDeps, text: string) => Promise<void>;

/**
 * `/factory approve [<plan id>]` and `/factory plan <text>` (docs/plans.md), from someone the
 * command handler already found to have `trigger.min_permission`, not redelivered.
 */
export async function handlePlanCommand(
  event: CommandEvent & { command: PlanCommandName },
  deps: RunTaskDeps,
  context: { config: FactoryConfig; issueNumber: number; reply: Reply },
): Promise<void> {
  const { config, issueNumber, reply } = context;
  if (!planRequired(config))
    return reply(
      event,
      deps,
      "this repository does not ask for plans (`plan.required` is off in its factory config), so there is no plan " +
        "to approve or redo: the agent makes the change when the trigger label is added.",
    );
  const found = await findTaskRecord(deps.forge, issueNumber);
  if (event.command === "approve") {
    const decision = decideApproval(found?.state ?? null, {
      user: event.actor.login,
      commentId: event.commentId,
      writtenAt: event.writtenAt,
      argument: event.argument ?? "",
    });
    if (decision.kind === "ignore") return;
    if (decision.kind === "refuse") return reply(event, deps, `nothing was started: ${decision.message}`);
    const plan = found!.state!.plan!;
    const approved = {
      sha: decision.sha,
      by: event.actor.login,
      at: deps.clock.now().toISOString(),
      commentId: event.commentId,
    };
    deps.logger.info({ plan: decision.sha.slice(0, 12), by: event.actor.login }, "plan approved");
    return restartTask(event, deps, {
      config,
      issue: issueNumber,
      found,
      patch: { plan: { ...plan, approved } },
      mode: "implement",
    });
  }
  const text = event.argument ?? "";
  if (text.trim() === "")
    return reply(event, deps, "say what the new plan should change: `/factory plan <what to change>`.");
  if (found?.state && isActive(found.state.phase))
    return reply(event, deps, "a run is in progress for this issue; ask again when it has finished.");
  const plan = withRequest(found?.state?.plan, {
    author: event.actor.login,
    text,
    at: deps.clock.now().toISOString(),
  });
  return restartTask(event, deps, { config, issue: issueNumber, found, patch: { plan }, mode: "plan" });
}
