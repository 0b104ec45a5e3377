import type { IssueRef } from "./task.js";

/** Who caused an event; bots (including this one) never start work. */
export interface Actor {
  login: string;
  isBot: boolean;
}

interface EventBase {
  deliveryId: string;
  actor: Actor;
}

export interface IssueLabeledEvent extends EventBase {
  type: "issue.labeled";
  /** The label that was just added. */
  label: string;
  issue: IssueRef & { isPullRequest: boolean };
}

/** CI finished something on a commit (GitHub workflow_run/check_run/check_suite, GitLab pipeline). */
export interface CiCompletedEvent extends EventBase {
  type: "ci.completed";
  headSha: string;
  /** Change requests named by the event; empty for fork PRs, which are then found by SHA. */
  changeRequestNumbers: number[];
}

/** A PR/MR was opened or got new commits. */
export interface ChangeRequestUpdatedEvent extends EventBase {
  type: "change.updated";
  number: number;
  headSha: string;
}

/** A task run dispatched to the repository's CI finished (GitHub workflow_run, GitLab pipeline). */
export interface TaskRunCompletedEvent extends EventBase {
  type: "task-run.completed";
  issueNumber: number;
  attempt: number;
  runId: string;
  url: string;
  succeeded: boolean;
  /** GitHub: the workflow file the run came from, checked against `runner_workflow`. */
  workflowPath: string;
}

export type CoreEvent = IssueLabeledEvent | CiCompletedEvent | ChangeRequestUpdatedEvent | TaskRunCompletedEvent;
