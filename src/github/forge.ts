import { Readable } from "node:stream";
import { unzipSync } from "fflate";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ProbotOctokit } from "probot";
import type { ConfigLoadResult } from "../config/types.js";
import type { Actor } from "../core/events.js";
import type { IssueRef } from "../core/task-runner.js";
import { NotFoundError, InvalidRequestError, ConflictError } from "../core/errors.js";
import {
  PERMISSION_LEVELS,
  type ChangeRequest,
  type ChangeRequestInput,
  type CiJob,
  type CiJobState,
  type CommentTarget,
  type CommitInput,
  type CommitResult,
  type CommitStatus,
  type Forge,
  type ForgeComment,
  type ForgeWording,
  type PermissionLevel,
  type RepoRef,
  type ReviewThread,
  type BranchCommit,
  type TaskRunDispatch,
} from "../core/forge.js";
import { github } from "./errors.js";
import { NO_RETRY } from "./octokit.js";
import { loadGitHubConfig } from "./config.js";

export type Octokit = InstanceType<typeof ProbotOctokit>;

export const githubWording: ForgeWording = {
  forgeName: "GitHub",
  changeRequest: "pull request",
  changeRequestShort: "PR",
  changeRequestRef: (n) => `#${n}`,
  issueRef: (n) => `#${n}`,
  closesIssue: (n) => `Closes #${n}`,
  // GitHub has a real draft flag, so titles stay as they are.
  draftTitle: (title) => title,
  commentUrl: (issueUrl, commentId) => `${issueUrl}#issuecomment-${commentId}`,
  permissionName: (level) => level,
};

// Comments past the first 100 of a thread are not read: the agent gets the thread's start and most of its talk.
const REVIEW_THREADS_QUERY = `query($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isResolved
          path
          line
          originalLine
          comments(first: 100) { nodes { body diffHunk author { login } } }
        }
      }
    }
  }
}`;

interface ThreadCommentNode {
  body: string;
  diffHunk: string;
  author: { login: string } | null;
}

interface ReviewThreadsPage {
  repository: {
    pullRequest: {
      reviewThreads: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{
          id: string;
          isResolved: boolean;
          path: string;
          line: number | null;
          originalLine: number | null;
          comments: { nodes: Array<ThreadCommentNode | null> | null };
        } | null> | null;
      };
    } | null;
  } | null;
}

const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];
// Fork PRs are not always listed by commit; this many recent open PRs are scanned by head SHA.
const OPEN_PULLS_SCANNED_FOR_SHA = 100;

interface PullData {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  draft?: boolean;
  state: string;
  merged_at?: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
  user: { login: string } | null;
  labels?: Array<{ name?: string } | string>;
}

