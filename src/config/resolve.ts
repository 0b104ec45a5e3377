import { setOwn } from "./bounded-value.js";
import { isMapping } from "./key-path.js";
import { parseConfigText, type ConfigDocument, type ParsedConfigText } from "./parse.js";
import type { ConfigLoadResult, ConfigProblem } from "./types.js";
import { validateConfig } from "./validate.js";

/** One config file's text; `file` names it in problems (e.g. `org/.github:.github/factory.yml`). */
export interface ConfigSourceText {
  file: string;
  text: string;
}

/**
 * Parses, merges and validates a repository's config. `sources` are in precedence order, as
 * Probot's loader returns them: the repository's own file first, then the files it `_extends`.
 * Later files are bases the earlier ones override; mappings merge key by key, lists and scalars
 * replace. No sources means the repository has no config file.
 */
export function resolveConfig(sources: ReadonlyArray<ConfigSourceText>): ConfigLoadResult {
  return resolveParsed(sources.map((source) => parseConfigText(source.text, source.file)));
}

/** `resolveConfig` for files parsed already (the `_extends` chain is parsed while it is followed). */
export function resolveParsed(parsed: ReadonlyArray<ParsedConfigText>): ConfigLoadResult {
  if (parsed.length === 0) return { status: "missing" };
  const documents: ConfigDocument[] = [];
  const problems: ConfigProblem[] = [];
  for (const file of parsed) {
    if (file.status === "ok") documents.push(file.document);
    else problems.push(...file.problems);
  }
  if (problems.length > 0) return { status: "invalid", problems };
  const merged = documents.map((document) => document.value).reduceRight<unknown>(mergeOver, {});
  const validation = validateConfig(merged, documents);
  if (validation.status === "invalid") return validation;
  return { status: "ok", config: validation.config, files: documents.map((document) => document.file) };
}

/** `override` on top of `base`: mappings merge recursively, anything else replaces. */
export function mergeOver(base: unknown, override: unknown): unknown {
  if (!isMapping(base) || !isMapping(override)) return override;
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) setOwn(merged, key, value);
  for (const [key, value] of Object.entries(override)) {
    setOwn(merged, key, Object.hasOwn(base, key) ? mergeOver(base[key], value) : value);
  }
  return merged;
}
