import type { IssueRef } from "./task-runner.js";

/** Who caused an event; bots (including this one) never start work. */
export interface Actor {
  login: string;
  isBot: boolean;
  /** The forge's numeric user id, when the payload carries one (GitLab). */
  id?: number | null;
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
  /** The workflow file the run came from, checked against `runner_workflow`; absent where runs have none (GitLab). */
  workflowPath?: string;
}

export type CommandName = "retry" | "fix" | "stop" | PlanCommandName;
/** The plan commands (docs/plans.md). */
export type PlanCommandName = "approve" | "plan";

/** `/factory <command>` in a comment on an issue or a PR/MR. */
export interface CommandEvent extends EventBase {
  type: "command";
  command: CommandName | { unknown: string };
  target: { kind: "issue" | "change"; number: number };
  commentId: number;
  /** The issue's own fields when the comment is on an issue. */
  issue?: IssueRef;
  /** The comment's text after `/factory <command>` (`/factory plan <text>`, `/factory approve <id>`). */
  argument?: string;
  /** When the comment was written, as the forge says (an approval applies to the plan shown then). */
  writtenAt?: string;
  /** Where the command was written when not a plain comment (GitHub review bodies and review comments). */
  source?: "review" | "review-comment";
}

/** A review requesting changes was submitted on a PR (GitHub `pull_request_review`, state `changes_requested`). */
export interface ReviewSubmittedEvent extends EventBase {
  type: "review.submitted";
  number: number;
  reviewId: number;
  /** The review's own text (may be empty). */
  body: string;
}

const COMMAND = /^\/factory(?:\s+(\S+))?/i;

/** The command in a comment's first line, or null when it is not addressed to factory. */
export function parseCommand(body: unknown): CommandEvent["command"] | null {
  if (typeof body !== "string") return null;
  const firstLine = body.trimStart().split("\n", 1)[0] ?? "";
  const match = COMMAND.exec(firstLine.trim());
  if (!match) return null;
  const word = (match[1] ?? "").toLowerCase();
  return word === "retry" || word === "fix" || word === "stop" || isPlanCommand(word) ? word : { unknown: word };
}

function isPlanCommand(word: string): word is PlanCommandName {
  return word === "approve" || word === "plan";
}

/** The rest of the comment after `/factory <word>`, on its line and the lines below, trimmed. */
export function commandArgument(body: unknown): string {
  if (typeof body !== "string") return "";
  const match = /^\/factory[ \t]+\S+([\s\S]*)$/i.exec(body.trim());
  return match ? (match[1] ?? "").trim() : "";
}

export type CoreEvent =
  | IssueLabeledEvent
  | CiCompletedEvent
  | ChangeRequestUpdatedEvent
  | TaskRunCompletedEvent
  | CommandEvent
  | ReviewSubmittedEvent;
