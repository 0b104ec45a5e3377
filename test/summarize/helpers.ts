import { summarizeText, type LogSummary } from "../../src/summarize/index.js";

/** GitHub Actions raw log: every line behind a timestamp. */
export function actionsLog(lines: string[]): string {
  return (
    lines
      .map((line, i) => `2024-05-01T10:00:${String(i % 60).padStart(2, "0")}.${String(1000000 + i).slice(1)}0Z ${line}`)
      .join("\n") + "\n"
  );
}

/** GitLab trace: ANSI colours, runner sections started and ended with `\r\e[0K`. */
export function gitlabSection(name: string, header: string, lines: string[]): string[] {
  return [
    `section_start:1714557600:${name}\r\x1b[0K\x1b[0K\x1b[36;1m${header}\x1b[0;m`,
    ...lines,
    `section_end:1714557660:${name}\r\x1b[0K`,
  ];
}

export async function summarize(text: string | string[], maxLines = 12): Promise<LogSummary> {
  return summarizeText(Array.isArray(text) ? text.join("\n") + "\n" : text, { maxLines });
}

export function excerptText(summary: LogSummary): string {
  return summary.excerpt.join("\n");
}
