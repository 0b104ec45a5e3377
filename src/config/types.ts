/** The validated, defaults-filled shape of `.github/factory.yml` (docs/configuration.md). */
export type MinPermission = "write" | "maintain" | "admin";
export type RunnerKind = "local" | "actions" | "gitlab-ci";
export type CiCommentsMode = "all" | "factory" | "off";
export type NetworkMode = "on" | "off";

export interface TestSpec {
  name: string;
  command: string;
  /** Working directory relative to the repository root; stays inside it. */
  path: string;
  timeout_seconds: number;
  /** Globs over changed files; the test runs when any changed file matches. `["**"]` = always. */
  paths: string[];
}

export interface ReviewerRule {
  paths: string[];
  users: string[];
  teams: string[];
}

export interface FactoryConfig {
  trigger: { label: string; min_permission: MinPermission };
  agent: {
    command: string | null;
    timeout_seconds: number;
    env: Record<string, string>;
    /** Agent runs in one task while the tests fail (1 = never re-run). */
    max_iterations: number;
    /** Wall-clock budget of one task, every agent and test run together. */
    max_minutes: number;
    network: NetworkMode;
  };
  runner: RunnerKind;
  runner_workflow: string;
  tests: TestSpec[];
  pull_request: {
    base: string | null;
    branch: string;
    title: string;
    labels: string[];
    draft: boolean;
    ready_when_green: boolean;
    reviewers: ReviewerRule[];
  };
  protected_paths: string[];
  ci: { comments: CiCommentsMode; max_lines: number; fix_attempts: number };
  plan: { required: boolean };
  review: { max_rounds: number };
}

/** One problem in a config file, located for the person who has to fix it. */
export interface ConfigProblem {
  /** File the problem is in, e.g. `.github/factory.yml` or `org/.github:.github/factory.yml`. */
  file: string;
  line: number | null;
  column: number | null;
  /** Dotted key path, e.g. `pull_request.draft` or `tests[0].command`; empty for the whole file. */
  key: string;
  message: string;
}

export type ConfigLoadResult =
  | { status: "missing" }
  | { status: "invalid"; problems: ConfigProblem[] }
  | { status: "ok"; config: FactoryConfig; files: string[] };
