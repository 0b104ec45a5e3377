import type { Clock, Logger } from "../deps.js";
import type { TaskCancellation } from "../cancellation.js";
import type { CiCompletedEvent } from "../events.js";
import type { ChangeRequest, Forge } from "../forge.js";
import { readCiPicture, type CiPicture } from "../ci-picture.js";
import { between, decodeState } from "../markers.js";
import { renderPassingSummary, type CiSummaryState } from "../messages/ci-summary.js";
import { ensureStickyComment, markedComments } from "../sticky-comment.js";
import { handleFactoryFollowUp } from "./factory-follow-up.js";
import type { TaskRunner } from "../task-runner.js";

export interface CiCompletedDeps {
  forge: Forge;
  logger: Logger;
  clock: Clock;
  /** Runs fix attempts with `runner: local`; without one they are refused with a message. */
  runner?: TaskRunner;
  cancellation?: TaskCancellation;
}

/**
 * Checks finished on a commit: the summary comment on every PR/MR whose head it is, then the
 * follow-up on factory PRs (fix loop, ready for review). One read of the commit's CI serves both.
 */
export async function handleCiCompleted(event: CiCompletedEvent, deps: CiCompletedDeps): Promise<void> {
  const picture = readCiPicture(event, deps.forge, deps.logger);
  await handleCiSummary(event, deps, picture);
  await handleFactoryFollowUp(event, deps, picture);
}

/**
 * Keeps one comment per open PR/MR whose head the commit is, showing the lines that explain each
 * failure, or turning green once everything passed (`ci.comments` says which PRs get one).
 */
export async function handleCiSummary(
  event: CiCompletedEvent,
  deps: CiCompletedDeps,
  read: Promise<CiPicture> = readCiPicture(event, deps.forge, deps.logger),
): Promise<void> {
  const { forge, logger } = deps;
  const picture = await read;
  const { ci } = picture;
  const commented = picture.changeRequests.filter(
    (cr) => ci.comments === "all" || (ci.comments === "factory" && cr.author === forge.botLogin),
  );
  if (commented.length === 0) return logger.debug({ sha: event.headSha }, "no change request here to comment on");
  const failing = (await picture.failed()).length > 0 ? picture.failingSummary : null;
  const pending = await picture.pending();
  for (const cr of commented) await updateSummaryComment(forge, cr, event.headSha, failing, pending);
}

/** Creates or edits the one summary comment: failing, or turned green once nothing fails or runs. */
async function updateSummaryComment(
  forge: Forge,
  cr: ChangeRequest,
  sha: string,
  failing: (() => Promise<string>) | null,
  pending: number,
): Promise<void> {
  const target = { kind: "change", number: cr.number } as const;
  const existing = (await markedComments(forge, target, "ciSummary"))[0] ?? null;
  if (failing) return void (await ensureStickyComment(forge, target, "ciSummary", await failing(), existing));
  if (pending > 0 || !existing) return; // nothing failed: no comment to start, nothing yet to turn green
  const previous = decodeState<CiSummaryState>(existing.body);
  if (previous && !previous.failing && previous.sha === sha) return;
  const body = renderPassingSummary({
    sha,
    lastFailure: between(existing.body, "ciFailureStart", "ciFailureEnd"),
    lastFailureSha: previous?.failing ? previous.sha : null,
  });
  await ensureStickyComment(forge, target, "ciSummary", body, existing);
}
