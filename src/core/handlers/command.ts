import type { FactoryConfig } from "../../config/types.js";
import type { TaskCancellation } from "../cancellation.js";
import type { Clock, Logger } from "../deps.js";
import type { CommandEvent } from "../events.js";
import type { Forge } from "../forge.js";
import { isOwnStatus, MARKERS } from "../markers.js";
import { ensureStickyComment, markedComments } from "../sticky-comment.js";
import type { TaskRunner } from "../task-runner.js";
import { isActive } from "../task-state.js";
import { factoryIssueOf, followUpFactoryChange } from "../task/fix-loop.js";
import { findTaskRecord, markIfInterrupted, TaskProgress } from "../task/record.js";
import { restartTask } from "../task/restart.js";
import { handlePlanCommand } from "./plan-command.js";
import { meetsPermission } from "./issue-labeled.js";
import { fixWithReviewRound } from "../review/command.js";

export interface CommandDeps {
  forge: Forge;
  runner: TaskRunner;
  logger: Logger;
  clock: Clock;
  cancellation?: TaskCancellation;
}

const HELP =
  "`/factory retry` (run the task again), `/factory fix` (one more fix attempt on this PR), `/factory stop` " +
  "(stop the task and the fix loop), `/factory approve` and `/factory plan <text>` (with `plan.required`: approve " +
  "the plan shown, or plan again)";

/** `/factory retry | fix | stop` from someone with `trigger.min_permission`. */
export async function handleCommand(event: CommandEvent, deps: CommandDeps): Promise<void> {
  const { forge } = deps;
  const loaded = await forge.loadConfig();
  if (loaded.status !== "ok")
    return reply(
      event,
      deps,
      `factory-bot cannot act on commands here: ` +
        `${loaded.status === "missing" ? "this repository has no factory config" : "its factory config has problems (see the `factory/config` status)"}.`,
    );
  const config = loaded.config;
  const has = await forge.getPermission(event.actor.login);
  if (!meetsPermission(has, config.trigger.min_permission)) {
    const { permissionName } = forge.words;
    return reply(
      event,
      deps,
      `Only people with **${permissionName(config.trigger.min_permission)}** permission or higher can use ` +
        `\`/factory\` commands here (you have **${permissionName(has)}**).`,
    );
  }
  await forge.acknowledgeComment(event.target, event.commentId, event.source);
  if (typeof event.command === "object")
    return reply(event, deps, `I don't know \`/factory ${event.command.unknown}\`. I understand ${HELP}.`);
  const issueNumber = await issueOf(event, deps);
  if (issueNumber === null)
    return reply(
      event,
      deps,
      `This ${forge.words.changeRequest} was not opened by factory-bot, so there is no task to ${event.command}.`,
    );
  await markIfInterrupted(forge, issueNumber, config, deps.clock);
  // A redelivered command (GitHub redelivery, a queue's second delivery) must not run twice.
  if ((await findTaskRecord(forge, issueNumber))?.state?.deliveries?.includes(event.deliveryId)) return;
  if (event.command === "retry") return retry(event, deps, config, issueNumber);
  if (event.command === "stop") return stop(event, deps, issueNumber);
  if (event.command === "approve" || event.command === "plan")
    return handlePlanCommand({ ...event, command: event.command }, deps, { config, issueNumber, reply });
  return fix(event, deps, config);
}

async function issueOf(event: CommandEvent, deps: CommandDeps): Promise<number | null> {
  if (event.target.kind === "issue") return event.target.number;
  const cr = await deps.forge.getChangeRequest(event.target.number);
  return cr ? factoryIssueOf(deps.forge, cr) : null;
}

async function retry(event: CommandEvent, deps: CommandDeps, config: FactoryConfig, issue: number): Promise<void> {
  const { forge } = deps;
  const found = await findTaskRecord(forge, issue);
  if (found?.state && isActive(found.state.phase))
    return reply(event, deps, "A task is already running for this issue; `/factory stop` stops it.");
  await restartTask(event, deps, { config, issue, found });
}

async function stop(event: CommandEvent, deps: CommandDeps, issue: number): Promise<void> {
  const { forge, clock } = deps;
  const who = `@${event.actor.login} ran \`/factory stop\``;
  deps.cancellation?.cancel(`${forge.repo.fullName}#${issue}`, who);
  const found = await findTaskRecord(forge, issue);
  if (found?.state && isActive(found.state.phase)) {
    const progress = new TaskProgress(forge, issue, found.comment.id, found.state, clock);
    await progress.show(
      {
        phase: "failed",
        failure: {
          kind: "refused",
          message: `${who}; nothing more will be pushed. Comment \`/factory retry\` to run it again.`,
        },
      },
      { stopped: true },
    );
  }
  const pr = event.target.kind === "change" ? event.target.number : found?.state?.changeRequest;
  if (pr !== undefined) {
    await ensureStickyComment(
      forge,
      { kind: "change", number: pr },
      "fixStopped",
      `${MARKERS.fixStopped}\n⏹️ ${who}: no more fix attempts on this ${forge.words.changeRequest}. ` +
        `\`/factory fix\` still makes one.`,
    );
  }
}

async function fix(event: CommandEvent, deps: CommandDeps, config: FactoryConfig): Promise<void> {
  const { forge } = deps;
  if (event.target.kind !== "change")
    return reply(event, deps, `\`/factory fix\` works on the task's ${forge.words.changeRequest}; comment it there.`);
  const cr = await forge.getChangeRequest(event.target.number);
  if (!cr || cr.state !== "open") return reply(event, deps, `This ${forge.words.changeRequest} is not open.`);
  const review = await fixWithReviewRound(
    { config, changeRequest: cr, deliveryId: event.deliveryId, triggerId: `comment:${event.commentId}` },
    deps,
  );
  if (review.handled) return review.reply === null ? undefined : reply(event, deps, review.reply);
  const jobs = await forge.listCiJobs(cr.headSha);
  if (!jobs.some((j) => j.state === "failure" && !isOwnStatus(j.name)))
    return reply(
      event,
      deps,
      `CI is not failing on the head of this ${forge.words.changeRequest}, so there is nothing to fix yet.`,
    );
  const summary = (await markedComments(forge, { kind: "change", number: cr.number }, "ciSummary"))[0]?.body ?? "";
  await followUpFactoryChange(
    { config, changeRequest: cr, jobs, failureSummary: summary, forced: true, deliveryId: event.deliveryId },
    deps,
  );
}

async function reply(event: CommandEvent, deps: CommandDeps, text: string): Promise<void> {
  await deps.forge.createComment(event.target, `@${event.actor.login} ${text}`);
}
