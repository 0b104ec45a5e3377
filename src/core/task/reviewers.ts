import picomatch from "picomatch";
import { matchFile, parse } from "codeowners-utils";
import type { ReviewerRule } from "../../config/types.js";

export interface Reviewers {
  users: string[];
  teams: string[];
}

const matcher = (globs: string[]) => picomatch(globs, { dot: true });

/**
 * `pull_request.reviewers` rules, first match wins; when none matches, the CODEOWNERS owners of
 * the changed files. Team owners are `@org/team` in CODEOWNERS and are requested by slug.
 */
export function chooseReviewers(
  changedPaths: string[],
  rules: ReviewerRule[],
  codeowners: string | null,
  exclude: string[],
): Reviewers {
  const rule = rules.find((r) => {
    const matches = matcher(r.paths);
    return changedPaths.some((path) => matches(path));
  });
  const chosen = rule ? { users: rule.users, teams: rule.teams } : codeownersReviewers(changedPaths, codeowners);
  const excluded = new Set(exclude.map((e) => e.toLowerCase()));
  return {
    users: unique(chosen.users).filter((u) => !excluded.has(u.toLowerCase())),
    teams: unique(chosen.teams),
  };
}

function codeownersReviewers(changedPaths: string[], codeowners: string | null): Reviewers {
  if (!codeowners) return { users: [], teams: [] };
  const entries = parse(codeowners);
  const owners = changedPaths.flatMap((path) => matchFile(path, entries)?.owners ?? []);
  const handles = owners.filter((o) => o.startsWith("@")).map((o) => o.slice(1));
  return {
    users: handles.filter((h) => !h.includes("/")),
    teams: handles.filter((h) => h.includes("/")).map((h) => h.slice(h.indexOf("/") + 1)),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
