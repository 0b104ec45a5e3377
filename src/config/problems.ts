import type { ConfigProblem } from "./types.js";
import type { SourcePosition } from "./locations.js";

export function problemAt(
  file: string,
  position: SourcePosition | undefined,
  key: string,
  message: string,
): ConfigProblem {
  return { file, line: position?.line ?? null, column: position?.column ?? null, key, message };
}

/** `file:line:col: message`, leaving out what is unknown (as compilers do, so editors can jump there). */
export function formatProblem(problem: ConfigProblem): string {
  const place = [problem.file, problem.line, problem.line === null ? null : problem.column]
    .filter((part) => part !== null && part !== "")
    .join(":");
  return place === "" ? problem.message : `${place}: ${problem.message}`;
}

/** Stable order for people reading a list: by file (in the given order), then by position. */
export function sortProblems(problems: ConfigProblem[], files: readonly string[]): ConfigProblem[] {
  const rank = (file: string) => (files.includes(file) ? files.indexOf(file) : files.length);
  return [...problems].sort(
    (a, b) =>
      rank(a.file) - rank(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.key.localeCompare(b.key),
  );
}
