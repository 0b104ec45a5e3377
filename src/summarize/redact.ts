/** Placeholder until the summarizer lands: redacts secrets from text before it leaves the process. */
export function redactSecrets(text: string): string {
  return text.replace(/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,})/g, "[REDACTED]");
}
