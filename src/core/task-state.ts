/** What the progress comment records about a task, so any replica can pick up where it stands. */
export type TaskPhase =
  | "queued"
  | "running"
  | "opened" // PR/MR opened or updated
  | "failed"
  | "no-changes"
  | "planned" // a plan is shown and waits for `/factory approve` (docs/plans.md)
  | "denied"
  | "needs-config";

export interface TaskState {
  phase: TaskPhase;
  issue: number;
  attempt: number;
  updatedAt: string;
  deliveryId: string;
  /** Recent deliveries that started or re-ran this task: a redelivery of any of them does nothing. */
  deliveries?: string[];
  branch?: string;
  changeRequest?: number;
  /** Kept so a CI run's result can be published by whichever replica receives it. */
  title?: string;
  url?: string;
  /** Where the current run happens; set while a CI runner has it. */
  runner?: "local" | "actions" | "gitlab-ci";
  /** Set by `/factory stop`: a finished run is then not published. */
  stopped?: boolean;
  /**
   * Set when the run failed for a reason outside the task (the forge kept failing, the server shut
   * down): a redelivery of the same event then runs it again, where it would otherwise do nothing.
   */
  retryable?: boolean;
  /** The commit the bot last pushed for this task (a review round's replies name it). */
  lastCommit?: string;
  /** The PR head a fix attempt was last started for: one attempt per failing head. */
  fixedHead?: string;
  /** With `plan.required`: the plan shown, its refinements and its approval (docs/plans.md). */
  plan?: PlanState;
  /** What the current run makes: a plan, or the change (the default). */
  mode?: "plan" | "implement";
}

/** One `/factory plan <text>` request, kept so later plans and people see what was asked. */
export interface PlanRequest {
  author: string;
  /** The request's visible text, capped. */
  text: string;
  at: string;
}

export interface PlanState {
  /** The plan shown now (redacted and capped by the runner), or absent while none was written yet. */
  text?: string;
  /** sha256 (hex) of `text`; approvals name plans by it. */
  sha?: string;
  /** When the plan was shown: an approval written before this moment was about an older plan. */
  shownAt?: string;
  /** Earlier plans' ids (first 12 hex), oldest first. */
  earlier?: string[];
  requests: PlanRequest[];
  approved?: { sha: string; by: string; at: string; commentId: number };
}

/** Phases in which the task is still owned by a run (another delivery must not start one). */
export function isActive(phase: TaskPhase): boolean {
  return phase === "queued" || phase === "running";
}
