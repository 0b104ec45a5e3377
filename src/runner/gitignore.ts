import picomatch from "picomatch";

/** One `.gitignore` line (the common subset of gitignore(5): negation, anchoring, directory-only, globs). */
export interface IgnoreRule {
  /** Directory of the `.gitignore` it came from, "" or ending with "/". */
  base: string;
  negate: boolean;
  directoryOnly: boolean;
  /** Anchored patterns match the path below `base`; the others match the last component at any depth. */
  anchored: boolean;
  matches(subject: string): boolean;
}

export function parseGitignore(text: string, directory: string): IgnoreRule[] {
  const base = directory === "" ? "" : `${directory}/`;
  return text
    .split(/\r?\n/)
    .map((line) => parseLine(line, base))
    .filter((rule): rule is IgnoreRule => rule !== null);
}

function parseLine(line: string, base: string): IgnoreRule | null {
  let pattern = line.trimEnd();
  if (pattern === "" || pattern.startsWith("#")) return null;
  const negate = pattern.startsWith("!");
  if (negate) pattern = pattern.slice(1);
  if (pattern.startsWith("\\")) pattern = pattern.slice(1);
  const directoryOnly = pattern.endsWith("/");
  pattern = pattern.replace(/\/+$/, "");
  const anchored = pattern.includes("/");
  pattern = pattern.replace(/^\/+/, "");
  if (pattern === "") return null;
  const matches = picomatch(pattern, { dot: true });
  return { base, negate, directoryOnly, anchored, matches };
}

/** Git's rule: the last matching pattern decides, deeper `.gitignore` files coming later in `rules`. */
export function isIgnored(rules: readonly IgnoreRule[], relativePath: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.directoryOnly && !isDirectory) continue;
    if (!relativePath.startsWith(rule.base)) continue;
    const below = relativePath.slice(rule.base.length);
    const subject = rule.anchored ? below : below.slice(below.lastIndexOf("/") + 1);
    if (rule.matches(subject)) ignored = !rule.negate;
  }
  return ignored;
}
