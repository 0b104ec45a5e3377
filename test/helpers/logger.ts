import type { Logger } from "../../src/core/deps.js";

export interface LogLine {
  level: string;
  msg?: string;
  [key: string]: unknown;
}

/** A logger that records structured lines (with bindings) for assertions. */
export function recordingLogger(lines: LogLine[] = [], bindings: object = {}): Logger & { lines: LogLine[] } {
  const at = (level: string) => (obj: object, msg?: string) => {
    lines.push({ level, ...bindings, ...obj, msg });
  };
  return {
    lines,
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    debug: at("debug"),
    child: (more: object) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

export const fixedClock = (iso = "2026-11-21T10:00:00.000Z") => ({ now: () => new Date(iso) });
