import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs, promisify } from "node:util";
import { formatProblem, resolveConfig } from "../../config/index.js";
import type { FactoryConfig } from "../../config/types.js";
import type { ChangeSet } from "../../core/changeset.js";
import { systemClock, type Logger } from "../../core/deps.js";
import type { TaskRunResult, TaskSpec } from "../../core/task-runner.js";
import { renderBranchName } from "../../core/templates.js";
import { agentEnvNamesFromEnv, runTaskInDirectory } from "../../runner/index.js";
import type { CliCommand, CliIo } from "./types.js";

const USAGE = `Usage: factory-bot task --issue N --title TEXT --output changeset.json [options]

Runs one factory task in the current checkout (for CI runners): the config's agent command,
then its tests, and the agent again while they fail (agent.max_iterations, within
agent.max_minutes), and writes the ChangeSet (changeset.json, version 1, with its runs under
"iterations"). Runs what the config says (FACTORY_ALLOWED_COMMANDS does not apply: this is the
repository's own CI).

Options:
  --issue N             issue number (required)
  --title TEXT          issue title (required)
  --body-file F         file with the issue body
  --url URL             link to the issue
  --branch B            task branch (default: from the pull_request.branch template)
  --base B              base branch (default: pull_request.base, else "main")
  --attempt K           1 for the first run, 2.. for fix attempts (default 1)
  --failure-file F      CI failure summary, for fix attempts
  --mode M              "implement" (default) or "plan": the agent writes a plan to FACTORY_PLAN_FILE,
                        its changes are discarded, and the ChangeSet carries the plan (docs/plans.md)
  --plan-file F         implement: the approved plan (given in FACTORY_PLAN_FILE); plan: the
                        people's refinement requests, added to the task file
  --config F            config file (default .github/factory.yml, then .gitlab/factory.yml)
  --output F            where to write the ChangeSet (required)
  -h, --help            show this help

Exit status: 0 when a ChangeSet was written (agent and test failures are recorded in it),
1 when none could be produced, 2 for a bad command line.
`;

const exec = promisify(execFile);

