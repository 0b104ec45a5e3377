/** `Factory-Attempt: K` from a commit message the bot wrote; null for anyone else's commit. */
export function attemptOf(message: string): number | null {
  const match = /^Factory-Attempt: (\d+)$/m.exec(message);
  return match ? Number(match[1]) : null;
}

/** The issue a factory PR belongs to, from the hidden state in its body. */
export function issueOfBody(body: string, decode: (b: string) => { issue?: unknown } | null): number | null {
  const issue = decode(body)?.issue;
  return typeof issue === "number" ? issue : null;
}
