import type { Readable } from "node:stream";

/** The few lines of a CI log that explain why it failed. */
export interface LogSummary {
  /**
   * The chosen lines in log order, without timestamps or colours, secrets redacted; a `…` line
   * stands where lines were left out. At most `maxLines` lines, markers included.
   */
  excerpt: string[];
  /** The single line most likely to be the root cause (trimmed), or null when nothing looks like one. */
  headline: string | null;
  /** The runner said the job passed and no step failed: an empty excerpt means "no failure found". */
  passed?: boolean;
  linesRead: number;
  bytesRead: number;
}

export interface SummarizeOptions {
  /** Lines in the excerpt, `…` markers included (default 20). */
  maxLines?: number;
}

/** A Node stream, or any (async) iterable of chunks: bytes (UTF-8) or strings. */
export type LogInput = Readable | AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>;
