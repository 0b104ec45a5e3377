import { Readable } from "node:stream";
import { createHash } from "node:crypto";
import type { ConfigLoadResult } from "../../src/config/types.js";
import { ConflictError, InvalidRequestError, NotFoundError } from "../../src/core/errors.js";
import type {
  ChangeRequest,
  ChangeRequestInput,
  CiJob,
  CommentTarget,
  CommitInput,
  CommitResult,
  CommitStatus,
  Forge,
  ForgeComment,
  ForgeWording,
  PermissionLevel,
  RepoRef,
  BranchCommit,
  ReviewThread,
  TaskRunDispatch,
} from "../../src/core/forge.js";
import type { ChangeSetFile } from "../../src/core/changeset.js";
import type { Actor } from "../../src/core/events.js";
import type { IssueRef } from "../../src/core/task-runner.js";

/** The fake speaks GitHub's wording (pull request, `#`). */
/** GitHub's words, as the GitHub adapter says them (the fake stands for a GitHub repository). */
export const githubWords: ForgeWording = {
  forgeName: "GitHub",
  changeRequest: "pull request",
  changeRequestShort: "PR",
  changeRequestRef: (n) => `#${n}`,
  issueRef: (n) => `#${n}`,
  closesIssue: (n) => `Closes #${n}`,
  draftTitle: (title) => title,
  commentUrl: (issueUrl, commentId) => `${issueUrl}#issuecomment-${commentId}`,
  permissionName: (level) => level,
};

export interface FakeCommit {
  sha: string;
  parent: string;
  message: string;
  files: ChangeSetFile[];
}

/** An in-memory forge with the semantics core relies on: fast-forward-only refs, unique PR heads. */
export class FakeForge implements Forge {
  readonly kind = "github" as const;
  readonly repo: RepoRef = { forge: "github", fullName: "acme/widgets", url: "https://github.test/acme/widgets" };
  readonly words = githubWords;
  readonly botLogin = "factory-bot[bot]";
  readonly ciRunner = "actions" as const;
  taskRunOrigin: Forge["taskRunOrigin"] = "anyone";

  isApp(actor: Actor): boolean {
    return actor.login === this.botLogin;
  }

  config: ConfigLoadResult = { status: "missing" };
  permissions = new Map<string, PermissionLevel>();
  defaultBranch = "main";
  branches = new Map<string, string>([["main", "b".repeat(40)]]);
  commits: FakeCommit[] = [];
  comments = new Map<string, ForgeComment[]>();
  statuses: Array<CommitStatus & { sha: string }> = [];
  changeRequests: ChangeRequest[] = [];
  labelsAdded: Array<{ number: number; labels: string[] }> = [];
  reviewersRequested: Array<{ number: number; users: string[]; teams: string[] }> = [];
  codeowners: string | null = null;
  changedFiles = new Map<number, string[]>();
  ciJobs = new Map<string, CiJob[]>();
  acknowledged: number[] = [];
  dispatched: TaskRunDispatch[] = [];
  taskArtifacts = new Map<string, string>();
  taskRunJobs = new Map<string, CiJob[]>();
  calls: string[] = [];
  /** Runs before every listComments, to let tests interleave concurrent deliveries. */
  beforeListComments: (() => Promise<void>) | null = null;
  #nextId = 100;

  private record(name: string): void {
    this.calls.push(name);
  }

