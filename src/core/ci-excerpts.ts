import type { Readable } from "node:stream";
import { redactSecrets, summarizeLog, summarizeText } from "../summarize/index.js";
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

/** When no rule recognizes a root line, the last lines read are still better than nothing. */
const FALLBACK_TAIL_BYTES = 8 * 1024;

async function excerptOf(job: CiJob, maxLines: number, logger: Logger): Promise<string[]> {
  let log: Readable | null = null;
  try {
    log = await job.openLog();
  } catch (err) {
    // A log can be gone (expired, no permission); the job is still listed with its link.
    logger.warn({ job: job.name, err: (err as Error).message }, "could not read the job log");
  }
  if (log) {
    const tail = new TailKeeper(FALLBACK_TAIL_BYTES);
    const { excerpt } = await summarizeLog(tail.watch(log), { maxLines });
    return excerpt.length > 0 ? excerpt : lastLines(tail.text(), maxLines);
  }
  if (!job.reportedText) return [];
  const { excerpt } = await summarizeText(job.reportedText, { maxLines });
  return excerpt.length > 0 ? excerpt : lastLines(job.reportedText, maxLines);
}

/** Passes a log through unchanged, keeping only its last bytes. */
class TailKeeper {
  #tail = Buffer.alloc(0);
  constructor(private readonly bytes: number) {}

  async *watch(input: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<Buffer> {
    for await (const chunk of input) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
      this.#tail = Buffer.concat([this.#tail, buffer]).subarray(-this.bytes);
      yield buffer;
    }
  }

  /** The kept text, without the first line when it was cut in the middle. */
  text(): string {
    const text = this.#tail.toString("utf8");
    return this.#tail.length < this.bytes ? text : text.slice(text.indexOf("\n") + 1);
  }
}

// ANSI colour codes and CI timestamp prefixes say nothing in a comment.
const ANSI = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*[A-Za-z]", "g");
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/;

function lastLines(text: string, maxLines: number): string[] {
  // Redacted as a whole, so a secret spread over lines (a private key) is caught too.
  const lines = redactSecrets(text)
    .split(/\r?\n/)
    .map((line) => line.replace(ANSI, "").replace(TIMESTAMP, "").trimEnd())
    .filter((line) => line.trim() !== "");
  return lines.slice(-maxLines);
}
