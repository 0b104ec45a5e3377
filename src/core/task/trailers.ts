/**
 * The trailers of the bot's commits. Later runs read them back from the branch, so attempts are
 * counted from the forge, and a commit without them is a person's.
 */
export function commitMessage(title: string, issueNumber: number, attempt: number): string {
  return `${title}\n\nFactory-Issue: ${issueNumber}\nFactory-Attempt: ${attempt}`;
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
