/**
 * Turns a raw log line into the text a person saw: without the runner's timestamps, colours and
 * section markers, and with carriage-return overwrites (progress bars) applied.
 */

export interface SectionEvent {
  source: "gitlab" | "travis";
  kind: "start" | "end";
  name: string;
}

export interface CleanLine {
  text: string;
  /** GitLab `section_start/end` and Travis `travis_fold` markers found on the line, in order. */
  sections: SectionEvent[];
  /** The visible text is the header a runner printed right after opening a section. */
  isSectionHeader: boolean;
  /** The line opened a section and showed nothing: the next line is likely the section's header. */
  endsWithSectionStart: boolean;
  /** A GitHub Actions timestamp led the line (the runner stamps every line a step prints). */
  actionsTimestamp: boolean;
}

// ESC [ params intermediates final | ESC ] … BEL/ST | ESC _ … BEL/ST (Buildkite stamps lines
// with `ESC _ bk;t=1700000000000 BEL`) | two-byte ESC sequences. Classes are disjoint, so
// nothing backtracks. Terminal escapes are control characters by definition:
const ANSI =
  // eslint-disable-next-line no-control-regex
  /\x1b(?:\[[0-?]{0,64}[ -/]{0,8}[@-~]|\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|_[^\x07\x1b]{0,512}(?:\x07|\x1b\\)|[@-Z\\-_])/g;
// Control characters other than tab, and byte-order marks.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\ufeff]/g;
// ISO (GitHub Actions `2024-01-01T00:00:00.1234567Z `, GitLab `…Z 00O+ `), maybe bracketed, then
// one separator: what follows is the line's own indentation. Jenkins' timestamper `HH:MM:SS  `.
const ISO_TIMESTAMP =
  /^\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?\]?(?: \d\d[OE]\+?)?(?: |\t|$)/;
const CLOCK_TIMESTAMP = /^\[?\d\d:\d\d:\d\d(?:[.,]\d{1,9})?\]?(?: {1,2}|\t|$)/;
const GITLAB_SECTION = /section_(start|end):\d{1,20}:([A-Za-z0-9_.-]{1,200})(?:\[[^\]\r\n]{0,500}\])?/g;
const TRAVIS_MARKER = /travis_(fold|time):(start|end):([A-Za-z0-9_.:=,-]{0,200})/g;

export function cleanLine(raw: string): CleanLine {
  // A byte-order mark where a file was concatenated into the log would hide the timestamp.
  const unmarked = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const prefixed = stripRunnerPrefixes(unmarked);
  let line = prefixed.text;
  const actionsTimestamp = prefixed.actionsTimestamp;
  if (line.endsWith("\r")) line = line.slice(0, -1);
  const sections: SectionEvent[] = [];
  const visible = line.includes("\r")
    ? lastVisibleSegment(line, sections)
    : { text: stripMarkers(line, sections), afterStart: false };
  const text = visible.text.replace(CONTROL, "").trimEnd();
  const last = sections[sections.length - 1];
  return {
    text,
    sections,
    isSectionHeader: visible.afterStart && text.length > 0,
    endsWithSectionStart: text.length === 0 && last?.kind === "start",
    actionsTimestamp,
  };
}

/**
 * Prefixes that runners and multiplexers put before each line, removed for matching and for
 * display (docs/summarizer.md lists them). Each is anchored and bounded; they may stack
 * (`gh run view --log` before a timestamp, Taskcluster before mozharness before `PID n | `).
 */
