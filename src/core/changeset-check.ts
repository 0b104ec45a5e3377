import { posix } from "node:path";
import type { ChangeSet, ChangeSetFile, TestResult } from "./changeset.js";
import { redactSecrets } from "../summarize/index.js";

/** Limits on a ChangeSet that arrives from CI: it is untrusted input. */
export const CHANGESET_LIMITS = {
  maxBytes: 50 * 1024 * 1024,
  maxFiles: 10_000,
  maxSummaryChars: 20_000,
  maxTests: 100,
};

export type ChangeSetCheck = { ok: true; changeSet: ChangeSet } | { ok: false; problem: string };

const SHA = /^[0-9a-f]{40}$/;
const ACTIONS = new Set(["create", "update", "delete"]);
const MODES = new Set(["100644", "100755", ""]);
const ENCODINGS = new Set(["utf8", "base64"]);

/**
 * Parses and checks `changeset.json` (version 1) from a CI artifact: size, version, paths that
 * stay inside the repository, known actions, modes and encodings. Says what is wrong in one line.
 * Its free text is posted, so it is redacted here too: the artifact may not come from our runner.
 */
export function checkChangeSet(text: string): ChangeSetCheck {
  if (Buffer.byteLength(text) > CHANGESET_LIMITS.maxBytes)
    return fail(`it is larger than ${CHANGESET_LIMITS.maxBytes / 1024 / 1024} MiB`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("it is not valid JSON");
  }
  if (!isObject(value)) return fail("it is not a JSON object");
  if (value.version !== 1) return fail(`version ${JSON.stringify(value.version)} is not supported (expected 1)`);
  if (typeof value.base_sha !== "string" || !SHA.test(value.base_sha)) return fail("`base_sha` is not a commit SHA");
  if (!Array.isArray(value.files) || value.files.length > CHANGESET_LIMITS.maxFiles)
    return fail(`\`files\` must be a list of at most ${CHANGESET_LIMITS.maxFiles} entries`);
  const files: ChangeSetFile[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of value.files.entries()) {
    const file = checkFile(entry);
    if (typeof file === "string") return fail(`files[${index}]: ${file}`);
    if (seen.has(file.path)) return fail(`files[${index}]: \`${file.path}\` appears twice`);
    seen.add(file.path);
    files.push(file);
  }
  const tests = Array.isArray(value.tests)
    ? value.tests.slice(0, CHANGESET_LIMITS.maxTests).filter(isObject).map(toTestResult)
    : [];
  const summary =
    typeof value.summary === "string" ? redactSecrets(value.summary.slice(0, CHANGESET_LIMITS.maxSummaryChars)) : "";
  const agent = isObject(value.agent)
    ? {
        exit_code: typeof value.agent.exit_code === "number" ? value.agent.exit_code : null,
        timed_out: value.agent.timed_out === true,
        duration_ms: Number(value.agent.duration_ms) || 0,
        output_tail: redactSecrets(String(value.agent.output_tail ?? "").slice(-8000)),
      }
    : undefined;
  return {
    ok: true,
    changeSet: { version: 1, base_sha: value.base_sha, files, summary, tests, ...(agent ? { agent } : {}) },
  };
}

function checkFile(entry: unknown): ChangeSetFile | string {
  if (!isObject(entry)) return "not an object";
  const { path, action, mode, encoding, content } = entry;
  if (typeof path !== "string" || !isSafePath(path))
    return `path ${JSON.stringify(path)} is not a relative path inside the repository`;
  if (typeof action !== "string" || !ACTIONS.has(action)) return `unknown action ${JSON.stringify(action)}`;
  if (typeof mode !== "string" || !MODES.has(mode)) return `unknown mode ${JSON.stringify(mode)}`;
  if (typeof encoding !== "string" || !ENCODINGS.has(encoding)) return `unknown encoding ${JSON.stringify(encoding)}`;
  if (typeof content !== "string") return "content is not a string";
  return { path, action, mode, encoding, content } as ChangeSetFile;
}

/** Normalized, relative, no `..`, nothing under `.git/`. */
export function isSafePath(path: string): boolean {
  if (!path || path.includes("\0") || path.includes("\\") || path.startsWith("/")) return false;
  if (posix.normalize(path) !== path || path.endsWith("/")) return false;
  const parts = path.split("/");
  return !parts.includes("..") && !parts.includes(".") && parts[0] !== ".git";
}

function toTestResult(t: Record<string, unknown>): TestResult {
  return {
    name: String(t.name ?? "test").slice(0, 200),
    command: String(t.command ?? "").slice(0, 1000),
    exit_code: typeof t.exit_code === "number" ? t.exit_code : null,
    duration_ms: Number(t.duration_ms) || 0,
    output_tail: redactSecrets(String(t.output_tail ?? "").slice(-8000)),
    ...(t.skipped === true ? { skipped: true } : {}),
    ...(t.timed_out === true ? { timed_out: true } : {}),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(problem: string): ChangeSetCheck {
  return { ok: false, problem };
}
