/**
 * How much a line adds as context of a finding next to it: the assertion and its expected and
 * received values, the location, the traceback frame; not progress counters, framework frames
 * or separators.
 */
import { splitLevel, TIER, type Verdict } from "./rules.js";

const DETAIL_RULES: ReadonlyArray<readonly [RegExp, number]> = [
  [
    /^\s*(?:Expected|Received|Actual)(?: [a-z]+){0,2}(?::|\s|$)|^\s*expect\(|^\s*(?:expected|got|actual|but was|but got|left|right)\s*[:=]|^E\s{1,10}\S|^\s*(?:Failure\/Error|Caused by):|^\s*-->\s*\S|^\s*(?:symbol|location)\s*:|_test\.go:\d+:|\bAssertionError\b|^\s*assert\b/,
    3,
  ],
  [/^\s*>\s*\d+\s*\|/, 3],
  // The patch whose hunk failed (rpmbuild echoes `Patch #3 (name.patch):` before applying it).
  [/^Patch #\d{1,5} \(.{1,300}\):$/, 3],
  // The top frames of a crash: sanitizers `#0 0x7f… in fn file:line`, Mozilla `#01: fn [file:line]`.
  [/^\s*#\d{1,3} 0x[0-9a-fA-F]{4,16} in \S|^#\d{1,3}: \S.{0,300}\[\S{1,300}:\d{1,7}\]$/, 2],
  // A diff of expected against received (jest, mocha, assert libraries): indented, unlike `+ cmd`.
  [/^\s+[-+] {1,8}\S/, 2],
  [
    /^\s*\[\s*\d+\s*\/\s*\d+\s*\]\s|^\s*at (?:java\.|javax\.|jdk\.|sun\.|org\.junit\.|org\.gradle\.|kotlin\.|scala\.)|^\s*\.\.\. \d+ more$|^\s*at (?:node:|process\.|Module\.|Object\.<anonymous> \(node:|new Promise \(<anonymous>\))|^\s*at .{0,200}node_modules\/|^To execute this test, run|^This message can be suppressed|^\s*[=\-_*~#]{4,}\s*$/,
    0,
  ],
  [
    /^\s*File ".{1,400}", line \d+|^patching file \S|^Traceback \(most recent call last\)|\bIn (?:member )?function\b|\bIn lambda function\b|^In file included from\b|\brequired from\b|^>>> Lint for\b|\bis needed by\b|^\s*at [^(]{0,200}\(.{1,400}:\d+:\d+\)$|: note: |^\s*\|\s*[\^~]|^\s*\^[~^]*\s*$/,
    2,
  ],
];

/** 0 (adds nothing) to 3 (the assertion itself); blank lines are -1: never worth a slot. */
export function detailScore(text: string, verdict: Verdict): number {
  if (text.trim().length === 0) return -1;
  if (verdict.noise || verdict.wrapper || QUIET_KINDS.has(verdict.kind)) return 0;
  // Errors next to an error are the burst it belongs to; another test's failure is less telling.
  if (verdict.tier >= TIER.medium) return verdict.key ? 1 : 3;
  const { message } = splitLevel(text);
  for (const [re, score] of DETAIL_RULES) if (re.test(message)) return score;
  return 1;
}

/** Passing tests, reruns, ignored errors: lines that say nothing went wrong. */
const QUIET_KINDS = new Set(["pass", "rerun", "ignored", "zero", "warning", "tool-wrapper"]);

const COMPLAINT =
  /\b(?:not|no|cannot|can't|couldn't|unable|missing|invalid|unknown|denied|refused|forbidden|unauthori[sz]ed|expired|conflicts?|aborted|timeout|timed out|failed|failure|errors?)\b/i;

/** Words of a message that reports something wrong, even without an error keyword. */
export function soundsLikeComplaint(text: string): boolean {
  return COMPLAINT.test(text);
}
