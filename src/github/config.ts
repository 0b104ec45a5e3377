import type { ConfigLoadResult } from "../config/types.js";
import { loadConfigChain, NotAConfigFile, type ConfigFileRef } from "../config/index.js";
import { toForgeError } from "./errors.js";
import type { Octokit } from "./forge.js";

/** Where the repository config lives (docs/configuration.md). */
export const CONFIG_PATH = ".github/factory.yml";

/**
 * Reads `.github/factory.yml` as Probot's config loader does (default branch, the organization's
 * `.github` repository, `_extends`), but fetches each file once and parses it with the same parser
 * as `factory-bot validate` and GitLab: Probot's loader parses with another YAML library and keeps
 * no positions, which meant fetching the files again to locate a problem.
 */
export async function loadGitHubConfig(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  ref?: string,
): Promise<ConfigLoadResult> {
  const own = (file: ConfigFileRef) => file.owner === repo.owner && file.repo === repo.repo;
  return loadConfigChain(repo, CONFIG_PATH, (file) => rawConfigText(octokit, file, own(file) ? ref : undefined));
}

/** The file's text, or null when it does not exist; API failures become forge errors, to be retried or reported. */
async function rawConfigText(octokit: Octokit, file: ConfigFileRef, ref?: string): Promise<string | null> {
  let data: unknown;
  try {
    ({ data } = await octokit.rest.repos.getContent({
      owner: file.owner,
      repo: file.repo,
      path: file.path,
      mediaType: { format: "raw" },
      ...(ref ? { ref } : {}),
    }));
  } catch (err) {
    if ((err as { status?: unknown }).status === 404) return null;
    throw toForgeError(err, "config download");
  }
  // A directory or submodule answers with its JSON listing even when raw is asked for.
  if (typeof data !== "string") throw new NotAConfigFile(`${file.owner}/${file.repo}:${file.path}`);
  return data;
}
