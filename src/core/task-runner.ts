import type { ChangeSet, IterationsRecord } from "./changeset.js";
import type { FactoryConfig } from "../config/types.js";
import type { Readable } from "node:stream";

export interface IssueRef {
  number: number;
  title: string;
  body: string;
  url: string;
  /** Who wrote the issue (its text is untrusted input from them), when the forge said. */
  author?: string;
}

/** Everything a runner needs to run one task; issue text reaches the agent only via files/env. */
export interface TaskSpec {
  repoFullName: string;
  issue: IssueRef;
  branch: string;
  base: string;
  baseSha: string;
  /** The branch the run starts from: `base` for a new task, `branch` when it already exists. */
  startRef?: string;
  attempt: number;
  /** Markdown CI failure summary, on fix attempts only. */
  failureSummary?: string;
  /** A review round: the unresolved threads as Markdown (`FACTORY_REVIEW_FILE`, `FACTORY_MODE=review`). */
  review?: { round: number; markdown: string };
  config: FactoryConfig;
  /** `plan`: the agent writes a plan to FACTORY_PLAN_FILE and its changes are discarded (docs/plans.md). */
  mode?: "plan" | "implement";
  /** Plan runs: the `/factory plan <text>` requests, as untrusted Markdown sections for the task file. */
  planRequests?: string;
  /** Implementation runs with `plan.required`: the approved plan, given in FACTORY_PLAN_FILE. */
  approvedPlan?: string;
}

export interface AgentOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** Last lines of combined output, secrets redacted. */
  outputTail: string;
}

export type TaskRunResult =
  /** The agent ran; changeSet holds its changes (maybe none) and the tests' results. */
  | { kind: "completed"; agent: AgentOutcome; changeSet: ChangeSet }
  /** A plan run finished: `plan` is what the agent wrote (redacted, capped; empty when it wrote none). */
  | { kind: "planned"; agent: AgentOutcome; plan: string }
  /** The agent failed or timed out on its first run (or it was stopped at the time budget): nothing to push. */
  | { kind: "agent-failed"; agent: AgentOutcome; outOfTime?: boolean; iterations?: IterationsRecord }
  /** The runner would not run the command (allow-list, deployment); message says how to fix it. */
  | { kind: "refused"; message: string }
  /** Handed to the repository's CI; the result arrives later as a finished run. */
  | { kind: "dispatched"; url: string | null }
  /** Handed to the shared queue (`REDIS_URL`): whichever replica takes it runs and publishes it. */
  | { kind: "queued" };

/**
 * Where a task came from, as plain data: enough for another replica to reach the same forge
 * again (a queued task outlives the delivery and the process that accepted it).
 */
export type TaskOrigin =
  | {
      forge: "github";
      deliveryId: string;
      /** Who started it, for the audit lines of the replica that runs it. */
      actor: string;
      installationId: number;
      repo: { owner: string; name: string; htmlUrl: string; defaultBranch?: string };
    }
  | {
      forge: "gitlab";
      deliveryId: string;
      actor: string;
      project: { id: number; pathWithNamespace: string; webUrl: string; defaultBranch?: string };
    };

export interface TaskRunnerContext {
  /** The base tree as a gzipped tarball (GitHub tarball / GitLab archive.tar.gz). */
  downloadArchive(sha: string): Promise<Readable>;
  /** Aborted by `/factory stop` or shutdown. */
  signal?: AbortSignal;
  /** Called when the task leaves the runner's queue and really starts. */
  started?: () => Promise<void>;
  /** Called when an iteration's agent run or tests start; never fails the task. */
  progress?: (step: IterationProgress) => Promise<void>;
  /** Set by the forge adapters; a runner that queues the task elsewhere needs it. */
  origin?: TaskOrigin;
}

/** Where the iteration loop is: "run 2 of 3: tests". */
export interface IterationProgress {
  iteration: number;
  maxIterations: number;
  step: "agent" | "tests";
}

/** The same runner, told where its tasks come from. */
export function runnerWithOrigin(runner: TaskRunner, origin: TaskOrigin): TaskRunner {
  return { run: (task, ctx) => runner.run(task, { origin, ...ctx }) };
}

export interface TaskRunner {
  run(task: TaskSpec, ctx: TaskRunnerContext): Promise<TaskRunResult>;
}
