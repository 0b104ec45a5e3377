import type { CiCommentsMode } from "../../config/types.js";
import type { Clock, Logger } from "../deps.js";
import type { TaskCancellation } from "../cancellation.js";
import type { CiCompletedEvent } from "../events.js";
import type { ChangeRequest, Forge } from "../forge.js";
import { summarizeFailedJobs } from "../ci-excerpts.js";
import { between, decodeState } from "../markers.js";
import { renderFailingSummary, renderPassingSummary, type CiSummaryState } from "../messages/ci-summary.js";
import { ensureStickyComment, markedComments } from "../sticky-comment.js";
import { followUpFactoryChange } from "../task/fix-loop.js";
import type { TaskRunner } from "../task.js";

export interface CiCompletedDeps {
  forge: Forge;
  logger: Logger;
  clock: Clock;
  /** Runs fix attempts with `runner: local`; without one they are refused with a message. */
  runner?: TaskRunner;
  cancellation?: TaskCancellation;
}

const DEFAULT_CI = { comments: "all" as CiCommentsMode, max_lines: 20 };
// Our own statuses describe the bot's work, not the repository's CI.
const OWN_CONTEXT_PREFIX = "factory/";

/**
 * Checks finished on a commit: keep one comment per open PR/MR whose head it is, showing the
 * lines that explain each failure, or turning green once everything passed.
 */
export async function handleCiCompleted(event: CiCompletedEvent, deps: CiCompletedDeps): Promise<void> {
  const { forge, logger } = deps;
  const loaded = await forge.loadConfig();
  const ci = loaded.status === "ok" ? loaded.config.ci : DEFAULT_CI;
  if (ci.comments === "off") return;
  const changeRequests = await changeRequestsAt(forge, event, ci.comments);
  if (changeRequests.length === 0) return logger.debug({ sha: event.headSha }, "no open change request has this head");

  const allJobs = await forge.listCiJobs(event.headSha);
  const jobs = allJobs.filter((j) => !j.name.startsWith(OWN_CONTEXT_PREFIX));
  const failed = jobs.filter((j) => j.state === "failure");
  const pending = jobs.filter((j) => j.state === "pending").length;
  let failingBody: string | null = null;
  for (const cr of changeRequests) {
    const target = { kind: "change", number: cr.number } as const;
    const existing = (await markedComments(forge, target, "ciSummary"))[0] ?? null;
    if (failed.length === 0) {
      if (pending > 0 || !existing) continue; // nothing failed: no comment to start, nothing yet to turn green
      const previous = decodeState<CiSummaryState>(existing.body);
      if (previous && !previous.failing && previous.sha === event.headSha) continue;
      const body = renderPassingSummary({
        sha: event.headSha,
        lastFailure: between(existing.body, "ciFailureStart", "ciFailureEnd"),
        lastFailureSha: previous?.failing ? previous.sha : null,
      });
      await ensureStickyComment(forge, target, "ciSummary", body, existing);
      continue;
    }
    failingBody ??= renderFailingSummary({ sha: event.headSha, groups: await summarizeFailedJobs(failed, ci.max_lines, logger), pending, words: forge.words });
    await ensureStickyComment(forge, target, "ciSummary", failingBody, existing);
  }
  if (loaded.status !== "ok") return;
  for (const changeRequest of changeRequests) {
    await followUpFactoryChange({ config: loaded.config, changeRequest, jobs: allJobs, failureSummary: failingBody ?? "" }, deps);
  }
}

async function changeRequestsAt(forge: Forge, event: CiCompletedEvent, mode: CiCommentsMode): Promise<ChangeRequest[]> {
  const found =
    event.changeRequestNumbers.length > 0
      ? (await Promise.all(event.changeRequestNumbers.map((n) => forge.getChangeRequest(n)))).filter((c): c is ChangeRequest => c !== null)
      : await forge.findChangeRequestsForSha(event.headSha);
  // A run for an older commit must not overwrite what the current head shows.
  return found.filter((c) => c.state === "open" && c.headSha === event.headSha && (mode === "all" || c.author === forge.botLogin));
}
