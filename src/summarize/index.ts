/**
 * CI failure summarizer (docs/architecture.md, "The summarizer"): reads a job log as a stream, with bounded memory
 * whatever its size, and returns the few lines that explain the failure, secrets redacted.
 */
import { SummaryEngine } from "./engine.js";
import { LineScanner } from "./scanner.js";
import { selectExcerpt } from "./select.js";
import type { LogInput, LogSummary, SummarizeOptions } from "./types.js";

export { redactSecrets } from "./redact.js";
export { renderSummaryMarkdown, renderSummaryText } from "./render.js";
export type { LogInput, LogSummary, SummarizeOptions } from "./types.js";

export const DEFAULT_MAX_LINES = 20;
/** A summary is for reading in a comment; more than this is a log, not a summary. */
export const MAX_MAX_LINES = 1000;

export async function summarizeLog(input: LogInput, options: SummarizeOptions = {}): Promise<LogSummary> {
  const maxLines = clampMaxLines(options.maxLines);
  const engine: SummaryEngine = new SummaryEngine((beforeLineNo, count) => scanner.recent(beforeLineNo, count));
  const scanner: LineScanner = new LineScanner(engine);
  for await (const chunk of input as AsyncIterable<Buffer | Uint8Array | string>) scanner.write(asBuffer(chunk));
  scanner.end();
  const { excerpt, headline, passed } = selectExcerpt(engine.finish(scanner.linesRead), maxLines);
  const summary: LogSummary = { excerpt, headline, linesRead: scanner.linesRead, bytesRead: scanner.bytesRead };
  if (passed) summary.passed = true;
  return summary;
}

/** The same for a log already in memory (e.g. a check run's text output). */
export async function summarizeText(text: string, options: SummarizeOptions = {}): Promise<LogSummary> {
  return summarizeLog(
    (async function* () {
      yield text;
    })(),
    options,
  );
}

function clampMaxLines(maxLines: number | undefined): number {
  if (maxLines === undefined || !Number.isFinite(maxLines)) return DEFAULT_MAX_LINES;
  return Math.min(MAX_MAX_LINES, Math.max(1, Math.floor(maxLines)));
}

function asBuffer(chunk: Buffer | Uint8Array | string): Buffer {
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}
