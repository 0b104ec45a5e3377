import type { ForgeWording, ReviewThread } from "../forge.js";
import { reviewReplyMarker } from "../markers.js";
import { untrustedSection, visibleText } from "../untrusted-text.js";

export interface ReviewFileInput {
  round: number;
  maxRounds: number;
  changeRequest: number;
  threads: ReviewThread[];
  /** The submitted review's own text, when a review (not a thread) asked for the round. */
  reviewBody?: { author: string; body: string };
  /** The CI summary when the head is red, as the fix loop hands it over. */
  ciFailure: string | null;
  words: ForgeWording;
}

/** A fence longer than any backtick run in the text, so code cannot close it. */
function fence(text: string, info: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longest + 1);
  return `${ticks}${info}\n${text.trimEnd()}\n${ticks}`;
}

function where(thread: ReviewThread): string {
  if (!thread.path) return "the change as a whole";
  return thread.line === null
    ? `\`${visibleText(thread.path)}\``
    : `\`${visibleText(thread.path)}\` line ${thread.line}`;
}

/** `FACTORY_REVIEW_FILE`: every unresolved thread (where, the diff hunk, each comment by its author) and red CI. */
export function buildReviewFile(input: ReviewFileInput): string {
  const { words } = input;
  const sections = [
    `# Review round ${input.round} of ${input.maxRounds} on ${words.changeRequest} ${words.changeRequestRef(input.changeRequest)}`,
    `Reviewers asked for changes. Change the code so each thread below is addressed; the threads get a reply ` +
      `naming your commit. You may write what you did to the file named by FACTORY_SUMMARY_FILE.`,
  ];
  if (input.reviewBody && visibleText(input.reviewBody.body).trim() !== "")
    sections.push(untrustedSection("The review", input.reviewBody.author, input.reviewBody.body));
  input.threads.forEach((thread, index) => {
    sections.push(`# Thread ${index + 1}: ${where(thread)}`);
    if (thread.diffHunk) sections.push(fence(thread.diffHunk, "diff"));
    for (const comment of thread.comments) sections.push(untrustedSection("Comment", comment.author, comment.body));
  });
  if (input.ciFailure !== null) sections.push("# CI is failing on the head", input.ciFailure);
  return `${sections.join("\n\n")}\n`;
}

export interface ReviewReplyInput {
  round: number;
  commitSha: string | null;
  /** The agent's summary, or why the round pushed nothing. */
  summary: string;
}

/** The one reply a thread gets per round: the commit that answers it, or that the round changed nothing. */
export function buildReviewReply(input: ReviewReplyInput): string {
  const marker = reviewReplyMarker(input.round);
  if (input.commitSha !== null) return `${marker}\n🤖 Review round ${input.round}: addressed in ${input.commitSha}.`;
  // The agent's text must not carry markers (or anything hidden) into the bot's own comment.
  const summary = visibleText(input.summary)
    .trim()
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
  return (
    `${marker}\n🤖 Review round ${input.round} changed nothing on the branch. The agent said:\n\n${summary}\n\n` +
    "Reply here and comment `/factory fix` to try again, or change it yourself."
  );
}