export const taskCommand: CliCommand = async (args, io) => {
  let values;
  try {
    ({ values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    io.stderr.write(`factory-bot task: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const issue = Number(values.issue);
  if (!Number.isInteger(issue) || issue <= 0 || !values.title || !values.output) {
    io.stderr.write(`factory-bot task: --issue (a positive number), --title and --output are required\n\n${USAGE}`);
    return 2;
  }
  try {
    const config = await loadConfig(io, values.config);
    const task = await taskSpec(io, config, { ...values, issue });
    const result = await runTaskInDirectory(io.cwd, task, {
      serverEnv: io.env,
      agentEnvNames: agentEnvNamesFromEnv(io.env),
      logger: stderrLogger(io),
      clock: systemClock,
    });
    if (result.kind === "refused") throw new Error(result.message);
    if (result.kind === "dispatched" || result.kind === "queued")
      throw new Error("the task was handed elsewhere instead of running here");
    await writeFile(resolve(io.cwd, values.output), JSON.stringify(toChangeSet(result, task.baseSha), null, 2) + "\n");
    io.stdout.write(describe(result) + "\n");
    return 0;
  } catch (err) {
    io.stderr.write(`factory-bot task: ${(err as Error).message}\n`);
    return 1;
  }
};

const OPTIONS = {
  issue: { type: "string" },
  title: { type: "string" },
  "body-file": { type: "string" },
  url: { type: "string" },
  branch: { type: "string" },
  base: { type: "string" },
  attempt: { type: "string" },
  "failure-file": { type: "string" },
  mode: { type: "string" },
  "plan-file": { type: "string" },
  config: { type: "string" },
  output: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

async function loadConfig(io: CliIo, file: string | undefined): Promise<FactoryConfig> {
  const candidates = file ? [file] : [".github/factory.yml", ".gitlab/factory.yml"];
  for (const candidate of candidates) {
    const text = await readFile(resolve(io.cwd, candidate), "utf8").catch(() => null);
    if (text === null) continue;
    const result = resolveConfig([{ file: candidate, text }]);
    if (result.status === "ok") return result.config;
    if (result.status === "invalid")
      throw new Error(`the config has problems:\n${result.problems.map(formatProblem).join("\n")}`);
  }
  throw new Error(`no config found (looked for ${candidates.join(", ")})`);
}

interface TaskArgs {
  issue: number;
  title?: string;
  "body-file"?: string;
  url?: string;
  branch?: string;
  base?: string;
  attempt?: string;
  "failure-file"?: string;
  mode?: string;
  "plan-file"?: string;
}

async function taskSpec(io: CliIo, config: FactoryConfig, args: TaskArgs): Promise<TaskSpec> {
  const read = (f: string | undefined) => (f ? readFile(resolve(io.cwd, f), "utf8") : Promise.resolve(undefined));
  if (args.mode !== undefined && args.mode !== "plan" && args.mode !== "implement")
    throw new Error(`--mode must be "plan" or "implement", not "${args.mode}"`);
  const [body, failureSummary, planText, baseSha] = await Promise.all([
    read(args["body-file"]),
    read(args["failure-file"]),
    read(args["plan-file"]),
    headSha(io),
  ]);
  const mode = args.mode === "plan" ? "plan" : "implement";
  const plan = planText?.trim() ? (mode === "plan" ? { planRequests: planText } : { approvedPlan: planText }) : {};
  const title = args.title ?? "";
  return {
    repoFullName: io.env.GITHUB_REPOSITORY ?? io.env.CI_PROJECT_PATH ?? "",
    issue: { number: args.issue, title, body: body ?? "", url: args.url ?? "" },
    branch: args.branch ?? renderBranchName(config.pull_request.branch, { number: args.issue, title }),
    base: args.base ?? config.pull_request.base ?? "main",
    baseSha,
    attempt: Number(args.attempt ?? 1) || 1,
    failureSummary,
    config,
    mode,
    ...plan,
  };
}

/** The checkout's commit: from git, else from the CI's own variables. */
async function headSha(io: CliIo): Promise<string> {
  try {
    const { stdout } = await exec("git", ["rev-parse", "HEAD"], { cwd: io.cwd });
    return stdout.trim();
  } catch {
    const sha = io.env.GITHUB_SHA ?? io.env.CI_COMMIT_SHA;
    if (sha) return sha;
    throw new Error("cannot tell the base commit: not a git checkout and neither GITHUB_SHA nor CI_COMMIT_SHA is set");
  }
}

type RanHere = Extract<TaskRunResult, { kind: "completed" | "agent-failed" | "planned" }>;

function toChangeSet(result: RanHere, baseSha: string): ChangeSet {
  const agent = {
    exit_code: result.agent.exitCode,
    timed_out: result.agent.timedOut,
    duration_ms: result.agent.durationMs,
    output_tail: result.agent.outputTail,
  };
  if (result.kind === "completed") return { ...result.changeSet, agent };
  if (result.kind === "planned")
    return { version: 1, base_sha: baseSha, files: [], summary: "", tests: [], agent, plan: result.plan };
  const iterations = result.iterations ? { iterations: result.iterations } : {};
  return { version: 1, base_sha: baseSha, files: [], summary: "", tests: [], agent, ...iterations };
}

function describe(result: RanHere): string {
  if (result.kind === "planned")
    return result.plan ? `plan written (${result.plan.length} characters); no change kept` : "the agent wrote no plan";
  if (result.kind === "agent-failed") {
    const how = result.outOfTime ? ", out of time (agent.max_minutes)" : result.agent.timedOut ? ", timed out" : "";
    return `agent failed (exit ${result.agent.exitCode ?? "none"}${how}); recorded in the ChangeSet`;
  }
  const { files, tests, iterations } = result.changeSet;
  const failed = tests.filter((t) => !t.skipped && t.exit_code !== 0).length;
  const runs = iterations ? `; ${iterations.runs.length} agent run(s), stopped: ${iterations.stopped}` : "";
  return `${files.length} changed file(s); ${tests.length} test(s), ${failed} failed${runs}`;
}

function stderrLogger(io: CliIo): Logger {
  const write = (level: string) => (obj: object, msg?: string) =>
    io.stderr.write(JSON.stringify({ level, msg, ...obj }) + "\n");
  const logger: Logger = {
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    debug: () => {},
    child: () => logger,
  };
  return logger;
}
