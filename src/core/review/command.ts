import type { FactoryConfig } from "../../config/types.js";
import type { ChangeRequest, ForgeWording } from "../forge.js";
import { runReviewRound, type ReviewRoundDeps, type ReviewRoundResult } from "./round.js";

/**
 * `/factory fix` on a change request with unresolved review threads runs a review round; without
 * threads it keeps its fix-loop meaning (the caller's). Returns the reply for the commenter, or
 * null when the threads' own replies say it all, or when there are no threads (`handled: false`).
 */
export async function fixWithReviewRound(
  input: { config: FactoryConfig; changeRequest: ChangeRequest; deliveryId: string; triggerId: string },
  deps: ReviewRoundDeps,
): Promise<{ handled: boolean; reply: string | null }> {
  const threads = await deps.forge.listReviewThreads(input.changeRequest.number);
  if (threads.length === 0) return { handled: false, reply: null };
  const result = await runReviewRound({ ...input, threads }, deps);
  return { handled: true, reply: replyFor(result, input.config, deps.forge.words) };
}

function replyFor(result: ReviewRoundResult, config: FactoryConfig, words: ForgeWording): string | null {
  switch (result.kind) {
    case "started":
    case "redelivery":
    case "nothing-to-answer":
      return null;
    case "not-factory":
      return `This ${words.changeRequest} is not an open factory-bot ${words.changeRequest}.`;
    case "off":
      return "Review rounds are off here (`review.max_rounds: 0` in the factory config).";
    case "exhausted":
      return (
        `factory-bot already made ${result.made} review round${result.made === 1 ? "" : "s"} on this ` +
        `${words.changeRequest} (\`review.max_rounds\` is ${config.review.max_rounds}), so it is yours now. ` +
        "Raise `review.max_rounds` in the factory config for more."
      );
    case "person-pushed":
      return (
        `Someone pushed to this ${words.changeRequest}'s branch after factory-bot's last commit, so factory-bot ` +
        "no longer changes it: the branch is yours."
      );
    case "busy":
      return "A run is already in progress for this task; comment again when it has finished.";
    case "ci-runner":
      return (
        `Review rounds run on the bot's local runner only for now (this repository has \`runner: ${config.runner}\`); ` +
        "see docs/review-rounds.md."
      );
  }
}
