import type { FactoryConfig } from "../../config/types.js";
import type { Clock, Logger } from "../deps.js";
import type { TaskCancellation } from "../cancellation.js";
import type { ChangeRequest, CiJob, Forge, ForgeWording } from "../forge.js";
import { decodeState, isOwnStatus, MARKERS } from "../markers.js";
import { ensureStickyComment, markedComments } from "../sticky-comment.js";
import type { TaskRunner } from "../task-runner.js";
import { isActive } from "../task-state.js";
import { findTaskRecord, issueForRerun, markIfInterrupted, rememberDelivery, TaskProgress } from "./record.js";
import { runTask } from "./execute.js";
import { attemptOf } from "./trailers.js";

export interface FollowUpDeps {
  forge: Forge;
  runner?: TaskRunner;
  logger: Logger;
  clock: Clock;
  cancellation?: TaskCancellation;
}

export interface FollowUpInput {
  config: FactoryConfig;
  changeRequest: ChangeRequest;
  /** Every job on the head, the bot's own statuses included. */
  jobs: CiJob[];
  /** The CI summary comment's text, handed to the agent on a fix attempt. */
  failureSummary: string;
  /** `/factory fix`: one attempt beyond the budget, even on a head already tried. */
  forced?: boolean;
  /** The command's delivery, remembered so a redelivery does not run it again. */
  deliveryId?: string;
}

/** The issue of a PR the bot opened for a task, or null for anyone else's PR. */
export function factoryIssueOf(forge: Forge, cr: ChangeRequest): number | null {
  const issue = cr.author === forge.botLogin ? decodeState<{ issue?: unknown }>(cr.body)?.issue : undefined;
  return typeof issue === "number" ? issue : null;
}

/**
 * After all checks on a factory PR's head finished: mark it ready when everything passed, or
 * run a fix attempt while the budget lasts, then hand it to a person once. Attempts are counted
 * from the head commit's trailer, so restarts and replicas agree.
 */
export async function followUpFactoryChange(input: FollowUpInput, deps: FollowUpDeps): Promise<void> {
  const { forge, logger } = deps;
  const { config, changeRequest: cr, jobs } = input;
  const issue = factoryIssueOf(forge, cr);
  if (issue === null) return;
  await markIfInterrupted(forge, issue, config, deps.clock);
  if (jobs.some((j) => j.state === "pending")) return;
  const ciFailures = jobs.filter((j) => j.state === "failure" && !isOwnStatus(j.name));
  if (jobs.every((j) => j.state !== "failure")) {
    if (cr.draft && config.pull_request.ready_when_green && jobs.length > 0) await forge.markReadyForReview(cr.number);
    return;
  }
  if (ciFailures.length === 0) return;
  const target = { kind: "change", number: cr.number } as const;
  const attempt = attemptOf(await forge.getCommitMessage(cr.headSha));
  if (attempt === null) return logger.info({ pr: cr.number }, "a person pushed to the branch; no more fix attempts");
  if (!input.forced && (await markedComments(forge, target, "fixStopped")).length > 0) return;
  const made = attempt - 1;
  if (!input.forced && made >= config.ci.fix_attempts) {
    if (config.ci.fix_attempts > 0)
      await ensureStickyComment(forge, target, "handover", handoverText(made, forge.words));
    return;
  }
  if (!input.forced && (await failsOnBaseToo(forge, cr, ciFailures))) {
    await ensureStickyComment(forge, target, "baseAlsoFails", baseAlsoFailsText(cr.baseBranch, ciFailures));
    return;
  }
  await startFixAttempt(input, deps, issue, attempt + 1);
}

async function failsOnBaseToo(forge: Forge, cr: ChangeRequest, failures: CiJob[]): Promise<boolean> {
  const baseSha = await forge.getBranchSha(cr.baseBranch);
  if (!baseSha) return false;
  const failingOnBase = new Set(
    (await forge.listCiJobs(baseSha)).filter((j) => j.state === "failure").map((j) => j.name),
  );
  return failures.every((j) => failingOnBase.has(j.name));
}

async function startFixAttempt(
  input: FollowUpInput,
  deps: FollowUpDeps,
  issue: number,
  attempt: number,
): Promise<void> {
  const { forge, clock, logger } = deps;
  const record = await findTaskRecord(forge, issue);
  const state = record?.state;
  if (!record || !state) return logger.warn({ issue }, "factory PR without a task comment; no fix attempt");
  if (isActive(state.phase)) return;
  if (!input.forced && state.fixedHead === input.changeRequest.headSha) {
    // The attempt on this head pushed nothing (agent failed, no change): the loop cannot go on.
    await ensureStickyComment(
      forge,
      { kind: "change", number: input.changeRequest.number },
      "handover",
      handoverText(null, forge.words),
    );
    return;
  }
  const deliveries = input.deliveryId ? rememberDelivery(state, input.deliveryId) : state.deliveries;
  const progress = new TaskProgress(
    forge,
    issue,
    record.comment.id,
    { ...state, attempt, fixedHead: input.changeRequest.headSha, stopped: false, deliveries },
    clock,
  );
  const runner = deps.runner ?? {
    run: async () => ({
      kind: "refused" as const,
      message: "this deployment cannot run the agent itself; use `runner: actions` or `runner: gitlab-ci`.",
    }),
  };
  await runTask(
    {
      config: input.config,
      issue: await issueForRerun(forge, issue, state),
      progress,
      attempt,
      failureSummary: input.failureSummary,
      branch: input.changeRequest.headBranch,
    },
    { forge, runner, logger, clock, cancellation: deps.cancellation },
  );
}

/** `made` fix attempts used up the budget; null: the last attempt pushed nothing, so the loop stops. */
function handoverText(made: number | null, words: ForgeWording): string {
  const why =
    made === null
      ? "factory-bot's last fix attempt on this commit pushed nothing (see the issue's task comment) and CI still fails"
      : `factory-bot made ${made} fix attempt${made === 1 ? "" : "s"} (\`ci.fix_attempts\`) and CI still fails`;
  return (
    `${MARKERS.handover}\n🙋 ${why}, so this ${words.changeRequest} is yours now: the CI summary above shows ` +
    `what fails. ` +
    "Comment `/factory fix` for one more attempt."
  );
}

function baseAlsoFailsText(base: string, failures: CiJob[]): string {
  const names = failures.map((j) => `\`${j.name}\``).join(", ");
  return (
    `${MARKERS.baseAlsoFails}\nℹ️ ${names} also fail${failures.length === 1 ? "s" : ""} on \`${base}\`, so ` +
    `factory-bot did not spend a fix attempt on ` +
    "a failure this change did not cause. Comment `/factory fix` to try anyway."
  );
}
