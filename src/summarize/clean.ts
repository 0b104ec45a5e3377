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

// ESC [ params intermediates final | ESC ] … BEL/ST | two-byte ESC sequences. Classes are
// disjoint, so nothing backtracks. Terminal escapes are control characters by definition:
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b(?:\[[0-?]{0,64}[ -/]{0,8}[@-~]|\][^\x07\x1b]{0,4096}(?:\x07|\x1b\\)?|[@-Z\\-_])/g;
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
  let line = stripTimestamp(unmarked);
  const actionsTimestamp = line.length < unmarked.length && unmarked.charCodeAt(10) === 84; /* T */
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
