/** What the progress comment records about a task, so any replica can pick up where it stands. */
export type TaskPhase =
  | "queued"
  | "running"
  | "opened" // PR/MR opened or updated
  | "failed"
  | "no-changes"
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
}

/** Phases in which the task is still owned by a run (another delivery must not start one). */
export function isActive(phase: TaskPhase): boolean {
  return phase === "queued" || phase === "running";
}
