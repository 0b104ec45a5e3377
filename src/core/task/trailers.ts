/**
 * The trailers of the bot's commits. Later runs read them back from the branch, so attempts are
 * counted from the forge, and a commit without them is a person's.
 */
export function commitMessage(title: string, issueNumber: number, attempt: number, reviewRound?: number): string {
  const round = reviewRound === undefined ? "" : `\nFactory-Review-Round: ${reviewRound}`;
  return `${title}\n\nFactory-Issue: ${issueNumber}\nFactory-Attempt: ${attempt}${round}`;
}

/** `Factory-Review-Round: N` from a commit message the bot wrote; null when the commit answered no review. */
export function reviewRoundOf(message: string): number | null {
  const match = /^Factory-Review-Round: (\d+)$/m.exec(message);
  return match ? Number(match[1]) : null;
}

/** Review rounds made on a branch: the highest round among its commits' trailers. */
export function reviewRoundsMade(messages: string[]): number {
  return Math.max(0, ...messages.map((m) => reviewRoundOf(m) ?? 0));
}

/** Whether the bot wrote a commit (its trailers); a person's push has none, and stops the bot's rounds and fixes. */
export function isBotCommit(message: string): boolean {
  return attemptOf(message) !== null;
}

/** `Factory-Attempt: K` from a commit message the bot wrote; null for anyone else's commit. */
export function attemptOf(message: string): number | null {
  const match = /^Factory-Attempt: (\d+)$/m.exec(message);
  return match ? Number(match[1]) : null;
}

/** `Factory-Issue: N` from a commit message the bot wrote; null for anyone else's commit. */
export function issueOf(message: string): number | null {
  const match = /^Factory-Issue: (\d+)$/m.exec(message);
  return match ? Number(match[1]) : null;
}

/** The approved plan a commit carries out, as `Factory-Plan: <first 12 hex of its sha256>` (docs/plans.md). */
export function withPlanTrailer(message: string, planId: string | null): string {
  return planId === null ? message : `${message}\nFactory-Plan: ${planId}`;
}

/** `Factory-Plan: <id>` from a commit message; null when the commit carried out no approved plan. */
export function planOf(message: string): string | null {
  const match = /^Factory-Plan: ([0-9a-f]{12})$/m.exec(message);
  return match ? match[1]! : null;
}
