/** One line of the doctor's checklist: ✓ or ✗, what was found, and how to fix it when ✗. */
export interface Check {
  ok: boolean;
  text: string;
  fix?: string;
}

export interface Section {
  title: string;
  /** Set when the forge is not configured: the section is one neutral line, not a failure. */
  skipped?: string;
  checks: Check[];
}

export const pass = (text: string): Check => ({ ok: true, text });
export const fail = (text: string, fix: string): Check => ({ ok: false, text, fix });

export function failures(sections: readonly Section[]): number {
  return sections.reduce((count, s) => count + s.checks.filter((c) => !c.ok).length, 0);
}

export function renderReport(sections: readonly Section[]): string {
  const lines: string[] = [];
  for (const section of sections) {
    lines.push(section.title);
    if (section.skipped) lines.push(`  – ${section.skipped}`);
    for (const check of section.checks) {
      lines.push(`  ${check.ok ? "✓" : "✗"} ${check.text}`);
      if (!check.ok && check.fix) lines.push(`      fix: ${check.fix}`);
    }
    lines.push("");
  }
  const count = failures(sections);
  lines.push(count === 0 ? "All checks passed." : `${count} problem${count === 1 ? "" : "s"} found.`);
  return lines.join("\n") + "\n";
}

/** "a, b, c and 4 more": long lists of repositories stay one readable line. */
export function listSome(items: readonly string[], most = 10): string {
  if (items.length <= most) return items.join(", ");
  return `${items.slice(0, most).join(", ")} and ${items.length - most} more`;
}

/** The HTTP status of an Octokit or fetch failure, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/** The error's message, with the network cause fetch hides behind "fetch failed" (ECONNREFUSED, ENOTFOUND…). */
export function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  const detail = cause?.code ?? cause?.message;
  return detail && !error.message.includes(detail) ? `${error.message} (${detail})` : error.message;
}
