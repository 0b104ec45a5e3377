/** `changeset.json`, version 1 (docs/ci-runners.md). */
export interface ChangeSetFile {
  /** Relative, normalized, inside the repository. */
  path: string;
  action: "create" | "update" | "delete";
  /** Git file mode: "100644" or "100755" ("" for deletions). */
  mode: "100644" | "100755" | "";
  encoding: "utf8" | "base64";
  /** File content in `encoding`; empty for deletions. */
  content: string;
}

export interface TestResult {
  name: string;
  command: string;
  /** null when the test was skipped because no changed file matched its `paths`. */
  exit_code: number | null;
  duration_ms: number;
  /** Last lines of output, secrets redacted. */
  output_tail: string;
  skipped?: boolean;
  timed_out?: boolean;
}

/** How the agent ended, recorded by `factory-bot task` so a failed run still explains itself. */
export interface AgentRecord {
  exit_code: number | null;
  timed_out: boolean;
  duration_ms: number;
  output_tail: string;
}

/**
 * Why the iteration loop stopped (docs/iterations.md): the tests passed, `agent.max_iterations`
 * runs were made, the `agent.max_minutes` budget was spent, a run changed nothing, or a re-run of
 * the agent failed.
 */
export type IterationStop = "passed" | "max-iterations" | "out-of-time" | "no-change" | "agent-failed";

/** One agent run of a task and the tests that followed it. */
export interface IterationRun {
  /** 1-based, as `FACTORY_ITERATION`. */
  iteration: number;
  agent: AgentRecord;
  /** Whether the run changed the workspace; false also when the run did not finish. */
  changed: boolean;
  /** The tests after this run; empty when they did not run (the run failed, was stopped, or changed nothing). */
  tests: TestResult[];
}

/** The iterations of a task; optional in version 1, so older bots and older runners still agree. */
export interface IterationsRecord {
  max_iterations: number;
  max_minutes: number;
  stopped: IterationStop;
  /** The run whose workspace `files` and `tests` hold: the last run that finished with its tests. */
  published_run: number;
  runs: IterationRun[];
}

export interface ChangeSet {
  version: 1;
  base_sha: string;
  files: ChangeSetFile[];
  /** What the agent said it did (FACTORY_SUMMARY_FILE), or empty. */
  summary: string;
  tests: TestResult[];
  /** Present in CI-made ChangeSets; when the agent failed, `files` is empty. */
  agent?: AgentRecord;
  /** Present when the runner iterates (every runner since `agent.max_iterations`). */
  iterations?: IterationsRecord;
  /** Plan runs only (`factory-bot task --mode plan`): the plan the agent wrote; `files` is then empty. */
  plan?: string;
}
