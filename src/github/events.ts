import {
  parseCommand,
  commandArgument,
  type ChangeRequestUpdatedEvent,
  type CiCompletedEvent,
  type CommandEvent,
  type CoreEvent,
  type IssueLabeledEvent,
  type TaskRunCompletedEvent,
} from "../core/events.js";
import { TASK_RUN_NAME } from "../core/task/ci-runner.js";

/** The fields of an `issues.labeled` payload the bot reads; anything else is ignored. */
interface IssuesLabeledPayload {
  label?: { name?: string };
  issue?: {
    number?: number;
    title?: string;
    body?: string | null;
    html_url?: string;
    pull_request?: unknown;
    user?: { login?: string } | null;
  };
  sender?: { login?: string; type?: string };
}

/** Payload → core event, or null for a payload missing what the bot needs (never a crash). */
export function toIssueLabeledEvent(payload: IssuesLabeledPayload, deliveryId: string): IssueLabeledEvent | null {
  const { label, issue, sender } = payload;
  if (!label?.name || typeof issue?.number !== "number" || !sender?.login) return null;
  return {
    type: "issue.labeled",
    deliveryId,
    label: label.name,
    actor: { login: sender.login, isBot: sender.type === "Bot" },
    issue: {
      number: issue.number,
      title: issue.title ?? "",
      body: issue.body ?? "",
      url: issue.html_url ?? "",
      ...(typeof issue.user?.login === "string" ? { author: issue.user.login } : {}),
      isPullRequest: issue.pull_request !== undefined,
    },
  };
}

export interface RepositoryPayload {
  repository?: { name?: string; owner?: { login?: string }; html_url?: string; default_branch?: string };
}

export function repositoryOf(payload: RepositoryPayload) {
  const r = payload.repository;
  if (!r?.name || !r.owner?.login) return null;
  return { owner: r.owner.login, name: r.name, htmlUrl: r.html_url ?? "", defaultBranch: r.default_branch };
}

type PullRef = { number?: number } | null;
interface CiPayload {
  workflow_run?: { head_sha?: string; conclusion?: string | null; pull_requests?: PullRef[] };
  check_run?: {
    head_sha?: string;
    conclusion?: string | null;
    pull_requests?: PullRef[];
    app?: { slug?: string } | null;
  };
  sender?: { login?: string; type?: string };
}

// Superseded or skipped runs explain nothing and turn nothing green.
const SUMMARIZED_CONCLUSIONS = new Set(["success", "failure", "timed_out", "startup_failure", "neutral"]);

function ciEvent(
  run: { head_sha?: string; conclusion?: string | null; pull_requests?: PullRef[] } | undefined,
  payload: CiPayload,
  deliveryId: string,
): CiCompletedEvent | null {
  if (typeof run?.head_sha !== "string" || !SUMMARIZED_CONCLUSIONS.has(run.conclusion ?? "")) return null;
  return {
    type: "ci.completed",
    deliveryId,
    headSha: run.head_sha,
    // A signed payload can still be malformed: anything but an array means "find them by SHA".
    changeRequestNumbers: (Array.isArray(run.pull_requests) ? run.pull_requests : [])
      .map((p) => p?.number)
      .filter((n): n is number => typeof n === "number"),
    actor: { login: payload.sender?.login ?? "", isBot: payload.sender?.type === "Bot" },
  };
}

/** GitHub Actions results are read through workflow_run (its jobs and logs). */
export function fromWorkflowRun(payload: CiPayload, deliveryId: string): CiCompletedEvent | null {
  return ciEvent(payload.workflow_run, payload, deliveryId);
}

/** check_run from other check apps; the GitHub Actions app's runs are covered by workflow_run. */
export function fromCheckRun(payload: CiPayload, deliveryId: string): CiCompletedEvent | null {
  if (payload.check_run?.app?.slug === "github-actions") return null;
  return ciEvent(payload.check_run, payload, deliveryId);
}

interface PullRequestPayload {
  pull_request?: { number?: number; head?: { sha?: string } };
  sender?: { login?: string; type?: string };
}

/** pull_request opened/synchronize/reopened → the config check. */
export function fromPullRequest(payload: PullRequestPayload, deliveryId: string): ChangeRequestUpdatedEvent | null {
  const pull = payload.pull_request;
  if (typeof pull?.number !== "number" || !pull.head?.sha) return null;
  return {
    type: "change.updated",
    deliveryId,
    number: pull.number,
    headSha: pull.head.sha,
    actor: { login: payload.sender?.login ?? "", isBot: payload.sender?.type === "Bot" },
  };
}

interface TaskRunPayload {
  workflow_run?: {
    id?: number;
    event?: string;
    display_title?: string;
    conclusion?: string | null;
    html_url?: string;
    path?: string;
    head_repository?: { full_name?: string } | null;
  };
  repository?: { full_name?: string };
  sender?: { login?: string; type?: string };
}

/**
 * A finished run of the task workflow. Only `workflow_dispatch` runs of this repository count:
 * a fork's pull request could carry a look-alike run name, but cannot dispatch.
 */
export function fromTaskWorkflowRun(payload: TaskRunPayload, deliveryId: string): TaskRunCompletedEvent | null {
  const run = payload.workflow_run;
  const match = TASK_RUN_NAME.exec(run?.display_title ?? "");
  if (!run || !match || run.event !== "workflow_dispatch" || typeof run.id !== "number") return null;
  if (run.head_repository?.full_name !== payload.repository?.full_name) return null;
  return {
    type: "task-run.completed",
    deliveryId,
    issueNumber: Number(match[1]),
    attempt: Number(match[2]),
    runId: String(run.id),
    url: run.html_url ?? "",
    succeeded: run.conclusion === "success",
    workflowPath: run.path ?? "",
    actor: { login: payload.sender?.login ?? "", isBot: payload.sender?.type === "Bot" },
  };
}