  /** Config per ref for config checks; the default-branch config otherwise. */
  configAt = new Map<string, ConfigLoadResult>();
  async loadConfig(ref?: string): Promise<ConfigLoadResult> {
    this.record("loadConfig");
    return (ref !== undefined ? this.configAt.get(ref) : undefined) ?? this.config;
  }
  async getPermission(user: string): Promise<PermissionLevel> {
    this.record("getPermission");
    return this.permissions.get(user) ?? "none";
  }
  async getDefaultBranch(): Promise<string> {
    return this.defaultBranch;
  }
  async getBranchSha(branch: string): Promise<string | null> {
    return this.branches.get(branch) ?? null;
  }
  async downloadArchive(): Promise<Readable> {
    return Readable.from([]);
  }
  private key(target: CommentTarget): string {
    return `${target.kind}:${target.number}`;
  }
  commentsOn(target: CommentTarget): ForgeComment[] {
    return this.comments.get(this.key(target)) ?? [];
  }
  async listComments(target: CommentTarget): Promise<ForgeComment[]> {
    if (this.beforeListComments) await this.beforeListComments();
    return this.commentsOn(target).map((c) => ({ ...c }));
  }
  async createComment(target: CommentTarget, body: string): Promise<ForgeComment> {
    this.record("createComment");
    const comment = { id: this.#nextId++, body, author: this.botLogin, createdAt: new Date(0).toISOString() };
    this.comments.set(this.key(target), [...this.commentsOn(target), comment]);
    return { ...comment };
  }
  async updateComment(target: CommentTarget, id: number, body: string): Promise<void> {
    this.record("updateComment");
    const comment = this.commentsOn(target).find((c) => c.id === id);
    if (!comment) throw new NotFoundError(`comment ${id} not found`, 404);
    comment.body = body;
  }
  async deleteComment(target: CommentTarget, id: number): Promise<void> {
    this.record("deleteComment");
    this.comments.set(
      this.key(target),
      this.commentsOn(target).filter((c) => c.id !== id),
    );
  }
  async setCommitStatus(sha: string, status: CommitStatus): Promise<void> {
    this.record("setCommitStatus");
    this.statuses.push({ sha, ...status });
  }
  async commitFiles(input: CommitInput): Promise<CommitResult> {
    this.record("commitFiles");
    const head = this.branches.get(input.branch);
    if (head !== undefined && head !== input.parentSha) throw new ConflictError("not a fast-forward", 422);
    const sha = createHash("sha1").update(`${input.parentSha}:${this.commits.length}:${input.message}`).digest("hex");
    this.commits.push({ sha, parent: input.parentSha, message: input.message, files: input.files });
    this.branches.set(input.branch, sha);
    return { sha, createdBranch: head === undefined };
  }
  async findOpenChangeRequest(headBranch: string): Promise<ChangeRequest | null> {
    return this.changeRequests.find((c) => c.headBranch === headBranch && c.state === "open") ?? null;
  }
  async createChangeRequest(input: ChangeRequestInput): Promise<ChangeRequest> {
    this.record("createChangeRequest");
    if (await this.findOpenChangeRequest(input.head))
      throw new InvalidRequestError("A pull request already exists", 422);
    const number = this.#nextId++;
    const cr: ChangeRequest = {
      number,
      url: `${this.repo.url}/pull/${number}`,
      title: input.title,
      body: input.body,
      headBranch: input.head,
      headSha: this.branches.get(input.head) ?? "",
      baseBranch: input.base,
      draft: input.draft,
      state: "open",
      author: this.botLogin,
      labels: [],
    };
    this.changeRequests.push(cr);
    return { ...cr };
  }
  async updateChangeRequest(number: number, patch: { title?: string; body?: string }): Promise<void> {
    this.record("updateChangeRequest");
    const cr = this.changeRequests.find((c) => c.number === number);
    if (!cr) throw new NotFoundError("no such change request", 404);
    Object.assign(cr, patch);
  }
  async addLabels(number: number, labels: string[]): Promise<void> {
    this.record("addLabels");
    this.labelsAdded.push({ number, labels });
  }
  async requestReviewers(number: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    this.record("requestReviewers");
    this.reviewersRequested.push({ number, ...reviewers });
  }
  async getCodeowners(): Promise<string | null> {
    return this.codeowners;
  }
  async findChangeRequestsForSha(sha: string): Promise<ChangeRequest[]> {
    return this.changeRequests.filter((c) => c.state === "open" && this.branches.get(c.headBranch) === sha);
  }
  async listChangedFiles(number: number): Promise<string[]> {
    return this.changedFiles.get(number) ?? [];
  }
  issues = new Map<number, IssueRef>();
  async getIssue(number: number): Promise<IssueRef | null> {
    return this.issues.get(number) ?? null;
  }
  async getChangeRequest(number: number): Promise<ChangeRequest | null> {
    return this.changeRequests.find((c) => c.number === number) ?? null;
  }
  async getCommitMessage(sha: string): Promise<string> {
    const commit = this.commits.find((c) => c.sha === sha);
    if (!commit) throw new NotFoundError(`no commit ${sha}`, 404);
    return commit.message;
  }
  async markReadyForReview(number: number): Promise<void> {
    this.record("markReadyForReview");
    const cr = this.changeRequests.find((c) => c.number === number);
    if (cr) cr.draft = false;
  }
  async acknowledgeComment(_target: CommentTarget, commentId: number): Promise<void> {
    this.record("acknowledgeComment");
    this.acknowledged.push(commentId);
  }
  async dispatchTaskRun(input: TaskRunDispatch): Promise<{ url: string | null }> {
    this.record("dispatchTaskRun");
    this.dispatched.push(input);
    return { url: `${this.repo.url}/actions/runs/${this.dispatched.length}` };
  }
  async downloadTaskChangeSet(runId: string): Promise<string | null> {
    return this.taskArtifacts.get(runId) ?? null;
  }
  async listTaskRunJobs(runId: string): Promise<CiJob[]> {
    return this.taskRunJobs.get(runId) ?? [];
  }
  async listCiJobs(sha: string): Promise<CiJob[]> {
    this.record("listCiJobs");
    return this.ciJobs.get(sha) ?? [];
  }

  /** Unresolved review threads per change request; resolving one takes it out. */
  reviewThreads = new Map<number, ReviewThread[]>();
  threadReplies: Array<{ number: number; threadId: string; body: string }> = [];
  resolvedThreads: string[] = [];
  async listChangeRequestCommits(number: number): Promise<BranchCommit[]> {
    const cr = this.changeRequests.find((c) => c.number === number);
    const chain: BranchCommit[] = [];
    let sha = cr ? this.branches.get(cr.headBranch) : undefined;
    for (let commit = this.commits.find((c) => c.sha === sha); commit;) {
      chain.unshift({ sha: commit.sha, message: commit.message });
      sha = commit.parent;
      commit = this.commits.find((c) => c.sha === sha);
    }
    return chain;
  }
  async listReviewThreads(number: number): Promise<ReviewThread[]> {
    this.record("listReviewThreads");
    return structuredClone(this.reviewThreads.get(number) ?? []);
  }
  async replyToReviewThread(number: number, threadId: string, body: string): Promise<void> {
    this.record("replyToReviewThread");
    this.threadReplies.push({ number, threadId, body });
    this.reviewThreads
      .get(number)
      ?.find((t) => t.id === threadId)
      ?.comments.push({ author: this.botLogin, body });
  }
  async resolveReviewThread(number: number, threadId: string): Promise<void> {
    this.record("resolveReviewThread");
    this.resolvedThreads.push(threadId);
    this.reviewThreads.set(
      number,
      (this.reviewThreads.get(number) ?? []).filter((t) => t.id !== threadId),
    );
  }

  /** Writes performed, for asserting "nothing else happened". */
  get writes(): string[] {
    const writeNames = new Set([
      "createComment",
      "updateComment",
      "deleteComment",
      "setCommitStatus",
      "commitFiles",
      "createChangeRequest",
      "updateChangeRequest",
      "addLabels",
      "requestReviewers",
      "markReadyForReview",
      "acknowledgeComment",
      "dispatchTaskRun",
      "replyToReviewThread",
      "resolveReviewThread",
    ]);
    return this.calls.filter((c) => writeNames.has(c));
  }
}
