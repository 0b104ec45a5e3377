import type { Readable } from "node:stream";
import type { ConfigLoadResult } from "../config/types.js";
import type { ChangeSetFile } from "./changeset.js";
import type { Actor } from "./events.js";
import type { IssueRef } from "./task-runner.js";

export type ForgeKind = "github" | "gitlab";

/** Ordered lowest to highest; adapters map their own levels onto these. */
export const PERMISSION_LEVELS = ["none", "read", "triage", "write", "maintain", "admin"] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

export interface RepoRef {
  forge: ForgeKind;
  /** `owner/name` on GitHub, `group/subgroup/project` on GitLab. */
  fullName: string;
  /** Web URL of the repository. */
  url: string;
}

/** Forge wording, so core messages say "pull request #3" or "merge request !3". */
export interface ForgeWording {
  forgeName: string; // "GitHub" | "GitLab"
  changeRequest: string; // "pull request" | "merge request"
  changeRequestShort: string; // "PR" | "MR"
  changeRequestRef(number: number): string; // "#3" | "!3"
  issueRef(number: number): string; // "#3"
  /** Text that closes the issue when the change request merges. */
  closesIssue(number: number): string;
  /** Title of a draft change request, from the plain title (GitLab: `Draft: ` prefix). */
  draftTitle(title: string): string;
  /** The web link of an issue comment, from the issue's link (a plan's approval is read there). */
  commentUrl(issueUrl: string, commentId: number): string;
  /** A permission level as people on this forge know it ("write"; GitLab "Developer"). */
  permissionName(level: PermissionLevel): string;
}

export type CommentTarget = { kind: "issue"; number: number } | { kind: "change"; number: number };

export interface ForgeComment {
  id: number;
  body: string;
  author: string;
  createdAt: string;
}

export type CommitState = "pending" | "success" | "failure" | "error";

export interface CommitStatus {
  context: string;
  state: CommitState;
  description: string;
  targetUrl?: string;
}

export interface ChangeRequest {
  number: number;
  url: string;
  title: string;
  body: string;
  headBranch: string;
  headSha: string;
  baseBranch: string;
  draft: boolean;
  state: "open" | "closed" | "merged";
  author: string;
  labels: string[];
}

export interface CommitInput {
  branch: string;
  /** The commit the new commit goes on top of (branch head, or the base for a new branch). */
  parentSha: string;
  message: string;
  files: ChangeSetFile[];
}

export interface CommitResult {
  sha: string;
  /** True when the branch was created by this commit. */
  createdBranch: boolean;
}

export interface ChangeRequestInput {
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
}

export type CiJobState = "pending" | "success" | "failure" | "skipped";

/** One CI job or check on a commit, with its log when the CI system keeps one. */
export interface CiJob {
  id: string;
  name: string;
  url: string;
  state: CiJobState;
  /** The job's log as a stream (may be large), or null when the forge keeps none. */
  openLog(): Promise<Readable | null>;
  /** Text the CI system already extracted (check-run output, annotations), used when no log exists. */
  reportedText?: string;
}

/** One comment of a review thread. */
export interface ReviewComment {
  author: string;
  body: string;
}

/** An unresolved review thread (GitHub review thread; GitLab resolvable MR discussion). */
export interface ReviewThread {
  /** GitHub: the thread's node id; GitLab: the discussion id. */
  id: string;
  path: string | null;
  line: number | null;
  /** The diff hunk the thread is on, when the forge gives one. */
  diffHunk: string | null;
  comments: ReviewComment[];
}

/** A commit of a change request's branch, oldest first. */
export interface BranchCommit {
  sha: string;
  message: string;
}

/** A task run on the repository's own CI (GitHub `workflow_dispatch`, GitLab pipeline with variables). */
export interface TaskRunDispatch {
  /** GitHub: the workflow file name in `.github/workflows`; ignored on GitLab. */
  workflow: string;
  /** Branch the run checks out: the base for a new task, the task branch for a fix. */
  ref: string;
  inputs: TaskRunInputs;
}

export interface TaskRunInputs {
  issue: string;
  title: string;
  url: string;
  /** The issue text, cut to fit; GitHub's workflow reads the issue itself and does not get it. */
  body: string;
  branch: string;
  base: string;
  attempt: string;
  /** The CI failure summary on fix attempts, cut to fit the forge's input limits. */
  failure: string;
  /** With `plan.required` only: `plan` or `implement` (docs/plans.md). */
  mode?: string;
  /** With `plan.required` only: the refinement requests (plan runs) or the approved plan (implementation runs). */
  plan?: string;
}

