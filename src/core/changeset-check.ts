import { MAX_PLAN_CHARS } from "./task/plan.js";
import { posix } from "node:path";
import type {
  AgentRecord,
  ChangeSet,
  ChangeSetFile,
  IterationStop,
  IterationsRecord,
  TestResult,
} from "./changeset.js";
import { redactSecrets } from "../summarize/index.js";

/** Limits on a ChangeSet that arrives from CI: it is untrusted input. */
export const CHANGESET_LIMITS = {
  maxBytes: 50 * 1024 * 1024,
  maxFiles: 10_000,
  maxSummaryChars: 20_000,
  maxTests: 100,
  /** Agent runs recorded in `iterations` (`agent.max_iterations` is at most 10). */
  maxRuns: 20,
};

export type ChangeSetCheck = { ok: true; changeSet: ChangeSet } | { ok: false; problem: string };

const SHA = /^[0-9a-f]{40}$/;
const ACTIONS = new Set(["create", "update", "delete"]);
const MODES = new Set(["100644", "100755", ""]);
const ENCODINGS = new Set(["utf8", "base64"]);
const STOP_REASONS = new Set<string>(["passed", "max-iterations", "out-of-time", "no-change", "agent-failed"]);

/**
 * Parses and checks `changeset.json` (version 1, with or without `iterations`: docs/iterations.md) from a CI artifact: size, version, paths that
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
  const tests = testResults(value.tests);
  const summary =
    typeof value.summary === "string" ? redactSecrets(value.summary.slice(0, CHANGESET_LIMITS.maxSummaryChars)) : "";
  const agent = isObject(value.agent) ? toAgentRecord(value.agent) : undefined;
  const iterations = toIterations(value.iterations);
  // A plan run's plan (docs/plans.md): redacted here too, since the artifact is the CI's word.
  const plan = typeof value.plan === "string" ? { plan: redactSecrets(value.plan.slice(0, MAX_PLAN_CHARS * 2)) } : {};
  return {
    ok: true,
    changeSet: {
      version: 1,
      base_sha: value.base_sha,
      files,
      summary,
      tests,
      ...(agent ? { agent } : {}),
      ...(iterations ? { iterations } : {}),
      ...plan,
    },
  };
}

function testResults(value: unknown): TestResult[] {
  return Array.isArray(value) ? value.slice(0, CHANGESET_LIMITS.maxTests).filter(isObject).map(toTestResult) : [];
}

function toAgentRecord(agent: Record<string, unknown>): AgentRecord {
  return {
    exit_code: typeof agent.exit_code === "number" ? agent.exit_code : null,
    timed_out: agent.timed_out === true,
    duration_ms: Number(agent.duration_ms) || 0,
    output_tail: redactSecrets(String(agent.output_tail ?? "").slice(-8000)),
  };
}

/**
 * `iterations` is optional (runners before `agent.max_iterations` leave it out) and only
 * describes the runs; a malformed one is dropped rather than failing a usable ChangeSet.
 */
function toIterations(value: unknown): IterationsRecord | undefined {
  if (!isObject(value) || !Array.isArray(value.runs)) return undefined;
  if (typeof value.stopped !== "string" || !STOP_REASONS.has(value.stopped)) return undefined;
  const runs = value.runs
    .slice(0, CHANGESET_LIMITS.maxRuns)
    .filter(isObject)
    .map((run, index) => ({
      iteration: positiveInteger(run.iteration) ?? index + 1,
      agent: toAgentRecord(isObject(run.agent) ? run.agent : {}),
      changed: run.changed === true,
      tests: testResults(run.tests),
    }));
  return {
    max_iterations: positiveInteger(value.max_iterations) ?? runs.length,
    max_minutes: positiveInteger(value.max_minutes) ?? 0,
    stopped: value.stopped as IterationStop,
    published_run: positiveInteger(value.published_run) ?? 0,
    runs,
  };
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value <= 100_000 ? value : undefined;
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