const GH_RUN_VIEW = /^[^\t\n]{1,300}\t[^\t\n]{0,300}\t(?=\d{4}-\d\d-\d\dT\d\d:)/;
const TASKCLUSTER = /^\[(?:task|taskcluster|setup|vcs|fetches) \d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d{1,9})?Z\] /;
const MOZHARNESS = /^\d\d:\d\d:\d\d {1,8}(?:INFO|WARNING|ERROR|CRITICAL|FATAL|DEBUG) - {1,2}/;
const MOZ_PROCESS = /^(?:PID \d{1,10}|GECKO\(\d{1,10}\)) \| /;
const NETLIFY = /^\d{1,2}:\d\d:\d\d [AP]M: /;
const OBS = /^\[ {0,8}\d{1,7}s\] /;
const CONCURRENTLY = /^\[\d{1,3}\] /;
const MOCK_STDERR = /^BUILDSTDERR: /;
const PREFIXES: readonly RegExp[] = [TASKCLUSTER, MOZHARNESS, MOZ_PROCESS, NETLIFY, OBS, CONCURRENTLY, MOCK_STDERR];
const MAX_PREFIXES = 6;

/** The line without its runner prefixes; whether a GitHub Actions timestamp was among them. */
export function stripRunnerPrefixes(line: string): { text: string; actionsTimestamp: boolean } {
  let text = line;
  let actionsTimestamp = false;
  const tab = text.indexOf("\t");
  if (tab > 0 && tab < 300) {
    const gh = GH_RUN_VIEW.exec(text);
    if (gh) text = text.slice(gh[0].length);
  }
  for (let round = 0; round < MAX_PREFIXES; round++) {
    const before = text;
    text = stripOnePrefix(text);
    // A prefix that starts with a clock (mozharness) goes before the clock alone would.
    if (text !== before) continue;
    const stamped = stripTimestamp(text);
    if (stamped !== text && text.charCodeAt(10) === 84 /* T */ && text.charCodeAt(4) === 45 /* - */)
      actionsTimestamp = true;
    text = stamped;
    if (text === before) break;
  }
  return { text, actionsTimestamp };
}

function stripOnePrefix(text: string): string {
  const first = text.charCodeAt(0);
  // Every prefix starts with `[`, a digit, `P`, `G` or `B`: other lines cost one comparison.
  if (first !== 91 && !(first >= 48 && first <= 57) && first !== 80 && first !== 71 && first !== 66) return text;
  for (const prefix of PREFIXES) {
    const match = prefix.exec(text);
    if (match) return text.slice(match[0].length);
  }
  return text;
}

/** Removes a leading timestamp; only tried when the line starts like one. */
export function stripTimestamp(line: string): string {
  const first = line.charCodeAt(0);
  const digit = first >= 48 && first <= 57;
  if (!digit && first !== 91 /* [ */) return line;
  const match = ISO_TIMESTAMP.exec(line) ?? CLOCK_TIMESTAMP.exec(line);
  return match ? line.slice(match[0].length) : line;
}

export function stripAnsi(text: string): string {
  return text.includes("\x1b") ? text.replace(ANSI, "") : text;
}

/**
 * A terminal shows, after `\r`, what was written last: the last segment that has text. A
 * segment right after a section start is that section's header.
 */
function lastVisibleSegment(line: string, sections: SectionEvent[]): { text: string; afterStart: boolean } {
  let text = "";
  let afterStart = false;
  let previousWasStart = false;
  for (const segment of line.split("\r")) {
    const before = sections.length;
    const cleaned = stripMarkers(segment, sections);
    const startedHere = sections.slice(before).some((s) => s.kind === "start");
    if (cleaned.trim().length > 0) {
      text = cleaned;
      afterStart = previousWasStart || startedHere;
    }
    previousWasStart = startedHere && cleaned.trim().length === 0;
  }
  return { text, afterStart };
}

function stripMarkers(segment: string, sections: SectionEvent[]): string {
  let text = stripAnsi(segment);
  if (text.includes("section_")) {
    text = text.replace(GITLAB_SECTION, (_m, kind: string, name: string) => {
      sections.push({ source: "gitlab", kind: kind as SectionEvent["kind"], name });
      return "";
    });
  }
  if (text.includes("travis_")) {
    text = text.replace(TRAVIS_MARKER, (_m, type: string, kind: string, name: string) => {
      if (type === "fold") sections.push({ source: "travis", kind: kind as SectionEvent["kind"], name });
      return "";
    });
  }
  return text;
}