/**
 * Everything core handlers ask of a forge, for one repository. Writes are single API operations;
 * idempotence (find, then create or update) is built on top of them in core.
 */
export interface Forge {
  readonly kind: ForgeKind;
  readonly repo: RepoRef;
  readonly words: ForgeWording;
  /** The bot's own login, to recognise its comments and events. */
  readonly botLogin: string;
  /** The runner that hands tasks to this forge's own CI. */
  readonly ciRunner: "actions" | "gitlab-ci";
  /**
   * Who must have started a finished task run for its result to count. GitHub: anyone, since the
   * adapter accepts only `workflow_dispatch` runs of the repository itself; GitLab: the app, since
   * anyone who may run pipelines can set the `FACTORY_TASK_*` variables.
   */
  readonly taskRunOrigin: "anyone" | "the-app";
  /** Whether the app itself caused an event. */
  isApp(actor: Actor): boolean;

  /** The factory config from the default branch, or from `ref` (a PR/MR head) when given. */
  loadConfig(ref?: string): Promise<ConfigLoadResult>;
  getPermission(user: string): Promise<PermissionLevel>;
  getDefaultBranch(): Promise<string>;
  /** Head commit of a branch, or null when it does not exist. */
  getBranchSha(branch: string): Promise<string | null>;
  downloadArchive(sha: string): Promise<Readable>;

  listComments(target: CommentTarget): Promise<ForgeComment[]>;
  createComment(target: CommentTarget, body: string): Promise<ForgeComment>;
  updateComment(target: CommentTarget, id: number, body: string): Promise<void>;
  deleteComment(target: CommentTarget, id: number): Promise<void>;

  setCommitStatus(sha: string, status: CommitStatus): Promise<void>;
  /** One commit with all files on `branch`: creates the branch or fast-forwards it, never forces. */
  commitFiles(input: CommitInput): Promise<CommitResult>;

  findOpenChangeRequest(headBranch: string): Promise<ChangeRequest | null>;
  createChangeRequest(input: ChangeRequestInput): Promise<ChangeRequest>;
  updateChangeRequest(number: number, patch: { title?: string; body?: string }): Promise<void>;
  addLabels(number: number, labels: string[]): Promise<void>;
  requestReviewers(number: number, reviewers: { users: string[]; teams: string[] }): Promise<void>;
  /** CODEOWNERS text from the usual locations on `ref`, or null. */
  getCodeowners(ref: string): Promise<string | null>;
  /** Open change requests whose head commit is `sha` (fork PRs included). */
  findChangeRequestsForSha(sha: string): Promise<ChangeRequest[]>;
  listChangedFiles(number: number): Promise<string[]>;
  getChangeRequest(number: number): Promise<ChangeRequest | null>;
  /** An issue's title, text and link (fix attempts and retries hand them to the agent again). */
  getIssue(number: number): Promise<IssueRef | null>;
  /** Every CI job and check reported on `sha` (latest attempt of each). */
  listCiJobs(sha: string): Promise<CiJob[]>;
  /** Full message of a commit (trailers count fix attempts). */
  getCommitMessage(sha: string): Promise<string>;
  /** Leaves draft state (GitHub GraphQL markPullRequestReadyForReview; GitLab drops `Draft: `). */
  markReadyForReview(number: number): Promise<void>;
  /**
   * Shows a command was seen: a reaction on GitHub, an award emoji on GitLab. `source` says when the
   * command was in a review comment (GitHub: another endpoint) or a review body (which takes no reaction).
   */
  acknowledgeComment(target: CommentTarget, commentId: number, source?: "review" | "review-comment"): Promise<void>;

  /** The change request's commits, oldest first (their trailers count review rounds). */
  listChangeRequestCommits(number: number): Promise<BranchCommit[]>;
  /** Every unresolved review thread of a change request, with all its comments. */
  listReviewThreads(number: number): Promise<ReviewThread[]>;
  /** Adds one reply to a review thread. */
  replyToReviewThread(number: number, threadId: string, body: string): Promise<void>;
  /** Marks a thread resolved (GitHub); absent where the bot leaves that to people (GitLab). */
  resolveReviewThread?(number: number, threadId: string): Promise<void>;

  /** Starts a task run on the repository's CI; the URL of the run (or of its list) when known. */
  dispatchTaskRun(input: TaskRunDispatch): Promise<{ url: string | null }>;
  /** `changeset.json` of a finished task run, or null when the run left none. */
  downloadTaskChangeSet(runId: string): Promise<string | null>;
  /** The jobs of a finished task run (failed ones explain a failed run). */
  listTaskRunJobs(runId: string): Promise<CiJob[]>;
}
