import { redactSecrets } from "./redact.js";
import type { LogSummary } from "./types.js";

const NOTHING_FOUND = "No line of this log looks like the cause of a failure.";
const PASSED = "No failure found: the runner reports that this job passed.";

/**
 * The excerpt as a Markdown code block. Log text never leaves the block, so it cannot mention
 * people or inject Markdown, and the fence is longer than any run of backticks inside it.
 */
export function renderSummaryMarkdown(summary: LogSummary): string {
  if (summary.excerpt.length === 0) return `_${emptyMessage(summary)}_\n`;
  const body = redactSecrets(summary.excerpt.join("\n"));
  const fence = "`".repeat(Math.max(3, longestBacktickRun(body) + 1));
  return `${fence}text\n${body}\n${fence}\n`;
}

/** The excerpt as plain lines, for a terminal or a file. */
export function renderSummaryText(summary: LogSummary): string {
  if (summary.excerpt.length === 0) return `${emptyMessage(summary)}\n`;
  return `${redactSecrets(summary.excerpt.join("\n"))}\n`;
}

function emptyMessage(summary: LogSummary): string {
  return summary.passed ? PASSED : NOTHING_FOUND;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return longest;
}
