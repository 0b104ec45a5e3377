import ignore, { type Ignore } from "ignore";

/**
 * The patterns of one `.gitignore` file, matched by the `ignore` package (gitignore(5) as git
 * implements it: negation, anchoring, directory-only patterns, `**`, escapes, character classes).
 */
export interface IgnoreRule {
  /** Directory of the `.gitignore` it came from, "" or ending with "/". */
  base: string;
  matcher: Ignore;
}

export function parseGitignore(text: string, directory: string): IgnoreRule[] {
  const matcher = ignore().add(text);
  return [{ base: directory === "" ? "" : `${directory}/`, matcher }];
}

/**
 * Git's rule: the last matching pattern decides, deeper `.gitignore` files coming later in `rules`.
 * Each file's own last match is `ignore`'s answer; a deeper file's match overrides it.
 */
export function isIgnored(rules: readonly IgnoreRule[], relativePath: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (!relativePath.startsWith(rule.base)) continue;
    const below = relativePath.slice(rule.base.length) + (isDirectory ? "/" : "");
    const { ignored: excluded, unignored } = rule.matcher.test(below);
    if (excluded) ignored = true;
    else if (unignored) ignored = false;
  }
  return ignored;
}
