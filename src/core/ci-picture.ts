import type { CiCommentsMode, FactoryConfig } from "../config/types.js";
import type { Logger } from "./deps.js";
import type { CiCompletedEvent } from "./events.js";
import type { ChangeRequest, CiJob, Forge } from "./forge.js";
import { summarizeFailedJobs } from "./ci-excerpts.js";
import { isOwnStatus } from "./markers.js";
import { renderFailingSummary } from "./messages/ci-summary.js";

const DEFAULT_CI = { comments: "all" as CiCommentsMode, max_lines: 20 };

/**
 * What finished checks show on one commit, read once for the handlers of one `ci.completed`
 * event (the summary comment and the follow-up on factory PRs): the config, the open change
 * requests whose head it is, the jobs and the failing summary are each fetched at most once.
 */
export interface CiPicture {
  config: FactoryConfig | null;
  ci: { comments: CiCommentsMode; max_lines: number };
  changeRequests: ChangeRequest[];
  /** Every job on the commit, the bot's own statuses included. */
  allJobs(): Promise<CiJob[]>;
  /** The failed jobs that are not the bot's own statuses. */
  failed(): Promise<CiJob[]>;
  pending(): Promise<number>;
  /** The failing summary's Markdown (logs downloaded once). */
  failingSummary(): Promise<string>;
}

/** Reads the picture lazily: jobs and logs only when a handler asks for them. */
export async function readCiPicture(event: CiCompletedEvent, forge: Forge, logger: Logger): Promise<CiPicture> {
  const loaded = await forge.loadConfig();
  const config = loaded.status === "ok" ? loaded.config : null;
  const ci = config?.ci ?? DEFAULT_CI;
  const changeRequests = await changeRequestsAt(forge, event);
  const allJobs = once(() => forge.listCiJobs(event.headSha));
  const jobs = async () => (await allJobs()).filter((j) => !isOwnStatus(j.name));
  const failed = async () => (await jobs()).filter((j) => j.state === "failure");
  const pending = async () => (await jobs()).filter((j) => j.state === "pending").length;
  const failingSummary = once(async () => {
    const groups = await summarizeFailedJobs(await failed(), ci.max_lines, logger);
    return renderFailingSummary({ sha: event.headSha, groups, pending: await pending(), words: forge.words });
  });
  return { config, ci, changeRequests, allJobs, failed, pending, failingSummary };
}

function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => (result ??= read());
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
