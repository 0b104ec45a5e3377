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

export interface ChangeSet {
  version: 1;
  base_sha: string;
  files: ChangeSetFile[];
  /** What the agent said it did (FACTORY_SUMMARY_FILE), or empty. */
  summary: string;
  tests: TestResult[];
  /** Present in CI-made ChangeSets; when the agent failed, `files` is empty. */
  agent?: AgentRecord;
}
