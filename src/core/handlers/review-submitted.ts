import type { TaskCancellation } from "../cancellation.js";
import type { Clock, Logger } from "../deps.js";
import type { ReviewSubmittedEvent } from "../events.js";
import type { Forge } from "../forge.js";
import { runReviewRound } from "../review/round.js";
import type { TaskRunner } from "../task-runner.js";
import { meetsPermission } from "./issue-labeled.js";

export interface ReviewSubmittedDeps {
  forge: Forge;
  runner: TaskRunner;
  logger: Logger;
  clock: Clock;
  cancellation?: TaskCancellation;
}

/**
 * A review requesting changes on a factory PR starts a review round (docs/review-rounds.md). Reviews
 * are not commands: whatever stops a round here is logged, never answered.
 */
export async function handleReviewSubmitted(event: ReviewSubmittedEvent, deps: ReviewSubmittedDeps): Promise<void> {
  const { forge, logger } = deps;
  const loaded = await forge.loadConfig();
  if (loaded.status !== "ok") return logger.info({ pr: event.number }, "no usable factory config; no review round");
  const config = loaded.config;
  const cr = await forge.getChangeRequest(event.number);
  if (!cr || cr.author !== forge.botLogin) return;
  const has = await forge.getPermission(event.actor.login);
  if (!meetsPermission(has, config.trigger.min_permission))
    return logger.info({ pr: event.number, reviewer: event.actor.login, has }, "reviewer below min_permission");
  const result = await runReviewRound(
    {
      config,
      changeRequest: cr,
      deliveryId: event.deliveryId,
      triggerId: `review:${event.reviewId}`,
      reviewBody: { author: event.actor.login, body: event.body },
    },
    deps,
  );
  logger.info({ pr: event.number, result: result.kind }, "review round");
}