function toChangeRequest(pull: PullData): ChangeRequest {
  return {
    number: pull.number,
    url: pull.html_url,
    title: pull.title,
    body: pull.body ?? "",
    headBranch: pull.head.ref,
    headSha: pull.head.sha,
    baseBranch: pull.base.ref,
    draft: pull.draft ?? false,
    state: pull.merged_at ? "merged" : pull.state === "open" ? "open" : "closed",
    author: pull.user?.login ?? "",
    labels: (pull.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
  };
}

/** The core's Forge on one GitHub repository, through an installation-authenticated Octokit. */
export class GitHubForge implements Forge {
  readonly kind = "github" as const;
  readonly words = githubWording;
  readonly ciRunner = "actions" as const;
  readonly taskRunOrigin = "anyone" as const;
  readonly repo: RepoRef;
  readonly #octokit: Octokit;
  readonly #owner: string;
  readonly #name: string;
  #defaultBranch: Promise<string> | null = null;

  constructor(
    octokit: Octokit,
    repo: { owner: string; name: string; htmlUrl: string; defaultBranch?: string },
    readonly botLogin: string,
  ) {
    this.#octokit = octokit;
    this.#owner = repo.owner;
    this.#name = repo.name;
    this.repo = { forge: "github", fullName: `${repo.owner}/${repo.name}`, url: repo.htmlUrl };
    if (repo.defaultBranch) this.#defaultBranch = Promise.resolve(repo.defaultBranch);
  }

  isApp(actor: Actor): boolean {
    return actor.login === this.botLogin;
  }

  private get ownerRepo() {
    return { owner: this.#owner, repo: this.#name };
  }

  loadConfig(ref?: string): Promise<ConfigLoadResult> {
    return loadGitHubConfig(this.#octokit, this.ownerRepo, ref);
  }

  async getPermission(user: string): Promise<PermissionLevel> {
    try {
      const { data } = await github("permission lookup", () =>
        this.#octokit.rest.repos.getCollaboratorPermissionLevel({ ...this.ownerRepo, username: user }),
      );
      // role_name says maintain/triage; custom roles fall back to their base permission.
      const role = (data as { role_name?: string }).role_name as PermissionLevel | undefined;
      if (role && PERMISSION_LEVELS.includes(role)) return role;
      const base = data.permission as PermissionLevel;
      return PERMISSION_LEVELS.includes(base) ? base : "none";
    } catch (err) {
      if (err instanceof NotFoundError) return "none";
      throw err;
    }
  }

  getDefaultBranch(): Promise<string> {
    this.#defaultBranch ??= github("repository lookup", () => this.#octokit.rest.repos.get(this.ownerRepo)).then(
      ({ data }) => data.default_branch,
    );
    return this.#defaultBranch;
  }

  async getBranchSha(branch: string): Promise<string | null> {
    try {
      const { data } = await github("branch lookup", () =>
        this.#octokit.rest.git.getRef({ ...this.ownerRepo, ref: `heads/${branch}` }),
      );
      return data.object.sha;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async downloadArchive(sha: string): Promise<Readable> {
    // Streamed, not buffered: a repository tarball can be large.
    const response = await github("tarball download", () =>
      this.#octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
        ...this.ownerRepo,
        ref: sha,
        request: { parseSuccessResponseBody: false },
      }),
    );
    return Readable.fromWeb(response.data as unknown as WebReadableStream<Uint8Array>);
  }

  async listComments(target: CommentTarget): Promise<ForgeComment[]> {
    const comments = await github("comment listing", () =>
      this.#octokit.paginate(this.#octokit.rest.issues.listComments, {
        ...this.ownerRepo,
        issue_number: target.number,
        per_page: 100,
      }),
    );
    return comments.map((c) => ({
      id: c.id,
      body: c.body ?? "",
      author: c.user?.login ?? "",
      createdAt: c.created_at,
    }));
  }

  async createComment(target: CommentTarget, body: string): Promise<ForgeComment> {
    const { data } = await github("comment creation", () =>
      this.#octokit.rest.issues.createComment({ ...this.ownerRepo, issue_number: target.number, body, ...NO_RETRY }),
    );
    return { id: data.id, body: data.body ?? "", author: data.user?.login ?? "", createdAt: data.created_at };
  }

  async updateComment(_target: CommentTarget, id: number, body: string): Promise<void> {
    await github("comment update", () =>
      this.#octokit.rest.issues.updateComment({ ...this.ownerRepo, comment_id: id, body }),
    );
  }

  async deleteComment(_target: CommentTarget, id: number): Promise<void> {
    await github("comment deletion", () =>
      this.#octokit.rest.issues.deleteComment({ ...this.ownerRepo, comment_id: id }),
    );
  }

  async setCommitStatus(sha: string, status: CommitStatus): Promise<void> {
    await github("commit status", () =>
      this.#octokit.rest.repos.createCommitStatus({
        ...this.ownerRepo,
        sha,
        state: status.state,
        context: status.context,
        description: status.description,
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
      }),
    );
  }

  /**
   * Git Data API: one tree with inline content (blobs only for binary files), one commit, one ref
   * create or fast-forward. The number of calls does not grow with the number of text files.
   */
  async commitFiles(input: CommitInput): Promise<CommitResult> {
    const { data: parent } = await github("parent commit lookup", () =>
      this.#octokit.rest.git.getCommit({ ...this.ownerRepo, commit_sha: input.parentSha }),
    );
    const tree = await Promise.all(input.files.map((file) => this.treeEntry(file)));
    const { data: newTree } = await github("tree creation", () =>
      this.#octokit.rest.git.createTree({ ...this.ownerRepo, base_tree: parent.tree.sha, tree }),
    );
    const { data: commit } = await github("commit creation", () =>
      this.#octokit.rest.git.createCommit({
        ...this.ownerRepo,
        message: input.message,
        tree: newTree.sha,
        parents: [input.parentSha],
      }),
    );
    const createdBranch = await this.moveBranch(input.branch, commit.sha);
    return { sha: commit.sha, createdBranch };
  }

  private async treeEntry(file: CommitInput["files"][number]) {
    const mode = (file.mode || "100644") as "100644" | "100755";
    if (file.action === "delete") return { path: file.path, mode, type: "blob" as const, sha: null };
    if (file.encoding === "utf8") return { path: file.path, mode, type: "blob" as const, content: file.content };
    const { data: blob } = await github("blob creation", () =>
      this.#octokit.rest.git.createBlob({ ...this.ownerRepo, content: file.content, encoding: "base64" }),
    );
    return { path: file.path, mode, type: "blob" as const, sha: blob.sha };
  }

  /** Creates the branch, or fast-forwards it; returns true when it was created. Never forces. */
  private async moveBranch(branch: string, sha: string): Promise<boolean> {
    try {
      await github("branch creation", () =>
        this.#octokit.rest.git.createRef({ ...this.ownerRepo, ref: `refs/heads/${branch}`, sha }),
      );
      return true;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    await github("branch update", () =>
      this.#octokit.rest.git.updateRef({ ...this.ownerRepo, ref: `heads/${branch}`, sha, force: false }),
    );
    return false;
  }

  async findOpenChangeRequest(headBranch: string): Promise<ChangeRequest | null> {
    const { data } = await github("pull request lookup", () =>
      this.#octokit.rest.pulls.list({
        ...this.ownerRepo,
        head: `${this.#owner}:${headBranch}`,
        state: "open",
        per_page: 1,
      }),
    );
    return data[0] ? toChangeRequest(data[0] as PullData) : null;
  }

  async createChangeRequest(input: ChangeRequestInput): Promise<ChangeRequest> {
    const create = (draft: boolean) =>
      github("pull request creation", () =>
        this.#octokit.rest.pulls.create({
          ...this.ownerRepo,
          title: input.title,
          body: input.body,
          head: input.head,
          base: input.base,
          draft,
          ...NO_RETRY,
        }),
      );
    try {
      return toChangeRequest((await create(input.draft)).data as PullData);
    } catch (err) {
      // Drafts are unavailable on some plans ("Draft pull requests are not supported in this repository").
      if (!(input.draft && err instanceof InvalidRequestError && /draft/i.test(err.message))) throw err;
      return toChangeRequest((await create(false)).data as PullData);
    }
  }

  async updateChangeRequest(number: number, patch: { title?: string; body?: string }): Promise<void> {
    await github("pull request update", () =>
      this.#octokit.rest.pulls.update({ ...this.ownerRepo, pull_number: number, ...patch }),
    );
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    await github("labeling", () =>
      this.#octokit.rest.issues.addLabels({ ...this.ownerRepo, issue_number: number, labels }),
    );
  }

  async requestReviewers(number: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    await github("reviewer request", () =>
      this.#octokit.rest.pulls.requestReviewers({
        ...this.ownerRepo,
        pull_number: number,
        reviewers: reviewers.users,
        team_reviewers: reviewers.teams,
      }),
    );
  }

  async getCodeowners(ref: string): Promise<string | null> {
    for (const path of CODEOWNERS_PATHS) {
      try {
        const { data } = await github("CODEOWNERS lookup", () =>
          this.#octokit.rest.repos.getContent({ ...this.ownerRepo, path, ref, mediaType: { format: "raw" } }),
        );
        return typeof data === "string" ? data : null;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return null;
  }

  async findChangeRequestsForSha(sha: string): Promise<ChangeRequest[]> {
    const { data } = await github("pull requests for commit", () =>
      this.#octokit.rest.repos.listPullRequestsAssociatedWithCommit({
        ...this.ownerRepo,
        commit_sha: sha,
        per_page: 100,
      }),
    );
    const associated = (data as PullData[]).map(toChangeRequest).filter((c) => c.state === "open" && c.headSha === sha);
    if (associated.length > 0) return associated;
    // Fork PRs: events carry an empty pull_requests[] (actions/runner#3444); match open PRs by head SHA.
    const { data: open } = await github("open pull request listing", () =>
      this.#octokit.rest.pulls.list({
        ...this.ownerRepo,
        state: "open",
        sort: "updated",
        direction: "desc",
        per_page: OPEN_PULLS_SCANNED_FOR_SHA,
      }),
    );
    return (open as PullData[]).map(toChangeRequest).filter((c) => c.headSha === sha);
  }

  async listChangedFiles(number: number): Promise<string[]> {
    const files = await github("changed files listing", () =>
      this.#octokit.paginate(this.#octokit.rest.pulls.listFiles, {
        ...this.ownerRepo,
        pull_number: number,
        per_page: 100,
      }),
    );
    return files.map((f) => f.filename);
  }

  async getChangeRequest(number: number): Promise<ChangeRequest | null> {
    try {
      const { data } = await github("pull request lookup", () =>
        this.#octokit.rest.pulls.get({ ...this.ownerRepo, pull_number: number }),
      );
      return toChangeRequest(data as PullData);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /** Check runs (latest attempt each, GitHub Actions jobs among them) and legacy commit statuses. */
  async listCiJobs(sha: string): Promise<CiJob[]> {
    const [runs, combined] = await Promise.all([
      github("check run listing", () =>
        this.#octokit.paginate(this.#octokit.rest.checks.listForRef, {
          ...this.ownerRepo,
          ref: sha,
          filter: "latest",
          per_page: 100,
        }),
      ),
      github("commit status lookup", () =>
        this.#octokit.rest.repos.getCombinedStatusForRef({ ...this.ownerRepo, ref: sha, per_page: 100 }),
      ),
    ]);
    const checkJobs = (runs as CheckRunData[]).map((run) => this.checkRunJob(run));
    const statusJobs = combined.data.statuses.map((status) => ({
      id: `status:${status.context}`,
      name: status.context,
      url: status.target_url ?? "",
      state: STATUS_STATES[status.state] ?? "pending",
      openLog: async () => null,
      reportedText: status.description ?? undefined,
    }));
    return [...checkJobs, ...statusJobs];
  }

  private checkRunJob(run: CheckRunData): CiJob {
    const state: CiJobState =
      run.status !== "completed" ? "pending" : (CONCLUSION_STATES[run.conclusion ?? ""] ?? "failure");
    // An Actions job's check run shares its id with the job, so its log is the job log.
    const isActions = run.app?.slug === "github-actions";
    return {
      id: String(run.id),
      name: run.name,
      url: run.html_url ?? run.details_url ?? "",
      state,
      openLog: () => (isActions ? this.openJobLog(run.id) : this.checkRunReport(run)),
    };
  }

  private async openJobLog(jobId: number): Promise<Readable> {
    // The endpoint answers with a redirect to the log; fetch follows it and the body is streamed.
    const response = await github("job log download", () =>
      this.#octokit.request("GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs", {
        ...this.ownerRepo,
        job_id: jobId,
        request: { parseSuccessResponseBody: false },
      }),
    );
    return Readable.fromWeb(response.data as unknown as WebReadableStream<Uint8Array>);
  }

  /** Other check apps report through output and annotations, which stand in for a log. */
  private async checkRunReport(run: CheckRunData): Promise<Readable | null> {
    const annotations = run.output?.annotations_count
      ? await github("annotation listing", () =>
          this.#octokit.rest.checks.listAnnotations({ ...this.ownerRepo, check_run_id: run.id, per_page: 50 }),
        ).then(({ data }) =>
          data.map(
            (a) => `${a.path}:${a.start_line}: ${a.annotation_level}: ${a.title ? `${a.title}: ` : ""}${a.message}`,
          ),
        )
      : [];
    const parts = [run.output?.title, run.output?.summary, run.output?.text, ...annotations].filter((p): p is string =>
      Boolean(p),
    );
    return parts.length > 0 ? Readable.from([parts.join("\n")]) : null;
  }

  async getIssue(number: number): Promise<IssueRef | null> {
    try {
      const { data } = await github("issue lookup", () =>
        this.#octokit.rest.issues.get({ ...this.ownerRepo, issue_number: number }),
      );
      return {
        number: data.number,
        title: data.title,
        body: data.body ?? "",
        url: data.html_url,
        ...(data.user?.login ? { author: data.user.login } : {}),
      };
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async getCommitMessage(sha: string): Promise<string> {
    const { data } = await github("commit lookup", () =>
      this.#octokit.rest.git.getCommit({ ...this.ownerRepo, commit_sha: sha }),
    );
    return data.message;
  }

  async markReadyForReview(number: number): Promise<void> {
    // REST cannot leave draft state; only this GraphQL mutation can.
    const { data } = await github("pull request lookup", () =>
      this.#octokit.rest.pulls.get({ ...this.ownerRepo, pull_number: number }),
    );
    await github("ready for review", () =>
      this.#octokit.graphql(
        "mutation($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { isDraft } } }",
        { id: data.node_id },
      ),
    );
  }

  async acknowledgeComment(
    _target: CommentTarget,
    commentId: number,
    source?: "review" | "review-comment",
  ): Promise<void> {
    // A review's own body takes no reaction (https://docs.github.com/en/rest/reactions/reactions).
    if (source === "review") return;
    const params = { ...this.ownerRepo, comment_id: commentId, content: "eyes" as const };
    await github("reaction", () =>
      source === "review-comment"
        ? this.#octokit.rest.reactions.createForPullRequestReviewComment(params)
        : this.#octokit.rest.reactions.createForIssueComment(params),
    );
  }

  async listChangeRequestCommits(number: number): Promise<BranchCommit[]> {
    // GitHub lists at most 250 commits of a pull request, oldest first; factory branches stay far below.
    const commits = await github("pull request commits", () =>
      this.#octokit.paginate(this.#octokit.rest.pulls.listCommits, {
        ...this.ownerRepo,
        pull_number: number,
        per_page: 100,
      }),
    );
    return commits.map((c) => ({ sha: c.sha, message: c.commit.message }));
  }

  async listReviewThreads(number: number): Promise<ReviewThread[]> {
    const threads: ReviewThread[] = [];
    let cursor: string | null = null;
    do {
      const page: ReviewThreadsPage = await github("review threads", () =>
        this.#octokit.graphql<ReviewThreadsPage>(REVIEW_THREADS_QUERY, {
          owner: this.#owner,
          name: this.#name,
          number,
          cursor,
        }),
      );
      const connection = page.repository?.pullRequest?.reviewThreads;
      if (!connection) break;
      for (const node of connection.nodes ?? []) {
        if (!node || node.isResolved) continue;
        const comments = (node.comments.nodes ?? []).filter((c): c is ThreadCommentNode => c !== null);
        threads.push({
          id: node.id,
          path: node.path || null,
          line: node.line ?? node.originalLine ?? null,
          diffHunk: comments[0]?.diffHunk || null,
          comments: comments.map((c) => ({ author: c.author?.login ?? "ghost", body: c.body })),
        });
      }
      cursor = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
    } while (cursor);
    return threads;
  }

  async replyToReviewThread(_number: number, threadId: string, body: string): Promise<void> {
    await github("review thread reply", () =>
      this.#octokit.graphql(
        "mutation($id: ID!, $body: String!) { addPullRequestReviewThreadReply(input: { pullRequestReviewThreadId: $id, body: $body }) { comment { id } } }",
        { id: threadId, body, ...NO_RETRY },
      ),
    );
  }

  async resolveReviewThread(_number: number, threadId: string): Promise<void> {
    await github("review thread resolution", () =>
      this.#octokit.graphql(
        "mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { isResolved } } }",
        {
          id: threadId,
        },
      ),
    );
  }

  async dispatchTaskRun(input: TaskRunDispatch): Promise<{ url: string | null }> {
    const response = await github("workflow dispatch", () =>
      this.#octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
        ...this.ownerRepo,
        workflow_id: input.workflow,
        ref: input.ref,
        // The workflow reads the issue body itself (`gh issue view`): inputs have a size limit.
        inputs: {
          issue: input.inputs.issue,
          title: input.inputs.title,
          url: input.inputs.url,
          branch: input.inputs.branch,
          base: input.inputs.base,
          attempt: input.inputs.attempt,
          failure: input.inputs.failure,
          ...(input.inputs.mode === undefined ? {} : { mode: input.inputs.mode, plan: input.inputs.plan ?? "" }),
        },
        // GitHub.com answers with the run's id and URL; older Enterprise Servers answer 204.
        return_run_details: true,
        // A retried dispatch after a lost 5xx would start a second agent run.
        ...NO_RETRY,
      }),
    );
    const details = response.data as { html_url?: string } | undefined;
    return { url: details?.html_url ?? `${this.repo.url}/actions/workflows/${input.workflow}` };
  }

  async downloadTaskChangeSet(runId: string): Promise<string | null> {
    const { data } = await github("artifact listing", () =>
      this.#octokit.rest.actions.listWorkflowRunArtifacts({
        ...this.ownerRepo,
        run_id: Number(runId),
        name: TASK_ARTIFACT,
        per_page: 10,
      }),
    );
    const artifact = data.artifacts.find((a) => a.name === TASK_ARTIFACT && !a.expired);
    if (!artifact) return null;
    if (artifact.size_in_bytes > MAX_ARTIFACT_BYTES)
      throw new InvalidRequestError(`the ${TASK_ARTIFACT} artifact is larger than ${MAX_ARTIFACT_BYTES} bytes`);
    const { data: zip } = await github("artifact download", () =>
      this.#octokit.rest.actions.downloadArtifact({
        ...this.ownerRepo,
        artifact_id: artifact.id,
        archive_format: "zip",
      }),
    );
    return changeSetFromZip(new Uint8Array(zip as ArrayBuffer));
  }

  async listTaskRunJobs(runId: string): Promise<CiJob[]> {
    const jobs = await github("run job listing", () =>
      this.#octokit.paginate(this.#octokit.rest.actions.listJobsForWorkflowRun, {
        ...this.ownerRepo,
        run_id: Number(runId),
        per_page: 100,
      }),
    );
    return jobs.map((job) => ({
      id: String(job.id),
      name: job.name,
      url: job.html_url ?? "",
      state: job.status !== "completed" ? "pending" : (CONCLUSION_STATES[job.conclusion ?? ""] ?? "failure"),
      openLog: () => this.openJobLog(job.id),
    }));
  }
}

