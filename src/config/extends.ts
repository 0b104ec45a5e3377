import { configSchema } from "./schema.js";

/** Where a config file's `_extends` points: the file is fetched from that repository's default branch. */
export interface ExtendsTarget {
  owner: string;
  repo: string;
  path: string;
}

// The schema's pattern is Probot's own (@probot/octokit-plugin-config), so a value the schema
// accepts is one Probot's loader can follow, and vice versa.
const EXTENDS_PATTERN = new RegExp(configSchema.$defs?.extendsTarget?.pattern ?? "^$", "u");

/**
 * Reads `_extends` as Probot does: `repo` and `owner/repo` keep the current file's path, the
 * owner defaults to the current repository's. Null when the value is not of that form.
 */
export function parseExtendsTarget(value: string, current: { owner: string; path: string }): ExtendsTarget | null {
  const match = EXTENDS_PATTERN.exec(value);
  if (match === null || match[2] === undefined) return null;
  return { owner: match[1] ?? current.owner, repo: match[2], path: match[3] ?? current.path };
}
