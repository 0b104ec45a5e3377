import { parseExtendsTarget } from "./extends.js";
import { parseConfigText, type ParsedConfigText } from "./parse.js";
import { problemAt } from "./problems.js";
import { resolveParsed } from "./resolve.js";
import type { ConfigLoadResult } from "./types.js";

/** A config file in some repository. */
export interface ConfigFileRef {
  owner: string;
  repo: string;
  path: string;
}

/**
 * Reads one config file's text: the repository's own file at the ref being checked, any other
 * (the organization's `.github` repository, `_extends` bases) at its default branch. Null when the
 * file does not exist; throws `NotAConfigFile` for a directory or submodule at that path.
 */
export type ReadConfigFile = (file: ConfigFileRef) => Promise<string | null>;

/** The path names a directory or a submodule, not a file. */
export class NotAConfigFile extends Error {}

/** Longer `_extends` chains are mistakes; each link is one API call. */
export const MAX_EXTENDS_CHAIN = 10;

/**
 * Loads a repository's config as Probot's config loader finds it
 * (https://github.com/probot/octokit-plugin-config#usage): the repository's file, else the
 * organization's `.github` repository's file at the same path, then each `_extends` base in turn.
 * Every file is fetched once and parsed once, by the same parser as `factory-bot validate`, so
 * positions, anchors and merge keys are the same everywhere. A base that does not exist or a loop
 * is a problem at the `_extends` line (Probot's loader skips the first and throws on the second).
 */
export async function loadConfigChain(
  repo: { owner: string; repo: string },
  path: string,
  read: ReadConfigFile,
): Promise<ConfigLoadResult> {
  const label = (file: ConfigFileRef) =>
    file.owner === repo.owner && file.repo === repo.repo ? file.path : `${file.owner}/${file.repo}:${file.path}`;
  const readLabelled = async (file: ConfigFileRef): Promise<string | null | ParsedConfigText> => {
    try {
      return await read(file);
    } catch (error) {
      if (!(error instanceof NotAConfigFile)) throw error;
      const message = `${path} is a directory or a submodule here, not a config file`;
      return { status: "invalid", problems: [problemAt(label(file), undefined, "", message)] };
    }
  };

  let file: ConfigFileRef = { owner: repo.owner, repo: repo.repo, path };
  let text = await readLabelled(file);
  if (text === null && repo.repo !== ".github") {
    file = { owner: repo.owner, repo: ".github", path };
    text = await readLabelled(file);
  }
  if (text === null) return { status: "missing" };

  const chain: ParsedConfigText[] = [];
  const seen: ConfigFileRef[] = [];
  while (text !== null) {
    const parsed: ParsedConfigText = typeof text === "string" ? parseConfigText(text, label(file)) : text;
    chain.push(parsed);
    seen.push(file);
    const base = parsed.status === "ok" ? extendsTarget(parsed, repo.owner, path) : null;
    if (base === null || parsed.status !== "ok") break;
    const at = parsed.document.locations.get("_extends");
    const problem = (message: string) => problemAt(parsed.document.file, at, "_extends", message);
    if (seen.some((loaded) => sameFile(loaded, base))) {
      chain.push(invalid(problem(`\`_extends\` leads back to ${label(base)}, which this config already includes`)));
      break;
    }
    if (seen.length >= MAX_EXTENDS_CHAIN) {
      chain.push(invalid(problem(`\`_extends\` chains more than ${MAX_EXTENDS_CHAIN} files; shorten the chain`)));
      break;
    }
    text = await readLabelled(base);
    if (text === null) {
      const message = `\`_extends\` names ${label(base)}, which does not exist (or the app cannot read it) on that repository's default branch`;
      chain.push(invalid(problem(message)));
    }
    file = base;
  }
  return resolveParsed(chain);
}

/** The base a parsed file extends, or null; a malformed `_extends` is left for the schema to report. */
function extendsTarget(parsed: ParsedConfigText & { status: "ok" }, owner: string, path: string) {
  const value = parsed.document.value._extends;
  return typeof value === "string" ? parseExtendsTarget(value, { owner, path }) : null;
}

function sameFile(a: ConfigFileRef, b: ConfigFileRef): boolean {
  return (
    a.owner.toLowerCase() === b.owner.toLowerCase() &&
    a.repo.toLowerCase() === b.repo.toLowerCase() &&
    a.path === b.path
  );
}

function invalid(problem: ReturnType<typeof problemAt>): ParsedConfigText {
  return { status: "invalid", problems: [problem] };
}