interface CheckRunData {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  html_url?: string | null;
  details_url?: string | null;
  app?: { slug?: string } | null;
  output?: { title?: string | null; summary?: string | null; text?: string | null; annotations_count?: number };
}

const CONCLUSION_STATES: Record<string, CiJobState> = {
  success: "success",
  neutral: "success",
  skipped: "skipped",
  // Cancelled runs are usually superseded by a newer push; they explain nothing.
  cancelled: "skipped",
  stale: "skipped",
  action_required: "pending",
  failure: "failure",
  timed_out: "failure",
  startup_failure: "failure",
};

const STATUS_STATES: Record<string, CiJobState> = {
  success: "success",
  pending: "pending",
  failure: "failure",
  error: "failure",
};

/** The artifact the shipped workflow uploads, holding `changeset.json`. */
export const TASK_ARTIFACT = "factory-changeset";
const MAX_ARTIFACT_BYTES = 60 * 1024 * 1024;

/** Reads only `changeset.json` out of the artifact zip, refusing to inflate anything oversized. */
function changeSetFromZip(zip: Uint8Array): string | null {
  const files = unzipSync(zip, {
    filter: (file) => file.name === "changeset.json" && file.originalSize <= MAX_ARTIFACT_BYTES,
  });
  const content = files["changeset.json"];
  return content ? Buffer.from(content).toString("utf8") : null;
}