interface IssueCommentPayload {
  comment?: { id?: number; body?: string; created_at?: string; user?: { login?: string; type?: string } | null };
  issue?: { number?: number; title?: string; body?: string | null; html_url?: string; pull_request?: unknown };
  sender?: { login?: string; type?: string };
}

/** `/factory …` in a new issue or PR comment; null for any other comment (no API call then). */
export function fromIssueComment(payload: IssueCommentPayload, deliveryId: string): CommandEvent | null {
  const { comment, issue, sender } = payload;
  const command = parseCommand(comment?.body ?? "");
  if (!command || typeof comment?.id !== "number" || typeof issue?.number !== "number" || !sender?.login) return null;
  const onPull = issue.pull_request !== undefined;
  return {
    type: "command",
    deliveryId,
    command,
    commentId: comment.id,
    ...commandExtras(comment.body, comment.created_at),
    target: { kind: onPull ? "change" : "issue", number: issue.number },
    actor: { login: sender.login, isBot: sender.type === "Bot" },
    ...(onPull
      ? {}
      : {
          issue: { number: issue.number, title: issue.title ?? "", body: issue.body ?? "", url: issue.html_url ?? "" },
        }),
  };
}

/** `/factory plan <text>` and `/factory approve <id>` need the text and when it was written. */
function commandExtras(body: string | undefined, createdAt: string | undefined) {
  return { argument: commandArgument(body), ...(typeof createdAt === "string" ? { writtenAt: createdAt } : {}) };
}

interface ReviewPayload {
  review?: { id?: number; body?: string | null; state?: string; user?: { login?: string; type?: string } | null };
  comment?: { id?: number; body?: string; user?: { login?: string; type?: string } | null };
  pull_request?: { number?: number };
  sender?: { login?: string; type?: string };
}

/**
 * `pull_request_review.submitted`: a review requesting changes starts a round; a review whose body is
 * `/factory fix` (or another command) is a command whatever its state.
 */
export function fromPullRequestReview(payload: ReviewPayload, deliveryId: string): CoreEvent | null {
  const { review, pull_request: pull, sender } = payload;
  if (typeof review?.id !== "number" || typeof pull?.number !== "number" || !sender?.login) return null;
  const actor = { login: sender.login, isBot: sender.type === "Bot" };
  const command = parseCommand(review.body ?? "");
  if (command)
    return {
      type: "command",
      deliveryId,
      command,
      commentId: review.id,
      source: "review",
      target: { kind: "change", number: pull.number },
      actor,
    };
  // GitHub's webhook spells the state in lower case (https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request_review).
  if (review.state?.toLowerCase() !== "changes_requested") return null;
  return {
    type: "review.submitted",
    deliveryId,
    number: pull.number,
    reviewId: review.id,
    body: review.body ?? "",
    actor,
  };
}

/** `/factory …` in a new review comment (a line comment or a reply in a thread). */
export function fromReviewComment(payload: ReviewPayload, deliveryId: string): CommandEvent | null {
  const { comment, pull_request: pull, sender } = payload;
  const command = parseCommand(comment?.body ?? "");
  if (!command || typeof comment?.id !== "number" || typeof pull?.number !== "number" || !sender?.login) return null;
  return {
    type: "command",
    deliveryId,
    command,
    commentId: comment.id,
    source: "review-comment",
    target: { kind: "change", number: pull.number },
    actor: { login: sender.login, isBot: sender.type === "Bot" },
  };
}

type AnyPayload = Parameters<typeof toIssueLabeledEvent>[0] &
  ReviewPayload &
  Parameters<typeof fromWorkflowRun>[0] &
  Parameters<typeof fromTaskWorkflowRun>[0] &
  Parameters<typeof fromIssueComment>[0] &
  Parameters<typeof fromPullRequest>[0] &
  RepositoryPayload & { action?: unknown };

const PULL_REQUEST_ACTIONS = new Set(["opened", "synchronize", "reopened"]);

/** The webhook events (`name.action`) the app subscribes to; everything else is ignored. */
export const GITHUB_EVENTS = [
  "issues.labeled",
  "issue_comment.created",
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "workflow_run.completed",
  "check_run.completed",
  "pull_request_review.submitted",
  "pull_request_review_comment.created",
] as const;

/**
 * A GitHub delivery as a core event, or null when the bot ignores it. Pure: the app and the
 * Lambda intake both decide with it (and core's `startsWork`), before any API call.
 */
export function routeGitHubEvent(name: string, payload: AnyPayload, deliveryId: string): CoreEvent | null {
  if (!repositoryOf(payload)) return null;
  switch (`${name}.${String(payload.action)}`) {
    case "issues.labeled": {
      const event = toIssueLabeledEvent(payload, deliveryId);
      return event && !event.issue.isPullRequest ? event : null;
    }
    case "issue_comment.created":
      return fromIssueComment(payload, deliveryId);
    case "workflow_run.completed":
      return fromTaskWorkflowRun(payload, deliveryId) ?? fromWorkflowRun(payload, deliveryId);
    case "check_run.completed":
      return fromCheckRun(payload, deliveryId);
    case "pull_request_review.submitted":
      return fromPullRequestReview(payload, deliveryId);
    case "pull_request_review_comment.created":
      return fromReviewComment(payload, deliveryId);
    default:
      return name === "pull_request" && PULL_REQUEST_ACTIONS.has(String(payload.action))
        ? fromPullRequest(payload, deliveryId)
        : null;
  }
}
