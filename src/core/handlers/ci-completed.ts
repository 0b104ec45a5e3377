import type { CiCommentsMode } from "../../config/types.js";
import type { Clock, Logger } from "../deps.js";
import type { TaskCancellation } from "../cancellation.js";
import type { CiCompletedEvent } from "../events.js";
import type { ChangeRequest, Forge } from "../forge.js";
import { summarizeFailedJobs } from "../ci-excerpts.js";
import { between, decodeState, isOwnStatus } from "../markers.js";
import { renderFailingSummary, renderPassingSummary, type CiSummaryState } from "../messages/ci-summary.js";
import { ensureStickyComment, markedComments } from "../sticky-comment.js";
import { factoryIssueOf, followUpFactoryChange } from "../task/fix-loop.js";
import type { TaskRunner } from "../task-runner.js";

export interface CiCompletedDeps {
  forge: Forge;
  logger: Logger;
  clock: Clock;
  /** Runs fix attempts with `runner: local`; without one they are refused with a message. */
  runner?: TaskRunner;
  cancellation?: TaskCancellation;
}

const DEFAULT_CI = { comments: "all" as CiCommentsMode, max_lines: 20 };

/**
 * Checks finished on a commit: keep one comment per open PR/MR whose head it is, showing the
 * lines that explain each failure, or turning green once everything passed.
 */
export async function handleCiCompleted(event: CiCompletedEvent, deps: CiCompletedDeps): Promise<void> {
  const { forge, logger } = deps;
  const loaded = await forge.loadConfig();
  const config = loaded.status === "ok" ? loaded.config : null;
  const ci = config?.ci ?? DEFAULT_CI;
  const changeRequests = await changeRequestsAt(forge, event);
  // Comments follow `ci.comments`; the bot's own PRs get their follow-ups (fix loop, ready) anyway.
  const commented = changeRequests.filter(
    (cr) => ci.comments === "all" || (ci.comments === "factory" && cr.author === forge.botLogin),
  );
  const followed = config ? changeRequests.filter((cr) => factoryIssueOf(forge, cr) !== null) : [];
  if (commented.length === 0 && followed.length === 0)
    return logger.debug({ sha: event.headSha }, "no change request here to comment on or follow up");

  const allJobs = await forge.listCiJobs(event.headSha);
  const jobs = allJobs.filter((j) => !isOwnStatus(j.name));
  const failed = jobs.filter((j) => j.state === "failure");
  const pending = jobs.filter((j) => j.state === "pending").length;
  let failingBody: Promise<string> | null = null;
  const failingSummary = () =>
    (failingBody ??= summarizeFailedJobs(failed, ci.max_lines, logger).then((groups) =>
      renderFailingSummary({ sha: event.headSha, groups, pending, words: forge.words }),
    ));
  for (const cr of commented)
    await updateSummaryComment(forge, cr, event.headSha, failed.length > 0 ? failingSummary : null, pending);
  for (const changeRequest of followed) {
    const failureSummary = failed.length > 0 ? await failingSummary() : "";
    await followUpFactoryChange({ config: config!, changeRequest, jobs: allJobs, failureSummary }, deps);
  }
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

async function changeRequestsAt(forge: Forge, event: CiCompletedEvent): Promise<ChangeRequest[]> {
  const found =
    event.changeRequestNumbers.length > 0
      ? (await Promise.all(event.changeRequestNumbers.map((n) => forge.getChangeRequest(n)))).filter(
          (c): c is ChangeRequest => c !== null,
        )
      : await forge.findChangeRequestsForSha(event.headSha);
  // A run for an older commit must not overwrite what the current head shows.
  return found.filter((c) => c.state === "open" && c.headSha === event.headSha);
}
