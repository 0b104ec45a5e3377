import type { Tier, Verdict } from "./rules.js";

/** Longest line shown; longer ones end with `…`. */
export const DISPLAY_CHARS = 500;

/** A line that may be shown: its text (not yet redacted or cut for display) and how much it adds. */
export interface ContextLine {
  lineNo: number;
  text: string;
  /** The log's line went on past `text`. */
  cut?: boolean;
  /** -1: blank or runner furniture (never shown); 0: adds nothing; 3: the assertion itself. */
  detail: number;
  chrome: boolean;
  /** The rule family when the line is itself a finding (medium tier or more). */
  finding?: string;
}

/** A line that may explain the failure, with the lines around it. */
export interface Candidate {
  anchor: ContextLine;
  verdict: Verdict;
  tier: Tier;
  /** Which step of the job (GitHub Actions step, GitLab/Travis section) it was printed in. */
  step: number;
  key: string;
  before: ContextLine[];
  after: ContextLine[];
  /** Non-blank lines still to collect after the anchor. */
  afterWanted: number;
  repeats: number;
}

/** What reading a whole log found, ready for choosing the excerpt. */
export interface Findings {
  /** Tiers already adjusted for where each candidate stands relative to the failure. */
  candidates: Candidate[];
  /** The last lines of output before the job failed (or before the log ended), oldest first. */
  tail: ContextLine[];
  tailIsFailurePoint: boolean;
  /** A runner said the job passed and no step failed: nothing found means nothing wrong. */
  succeeded: boolean;
  /** Lines inside a private key block: shown, if at all, as `[REDACTED]`. */
  isSecret: (lineNo: number) => boolean;
}

/** Higher tier first; within a tier the earlier line (causes precede their symptoms). */
export function byRank(a: Candidate, b: Candidate): number {
  return b.tier - a.tier || a.anchor.lineNo - b.anchor.lineNo;
}

/** The same message with other numbers (line, attempt, pid) is the same failure again. */
export function defaultKey(text: string): string {
  return text.slice(0, 300).replace(/\d+/g, "#").trim();
}
