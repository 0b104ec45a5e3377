import { resolveConfig } from "../config/index.js";
import type { ConfigLoadResult } from "../config/types.js";

/** Where the repository config is looked for on GitLab, first found wins (docs/configuration.md). */
export const GITLAB_CONFIG_PATHS = [".github/factory.yml", ".gitlab/factory.yml"] as const;

/** Reads one file's text at a ref, or null when it does not exist there. */
export type ReadRepositoryFile = (path: string) => Promise<string | null>;

/**
 * The factory config of a GitLab project: `.github/factory.yml`, else `.gitlab/factory.yml`,
 * with problems located at the file's own line and column. `_extends` (Probot's loader feature)
 * is not followed on GitLab.
 */
export async function loadGitLabConfig(read: ReadRepositoryFile): Promise<ConfigLoadResult> {
  for (const file of GITLAB_CONFIG_PATHS) {
    const text = await read(file);
    if (text !== null) return resolveConfig([{ file, text }]);
  }
  return { status: "missing" };
}
