import { byRank, defaultKey, DISPLAY_CHARS, type Candidate, type ContextLine, type Findings } from "./model.js";
import { REDACTED, redactSecrets } from "./redact.js";
import { soundsLikeComplaint } from "./detail.js";
import { TIER } from "./rules.js";

/** Marks lines left out between two shown lines. */
export const GAP = "…";

/** Share of the excerpt the headline and its context may take before other findings get a turn. */
const HEADLINE_SHARE = 0.6;
/** Silent failures: how many of the last lines to show when nothing looks like an error. */
const TAIL_WHEN_NOTHING_FOUND = 5;
/** Below a confident (strong or root) headline, this many of the failing step's last lines. */
const TAIL_WHEN_UNSURE = 3;

export interface Selection {
  excerpt: string[];
  headline: string | null;
  passed?: boolean;
}

/**
 * Chooses at most `maxLines` lines, gap markers included: the headline with its most telling
 * context, the last words of the failing step, then the other findings, best first.
 */
export function selectExcerpt(findings: Findings, maxLines: number): Selection {
  // A passing job (the runner said so, no step failed): its error-like lines explain no failure.
  if (findings.succeeded) return { excerpt: [], headline: null, passed: true };
  const ranked = findings.candidates.filter((c) => c.tier >= TIER.weak).sort(byRank);
  const top = ranked[0];
  const picks = new Picks(knownLines(findings), maxLines);
  const show = (line: ContextLine) => displayText(line, findings);
  if (!top) {
    picks.addLast(findings.tail.slice(-TAIL_WHEN_NOTHING_FOUND));
    return { excerpt: picks.render(show), headline: null };
  }
  picks.add([top.anchor]);
  // With room to spare, the headline's neighbours (a lint message, the command) come first too.
  const roomy = maxLines >= 6;
  addContext(picks, top, roomy ? ANY : TELLING, roomy ? Math.ceil(maxLines * HEADLINE_SHARE) : maxLines);
  // Never worse than the tail: with no confident rule, how the failing step ended is shown too.
  const lastWords = findings.tail[findings.tail.length - 1];
  if (top.tier < TIER.strong && findings.tailIsFailurePoint) {
    const unshown = findings.tail.slice(-TAIL_WHEN_UNSURE).filter((line) => defaultKey(line.text) !== top.key);
    picks.addLast(unshown);
  } else if (lastWords && worthLastWords(lastWords, findings, top)) picks.add([lastWords]);
  const secondaries = secondariesOf(ranked, top);
  for (const candidate of secondaries) if (!picks.has(candidate.anchor.lineNo)) picks.add([candidate.anchor]);
  addContext(picks, top, ANY, maxLines);
  for (const candidate of secondaries)
    if (picks.has(candidate.anchor.lineNo)) addContext(picks, candidate, ANY, maxLines, CONTEXT_PER_SECONDARY);
  return { excerpt: picks.render(show), headline: show(top.anchor).trim() };
}

/** Below a root cause only errors are worth a line; below a weaker headline, anything. */
function secondariesOf(ranked: Candidate[], top: Candidate): Candidate[] {
  const floor = top.tier === TIER.root ? TIER.strong : top.tier === TIER.strong ? TIER.medium : TIER.weak;
  // A script's last command matters when it died silently, not next to a real error.
  return ranked
    .slice(1)
    .filter((c) => c.tier >= floor && !(top.tier === TIER.root && c.verdict.kind === "last-command"));
}

/** Context worth a slot before other findings (assertions, locations), or any context at all. */
const TELLING = 2;
const ANY = 1;
/** Room left after the headline goes to the other findings' own best lines, a few each. */
const CONTEXT_PER_SECONDARY = 3;

/**
 * The context lines worth showing, most telling first, until the picks reach `limit` lines.
 * Telling lines (assertions, locations, traceback frames) are taken from the whole window;
 * plain lines only when they touch the anchor; repeats of the anchor never.
 */
function addContext(
  picks: Picks,
  candidate: Candidate,
  minDetail: number,
  limit: number,
  most = Number.POSITIVE_INFINITY,
): void {
  const anchor = candidate.anchor;
  const worthShowing = [...candidate.before, ...candidate.after]
    .map((line) => ({ line, detail: detailFor(line, candidate) }))
    .filter(({ detail }) => detail >= minDetail)
    .filter(
      ({ line, detail }) => !picks.has(line.lineNo) && (detail >= 2 || (detail === 1 && picks.touch(line, anchor))),
    )
    .filter(({ line }) => defaultKey(line.text) !== candidate.key)
    .sort((a, b) => priority(b.line, b.detail, anchor.lineNo) - priority(a.line, a.detail, anchor.lineNo))
    .map(({ line }) => line);
  let added = 0;
  for (const line of worthShowing) {
    if (added >= most) return;
    if (picks.add([line], limit)) added++;
  }
}

