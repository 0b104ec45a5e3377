import { posix } from "node:path";
import { copyWithinBounds } from "./bounded-value.js";
import { isForbiddenAgentEnv } from "./agent-env.js";
import { formatKeyPath, hasKeyPath, isMapping, valueAtPath, type KeyPath } from "./key-path.js";
import type { KeyLocations, SourcePosition } from "./locations.js";
import { issuesFromAjv, type KeyIssue } from "./messages.js";
import type { ConfigDocument } from "./parse.js";
import { problemAt, sortProblems } from "./problems.js";
import { validateAgainstSchema } from "./schema.js";
import type { ConfigProblem, FactoryConfig } from "./types.js";

export type ConfigValidation =
  { status: "ok"; config: FactoryConfig } | { status: "invalid"; problems: ConfigProblem[] };

/**
 * Checks a (merged) config value against the schema and the rules a schema cannot state, and
 * fills in defaults. `sources` are the parsed files the value came from, in precedence order;
 * they only serve to say in which file, line and column each problem is written.
 * `value` itself is left untouched.
 */
export function validateConfig(value: unknown, sources: readonly ConfigDocument[]): ConfigValidation {
  const copied = copyWithinBounds(value);
  if (!copied.ok) {
    return invalid([problemAt(sources[0]?.file ?? "", undefined, "", "the config is too large or too deeply nested")]);
  }
  const candidate = copied.value;
  const issues = validateAgainstSchema(candidate) ? [] : issuesFromAjv(validateAgainstSchema.errors ?? [], candidate);
  issues.push(...testPathIssues(candidate), ...agentEnvIssues(candidate));
  if (issues.length === 0) return { status: "ok", config: toFactoryConfig(candidate) };
  const problems = uniqueProblems(issues.map((issue) => locate(issue, sources)));
  return invalid(
    sortProblems(
      problems,
      sources.map((source) => source.file),
    ),
  );
}

function invalid(problems: ConfigProblem[]): ConfigValidation {
  return { status: "invalid", problems };
}

/** The schema has made sure of the shape; `_extends` was for the loader only. */
function toFactoryConfig(candidate: unknown): FactoryConfig {
  const { _extends: _ignored, ...config } = candidate as Record<string, unknown>;
  return config as unknown as FactoryConfig;
}

/** A test's working directory is joined to the workspace, so it must not lead out of it. */
function testPathIssues(candidate: unknown): KeyIssue[] {
  const tests = isMapping(candidate) && Array.isArray(candidate.tests) ? candidate.tests : [];
  return tests.flatMap((test: unknown, index) => {
    const path = isMapping(test) ? test.path : undefined;
    const fault = typeof path === "string" ? repositoryPathFault(path) : null;
    if (fault === null) return [];
    const keyPath = ["tests", index, "path"];
    const message =
      `\`${formatKeyPath(keyPath)}\` must be a directory inside the repository, relative to its ` +
      `root (like \`.\` or \`packages/api\`); ${fault}`;
    return [{ path: keyPath, message }];
  });
}

function agentEnvIssues(candidate: unknown): KeyIssue[] {
  const env =
    isMapping(candidate) && isMapping(candidate.agent) && isMapping(candidate.agent.env) ? candidate.agent.env : {};
  return Object.keys(env)
    .filter(isForbiddenAgentEnv)
    .map((name) => ({
      path: ["agent", "env", name],
      message:
        `\`agent.env\` may not set \`${name}\`: the runner sets PATH, HOME, LANG, TMPDIR and FACTORY_* ` +
        "itself, and variables that make a shell or interpreter load code (NODE_OPTIONS, LD_*, BASH_ENV, PYTHON*, GIT_*, " +
        "npm_config_*, …) are refused",
    }));
}

function repositoryPathFault(path: string): string | null {
  if (/^([/\\]|[A-Za-z]:)/.test(path)) return `\`${path}\` is an absolute path`;
  const normalized = posix.normalize(path.replace(/\\/g, "/"));
  if (normalized === ".." || normalized.startsWith("../")) return `\`${path}\` leads out of the repository`;
  return null;
}

function locate(issue: KeyIssue, sources: readonly ConfigDocument[]): ConfigProblem {
  const { document, path } = owningDocument(issue.path, sources);
  const position = document === undefined ? undefined : nearestLocation(document.locations, path);
  return problemAt(document?.file ?? "", position, formatKeyPath(issue.path), issue.message);
}

/**
 * The file whose text ended up at `path` after merging, and how much of `path` it writes (a
 * missing key is reported at its parent). Mappings merge, so the first file defining the key
 * wins; a list or scalar comes whole from the first file that sets it, so its items do too.
 */
function owningDocument(
  path: KeyPath,
  sources: readonly ConfigDocument[],
): { document?: ConfigDocument; path: KeyPath } {
  let candidates = sources;
  for (let depth = 1; depth <= path.length; depth += 1) {
    const prefix = path.slice(0, depth);
    const defining = candidates.filter((source) => hasKeyPath(source.value, prefix));
    if (defining.length === 0) return { document: candidates[0], path: path.slice(0, depth - 1) };
    candidates = mergedInto(defining, prefix);
  }
  return { document: candidates[0], path };
}

/** The leading run of mappings: a scalar or list in between replaces everything below it. */
function mergedInto(defining: readonly ConfigDocument[], prefix: KeyPath): readonly ConfigDocument[] {
  const firstNonMapping = defining.findIndex((source) => !isMapping(valueAtPath(source.value, prefix)));
  return firstNonMapping === -1 ? defining : defining.slice(0, Math.max(firstNonMapping, 1));
}

function nearestLocation(locations: KeyLocations, path: KeyPath): SourcePosition | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const position = locations.get(formatKeyPath(path.slice(0, depth)));
    if (position !== undefined) return position;
  }
  return undefined;
}

function uniqueProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const identity = `${problem.file}\n${problem.key}\n${problem.message}`;
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}
