import type { FactoryConfig } from "../../config/types.js";
import type { TaskCancellation } from "../cancellation.js";
import type { Clock, Logger } from "../deps.js";
import type { ChangeRequest, Forge, ReviewThread } from "../forge.js";
import { isOwnStatus, reviewReplyMarker } from "../markers.js";
import { buildReviewFile, buildReviewReply } from "../messages/review.js";
import { markedComments } from "../sticky-comment.js";
import type { TaskRunner } from "../task-runner.js";
import { isActive } from "../task-state.js";
import { runTask, type RunTaskOutcome } from "../task/execute.js";
import { factoryIssueOf } from "../task/fix-loop.js";
import { findTaskRecord, issueForRerun, rememberDelivery, TaskProgress } from "../task/record.js";
import { attemptOf, isBotCommit, reviewRoundsMade } from "../task/trailers.js";

export interface ReviewRoundDeps {
  forge: Forge;
  runner: TaskRunner;
  logger: Logger;
  clock: Clock;
  cancellation?: TaskCancellation;
}

export interface ReviewRoundInput {
  config: FactoryConfig;
  changeRequest: ChangeRequest;
  deliveryId: string;
  /**
   * What asked for the round (`review:ID`, `comment:ID`): remembered with the delivery, so the same
   * review or comment delivered again under another delivery id starts nothing either.
   */
  triggerId: string;
  /** The unresolved threads, when the caller already listed them. */
  threads?: ReviewThread[];
  /** The submitted review's own text (a review's body is feedback too). */
  reviewBody?: { author: string; body: string };
}

/** Why no round started; `started` when one ran (whatever it pushed). */
export type ReviewRoundResult =
  | { kind: "started"; round: number; outcome: RunTaskOutcome }
  | { kind: "not-factory" | "off" | "person-pushed" | "busy" | "redelivery" | "nothing-to-answer" }
  | { kind: "exhausted"; made: number }
  | { kind: "ci-runner" };

/**
 * One review round on a factory change request (docs/review-rounds.md): checks that rounds are left
 * (the branch's `Factory-Review-Round` trailers) and the bot owns the head, claims the task record,
 * runs the agent on the branch head with the threads, and answers every thread once.
 */
export async function runReviewRound(input: ReviewRoundInput, deps: ReviewRoundDeps): Promise<ReviewRoundResult> {
  const { forge, logger } = deps;
  const { config, changeRequest: cr } = input;
  const issue = factoryIssueOf(forge, cr);
  if (issue === null || cr.state !== "open") return { kind: "not-factory" };
  if (config.review.max_rounds === 0) return { kind: "off" };
  // Tasks on the repository's CI take no review file yet (docs/review-rounds.md, "Limits").
  if (config.runner !== "local") return { kind: "ci-runner" };
  const commits = await forge.listChangeRequestCommits(cr.number);
  const head = commits.find((c) => c.sha === cr.headSha);
  // As in the fix loop: a person's push after the bot's last commit hands the branch to people.
  if (!head || !isBotCommit(head.message)) return { kind: "person-pushed" };
  const made = reviewRoundsMade(commits.map((c) => c.message));
  if (made >= config.review.max_rounds) return { kind: "exhausted", made };
  const threads = input.threads ?? (await forge.listReviewThreads(cr.number));
  const ciFailure = await failingCiSummary(forge, cr);
  if (threads.length === 0 && ciFailure === null && !input.reviewBody?.body.trim())
    return { kind: "nothing-to-answer" };
  const record = await findTaskRecord(forge, issue);
  const state = record?.state;
  if (!record || !state || isActive(state.phase)) return { kind: "busy" };
  const seen = [state.deliveryId, ...(state.deliveries ?? [])];
  if (seen.includes(input.deliveryId) || seen.includes(input.triggerId)) return { kind: "redelivery" };
  const round = made + 1;
  const progress = new TaskProgress(
    forge,
    issue,
    record.comment.id,
    {
      ...state,
      stopped: false,
      deliveries: rememberDelivery(
        { ...state, deliveries: rememberDelivery(state, input.triggerId) },
        input.deliveryId,
      ),
    },
    deps.clock,
  );
  // The claim: the task comment leaves its finished phase before the agent runs, so a racing delivery sees it busy.
  await progress.show({ phase: "queued" });
  const markdown = buildReviewFile({
    round,
    maxRounds: config.review.max_rounds,
    changeRequest: cr.number,
    threads,
    reviewBody: input.reviewBody,
    ciFailure,
    words: forge.words,
  });
  logger.info({ pr: cr.number, round, threads: threads.length }, "review round started");
  const outcome = await runTask(
    {
      config,
      issue: await issueForRerun(forge, issue, state),
      progress,
      attempt: attemptOf(head.message) ?? state.attempt,
      branch: cr.headBranch,
      review: { round, markdown },
    },
    deps,
  );
  await answerThreads(forge, cr.number, threads, round, outcome);
  return { kind: "started", round, outcome };
}

async function failingCiSummary(forge: Forge, cr: ChangeRequest): Promise<string | null> {
  const jobs = await forge.listCiJobs(cr.headSha);
  if (!jobs.some((j) => j.state === "failure" && !isOwnStatus(j.name))) return null;
  const summary = (await markedComments(forge, { kind: "change", number: cr.number }, "ciSummary"))[0]?.body;
  return (
    summary ??
    `CI fails on ${cr.headSha}: ${jobs
      .filter((j) => j.state === "failure")
      .map((j) => j.name)
      .join(", ")}`
  );
}

/** One reply per thread and round (found by its marker first), then resolves what a commit addressed. */
async function answerThreads(
  forge: Forge,
  number: number,
  threads: ReviewThread[],
  round: number,
  outcome: RunTaskOutcome,
): Promise<void> {
  const body = buildReviewReply({ round, commitSha: outcome.commitSha, summary: outcome.summary });
  const marker = reviewReplyMarker(round);
  for (const thread of threads) {
    if (!thread.comments.some((c) => c.author === forge.botLogin && c.body.includes(marker)))
      await forge.replyToReviewThread(number, thread.id, body);
    if (outcome.commitSha !== null) await forge.resolveReviewThread?.(number, thread.id);
  }
}
