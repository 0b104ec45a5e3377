import type { Readable } from "node:stream";
import { summarizeLog, summarizeText } from "../summarize/index.js";
import type { Logger } from "./deps.js";
import type { CiJob } from "./forge.js";
import type { FailureGroup } from "./messages/ci-summary.js";

const LOGS_FETCHED_AT_ONCE = 4;

/** The failed jobs' excerpts, matrix jobs that failed the same way grouped together. */
export async function summarizeFailedJobs(jobs: CiJob[], maxLines: number, logger: Logger): Promise<FailureGroup[]> {
  const failed = jobs.filter((job) => job.state === "failure");
  const excerpts: string[][] = [];
  for (let i = 0; i < failed.length; i += LOGS_FETCHED_AT_ONCE) {
    const batch = failed.slice(i, i + LOGS_FETCHED_AT_ONCE);
    excerpts.push(...(await Promise.all(batch.map((job) => excerptOf(job, maxLines, logger)))));
  }
  const groups = new Map<string, FailureGroup>();
  failed.forEach((job, index) => {
    const excerpt = excerpts[index] ?? [];
    const key = excerpt.join("\n");
    const group = groups.get(key) ?? { jobs: [], excerpt };
    group.jobs.push({ name: job.name, url: job.url });
    groups.set(key, group);
  });
  return [...groups.values()];
}

async function excerptOf(job: CiJob, maxLines: number, logger: Logger): Promise<string[]> {
  let log: Readable | null = null;
  try {
    log = await job.openLog();
  } catch (err) {
    // A log can be gone (expired, no permission); the job is still listed with its link.
    logger.warn({ job: job.name, err: (err as Error).message }, "could not read the job log");
  }
  // With no recognizable root line the summarizer returns the last lines read.
  if (log) return (await summarizeLog(log, { maxLines })).excerpt;
  return job.reportedText ? (await summarizeText(job.reportedText, { maxLines })).excerpt : [];
}
