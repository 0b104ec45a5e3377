import type { ForgeWording } from "../forge.js";
import { MARKERS, encodeState } from "../markers.js";
import { codeBlock, inlineCode, plural, shortSha } from "./format.js";

/** Jobs that failed with the same excerpt (a matrix) are shown once with all their names. */
export interface FailureGroup {
  jobs: Array<{ name: string; url: string }>;
  excerpt: string[];
}

export interface CiSummaryState {
  sha: string;
  failing: boolean;
}

// GitHub rejects comments over 65,536 characters; keep a margin for the frame.
export const MAX_COMMENT_CHARS = 65_000;
const FOOTER =
  "<sub>factory-bot edits this comment as checks finish on new commits. Set `ci.comments: off` (or `factory`) " +
  "in `.github/factory.yml` to silence it.</sub>";

export function renderFailingSummary(input: {
  sha: string;
  groups: FailureGroup[];
  pending: number;
  words: ForgeWording;
  maxChars?: number;
}): string {
  const maxChars = input.maxChars ?? MAX_COMMENT_CHARS;
  const failedJobs = input.groups.reduce((n, g) => n + g.jobs.length, 0);
  const pending = input.pending > 0 ? ` (${plural(input.pending, "check")} still running)` : "";
  const header = [
    MARKERS.ciSummary,
    encodeState({ sha: input.sha, failing: true } satisfies CiSummaryState),
    `### ❌ ${plural(failedJobs, "check")} failed at ${shortSha(input.sha)}${pending}`,
    "These are the log lines that look like the cause:",
  ].join("\n");
  const budget = maxChars - header.length - FOOTER.length - 200;
  const section = fitGroups(input.groups, budget);
  return [header, `${MARKERS.ciFailureStart}\n${section}\n${MARKERS.ciFailureEnd}`, FOOTER].join("\n\n");
}

export function renderPassingSummary(input: {
  sha: string;
  lastFailure: string | null;
  lastFailureSha: string | null;
}): string {
  const parts = [
    MARKERS.ciSummary,
    encodeState({ sha: input.sha, failing: false } satisfies CiSummaryState),
    `### ✅ All checks pass at ${shortSha(input.sha)}`,
  ];
  const previous = input.lastFailure
    ? `\n<details><summary>Last failure${input.lastFailureSha ? `, at ${shortSha(input.lastFailureSha)}` : ""}` +
      `</summary>\n\n${MARKERS.ciFailureStart}\n${input.lastFailure}\n${MARKERS.ciFailureEnd}\n\n</details>`
    : "";
  return parts.join("\n") + previous + "\n\n" + FOOTER;
}

function renderGroup(group: FailureGroup, maxLines: number): string {
  // Names are code: a workflow called `@org/team` must not ping anyone, and code spans take
  // precedence over link brackets, so a `]` in a name cannot end the link early.
  const names = group.jobs.map((j) => (j.url ? `[${inlineCode(j.name)}](${j.url})` : inlineCode(j.name))).join(", ");
  const lines = group.excerpt.length > maxLines ? [...group.excerpt.slice(0, maxLines), "…"] : group.excerpt;
  const body =
    lines.length > 0
      ? codeBlock(lines.join("\n"))
      : "_No log lines were available; follow the link for the job's output._";
  return `**${names}**\n\n${body}`;
}

/** Trims every job's excerpt first, then drops whole jobs, saying how many were left out. */
function fitGroups(groups: FailureGroup[], budget: number): string {
  const longest = Math.max(3, ...groups.map((g) => g.excerpt.length));
  for (let maxLines = longest; maxLines >= 3; maxLines = Math.floor(maxLines / 2)) {
    const text = groups.map((g) => renderGroup(g, maxLines)).join("\n\n");
    if (text.length <= budget) return text;
  }
  const kept: string[] = [];
  let used = 0;
  for (const group of groups) {
    const text = renderGroup(group, 3);
    if (used + text.length + 120 > budget) break;
    kept.push(text);
    used += text.length + 2;
  }
  const left = groups.slice(kept.length).reduce((n, g) => n + g.jobs.length, 0);
  const note =
    left > 0 ? [`_…and ${plural(left, "more failing job")} not shown, to stay within the comment size limit._`] : [];
  return [...kept, ...note].join("\n\n");
}