/**
 * The last line before the job failed often is the message (a deploy script's last complaint);
 * it is shown when it sounds like one, or when nothing better was found.
 */
function worthLastWords(line: ContextLine, findings: Findings, top: Candidate): boolean {
  if (defaultKey(line.text) === top.key) return false;
  if (!findings.tailIsFailurePoint) return top.tier < TIER.strong;
  return top.tier < TIER.root || soundsLikeComplaint(line.text);
}

/** Another kind of finding nearby is a finding of its own, not context of this one. */
function detailFor(line: ContextLine, candidate: Candidate): number {
  return line.finding && line.finding !== candidate.verdict.kind ? Math.min(line.detail, 1) : line.detail;
}

/** Telling lines first, near ones before far ones; what follows a message usually explains it. */
function priority(line: ContextLine, detail: number, anchor: number): number {
  return detail * 10 - Math.abs(line.lineNo - anchor) + (line.lineNo > anchor ? 3 : 0);
}

function knownLines(findings: Findings): Map<number, ContextLine> {
  const known = new Map<number, ContextLine>();
  const remember = (line: ContextLine) => known.set(line.lineNo, line);
  for (const candidate of findings.candidates) {
    candidate.before.forEach(remember);
    remember(candidate.anchor);
    candidate.after.forEach(remember);
  }
  findings.tail.forEach(remember);
  return known;
}

/** Redacted first, cut after: a secret across the cut is whole when the patterns look at it. */
function displayText(line: ContextLine, findings: Findings): string {
  if (findings.isSecret(line.lineNo)) return REDACTED;
  const text = redactSecrets(line.text);
  if (text.length > DISPLAY_CHARS) return `${text.slice(0, DISPLAY_CHARS - 1)}…`;
  return line.cut ? `${text}…` : text;
}

/** The chosen lines; their cost is the number of lines they render to, gap markers included. */
class Picks {
  private readonly chosen = new Map<number, ContextLine>();

  constructor(
    private readonly known: Map<number, ContextLine>,
    private readonly maxLines: number,
  ) {}

  has(lineNo: number): boolean {
    return this.chosen.has(lineNo);
  }

  /** Adds all the lines, or none if they would not fit within `limit` rendered lines. */
  add(lines: ContextLine[], limit = this.maxLines): boolean {
    const fresh = lines.filter((line) => !this.chosen.has(line.lineNo));
    for (const line of fresh) this.chosen.set(line.lineNo, line);
    if (this.cost() <= Math.min(limit, this.maxLines)) return true;
    for (const line of fresh) this.chosen.delete(line.lineNo);
    return false;
  }

  /** As many of the given lines as fit, preferring the last ones. */
  addLast(lines: ContextLine[]): void {
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!;
      if (!this.add([line])) return;
    }
  }

  render(show: (line: ContextLine) => string): string[] {
    const lineNos = this.sortedLineNos();
    const out: string[] = [];
    lineNos.forEach((lineNo, i) => {
      const previous = lineNos[i - 1];
      if (previous !== undefined && !this.adjacent(previous, lineNo)) {
        // A gap of one known line costs what its marker costs: show the line instead.
        const hidden = lineNo - previous === 2 ? this.known.get(previous + 1) : undefined;
        out.push(hidden && hidden.detail >= 1 ? show(hidden) : GAP);
      }
      out.push(show(this.chosen.get(lineNo)!));
    });
    return out;
  }

  /** Only blank lines and runner furniture lie between the two lines. */
  touch(a: ContextLine, b: ContextLine): boolean {
    return a.lineNo < b.lineNo ? this.adjacent(a.lineNo, b.lineNo) : this.adjacent(b.lineNo, a.lineNo);
  }

  private cost(): number {
    const lineNos = this.sortedLineNos();
    let gaps = 0;
    for (let i = 1; i < lineNos.length; i++) if (!this.adjacent(lineNos[i - 1]!, lineNos[i]!)) gaps++;
    return lineNos.length + gaps;
  }

  private sortedLineNos(): number[] {
    return [...this.chosen.keys()].sort((a, b) => a - b);
  }

  /** Nothing but blank lines and runner furniture lies between them. */
  private adjacent(a: number, b: number): boolean {
    for (let lineNo = a + 1; lineNo < b; lineNo++) {
      const line = this.known.get(lineNo);
      if (!line || line.detail >= 0) return false;
    }
    return true;
  }
}
