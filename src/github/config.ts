import type { ConfigLoadResult, ConfigProblem } from "../config/types.js";
import { mergeOver, resolveConfig, sizeProblem, validateConfig } from "../config/index.js";
import { github, toForgeError } from "./errors.js";
import type { Octokit } from "./forge.js";

/** Where the repository config lives (docs/configuration.md). */
export const CONFIG_PATH = ".github/factory.yml";

interface ConfigFile {
  owner: string;
  repo: string;
  path: string;
  url: string;
  config: Record<string, unknown> | null;
}

interface YamlErrorCause {
  linePos?: Array<{ line: number; col: number }>;
  message?: string;
}

function fileLabel(file: { owner: string; repo: string; path: string }, repo: { owner: string; repo: string }): string {
  return file.owner === repo.owner && file.repo === repo.repo ? file.path : `${file.owner}/${file.repo}:${file.path}`;
}

/**
 * Reads `.github/factory.yml` through Probot's config loader (default branch, `_extends`, the
 * organization's `.github` repository). Raw texts are fetched only when the merged config is
 * invalid, to point at the line and column of each problem.
 */
export async function loadGitHubConfig(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  ref?: string,
): Promise<ConfigLoadResult> {
  let files: ConfigFile[];
  let merged: Record<string, unknown>;
  const refuseLarge = refuseLargeFiles(repo);
  octokit.hook.after("request", refuseLarge);
  try {
    const result = await octokit.config.get({
      ...repo,
      path: CONFIG_PATH,
      ...(ref ? { branch: ref } : {}),
      // Probot merges only top-level keys; objects merge deeply here, as `resolveConfig` does.
      defaults: (configs: Array<Record<string, unknown>>) =>
        configs.reduce<Record<string, unknown>>(
          (merged, config) => mergeOver(merged, config) as Record<string, unknown>,
          {},
        ),
    });
    files = result.files as ConfigFile[];
    merged = result.config as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ConfigTooLarge) return { status: "invalid", problems: [err.problem] };
    // An API failure (5xx, rate limit, network) is not a config problem: let it be retried or reported.
    if (
      typeof (err as { status?: unknown }).status === "number" ||
      !(err instanceof Error) ||
      !err.message.includes("octokit-plugin-config")
    ) {
      throw toForgeError(err, "config download");
    }
    return { status: "invalid", problems: [loaderProblem(err)] };
  } finally {
    octokit.hook.remove("request", refuseLarge);
  }
  const found = files.filter((f) => f.config !== null);
  if (found.length === 0) return { status: "missing" };
  const labels = found.map((f) => fileLabel(f, repo));
  const validated = validateConfig(merged, []);
  if (validated.status === "ok") return { ...validated, files: labels };
  const sources = await Promise.all(
    found.map(async (f) => ({
      file: fileLabel(f, repo),
      text: await rawConfigText(octokit, f, f.owner === repo.owner && f.repo === repo.repo ? ref : undefined),
    })),
  );
  return resolveConfig(sources);
}

class ConfigTooLarge extends Error {
  constructor(readonly problem: ConfigProblem) {
    super(problem.message);
  }
}

/**
 * Probot's loader parses what it downloads; the same size limit as on GitLab (`parseConfigText`)
 * is applied to each raw config file it reads, before it parses it.
 */
function refuseLargeFiles(repo: { owner: string; repo: string }) {
  return (response: { data: unknown; url: string }): void => {
    const file = /\/repos\/([^/]+)\/([^/]+)\/contents\/([^?]+)/.exec(response.url);
    if (!file || typeof response.data !== "string") return;
    const path = decodeURIComponent(file[3] ?? "");
    const problem = sizeProblem(
      Buffer.byteLength(response.data, "utf8"),
      fileLabel({ owner: file[1] ?? "", repo: file[2] ?? "", path }, repo),
    );
    if (problem) throw new ConfigTooLarge(problem);
  };
}

async function rawConfigText(octokit: Octokit, file: ConfigFile, ref?: string): Promise<string> {
  const { data } = await github("config file download", () =>
    octokit.rest.repos.getContent({
      owner: file.owner,
      repo: file.repo,
      path: file.path,
      mediaType: { format: "raw" },
      ...(ref ? { ref } : {}),
    }),
  );
  return typeof data === "string" ? data : "";
}

/** Probot's loader throws for YAML it cannot parse; its `cause` (the `yaml` package) has the position. */
function loaderProblem(err: unknown): ConfigProblem {
  const error = err as Error & { cause?: YamlErrorCause };
  const position = error.cause?.linePos?.[0];
  const url = /from (\S+)/.exec(error.message)?.[1] ?? CONFIG_PATH;
  const file = /\/repos\/([^/]+)\/([^/]+)\/contents\/([^?]+)/.exec(url);
  return {
    file: file ? `${file[1]}/${file[2]}:${decodeURIComponent(file[3] ?? "")}` : url,
    line: position?.line ?? null,
    column: position?.col ?? null,
    key: "",
    message: error.cause?.message?.split("\n")[0] ?? error.message.replace("[@probot/octokit-plugin-config] ", ""),
  };
}
