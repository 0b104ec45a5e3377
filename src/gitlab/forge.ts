import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Actor } from "../core/events.js";
import type { IssueRef } from "../core/task-runner.js";
import type { ConfigLoadResult } from "../config/types.js";
import { ConflictError, ForgeError, InvalidRequestError, NotFoundError } from "../core/errors.js";
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
  TaskRunInputs,
} from "../core/forge.js";
import type { GitLabApi } from "./client.js";
import { loadGitLabConfig } from "./config.js";
import { gitlabCall, isUnchangedStatus } from "./errors.js";
import {
  commitActions,
  jobState,
  permissionOf,
  STATUS_STATES,
  toChangeRequest,
  toForgeComment,
  toReviewThread,
  type DiscussionData,
  type JobData,
  type MergeRequestData,
  type NoteData,
} from "./mapping.js";

const DRAFT_PREFIX = "Draft: ";
// Every title prefix GitLab reads as draft (https://docs.gitlab.com/user/project/merge_requests/drafts/).
const DRAFT_PREFIXES = /^\s*(?:\[draft\]|\(draft\)|draft:|draft\s+-\s+|draft\s+|wip:)\s*/i;

export const gitlabWording: ForgeWording = {
  forgeName: "GitLab",
  changeRequest: "merge request",
  changeRequestShort: "MR",
  changeRequestRef: (n) => `!${n}`,
  issueRef: (n) => `#${n}`,
  closesIssue: (n) => `Closes #${n}`,
  // GitLab marks drafts by title (https://docs.gitlab.com/user/project/merge_requests/drafts/).
  draftTitle: (title) => (title.startsWith(DRAFT_PREFIX) ? title : `${DRAFT_PREFIX}${title}`),
  commentUrl: (issueUrl, commentId) => `${issueUrl}#note_${commentId}`,
  permissionName: (level) => GITLAB_ROLE_NAMES[level],
};

/** GitLab's role names for the core's levels (docs/configuration.md: write → Developer, and so on). */
const GITLAB_ROLE_NAMES: Record<PermissionLevel, string> = {
  none: "no access",
  read: "Guest",
  triage: "Reporter",
  write: "Developer",
  maintain: "Maintainer",
  admin: "Owner",
};

// GitLab looks for CODEOWNERS in these places, first found wins (https://docs.gitlab.com/user/project/codeowners/).
const CODEOWNERS_PATHS = ["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"];
// Fork MRs are not always listed by commit; this many recently updated open MRs are scanned by head SHA.
const OPEN_MRS_SCANNED_FOR_SHA = 100;
/** The file a task run's job keeps as an artifact (`factory-bot task --output changeset.json`). */
export const TASK_CHANGESET_ARTIFACT = "changeset.json";
const MAX_ARTIFACT_BYTES = 60 * 1024 * 1024;
const ACKNOWLEDGE_EMOJI = "eyes";
// Some gitbeaker methods pass `asStream` on to the request although their types leave it out.
const AS_STREAM: object = { asStream: true };

/** The project a webhook names; the numeric id survives renames and transfers. */
export interface GitLabProject {
  id: number;
  pathWithNamespace: string;
  webUrl: string;
  defaultBranch?: string;
}

/** The user the bot's token acts as (`GET /user`). */
export interface GitLabUser {
  id: number;
  username: string;
}

interface PipelineData {
  id: number;
  source?: string;
}

/** The core's Forge on one GitLab project, through gitbeaker. */
export class GitLabForge implements Forge {
  readonly kind = "gitlab" as const;
  readonly words = gitlabWording;
  readonly repo: RepoRef;
  readonly botLogin: string;
  readonly #botId: number;
  readonly ciRunner = "gitlab-ci" as const;
  // Anyone who may run pipelines can set the FACTORY_TASK_* variables.
  readonly taskRunOrigin = "the-app" as const;
  readonly #api: GitLabApi;
  readonly #projectId: number;
  readonly #userIds = new Map<string, Promise<number | null>>();
  #defaultBranch: Promise<string> | null = null;

  constructor(api: GitLabApi, project: GitLabProject, bot: GitLabUser) {
    this.#api = api;
    this.#projectId = project.id;
    this.botLogin = bot.username;
    this.#botId = bot.id;
    this.repo = { forge: "gitlab", fullName: project.pathWithNamespace, url: project.webUrl };
    if (project.defaultBranch) this.#defaultBranch = Promise.resolve(project.defaultBranch);
  }

  isApp(actor: Actor): boolean {
    return actor.id === this.#botId || actor.login.toLowerCase() === this.botLogin.toLowerCase();
  }

  async loadConfig(ref?: string): Promise<ConfigLoadResult> {
    const at = ref ?? (await this.getDefaultBranch());
    return loadGitLabConfig((path) => this.readFile(path, at));
  }

  /** A file's text at `ref`, or null when it does not exist there. */
  private async readFile(path: string, ref: string): Promise<string | null> {
    try {
      const content = await gitlabCall<string | Blob>(`file download (${path})`, () =>
        this.#api.repositoryFiles.showRaw(this.#projectId, path, ref),
      );
      // gitbeaker returns text for text/* replies and a Blob for anything else.
      return typeof content === "string" ? content : await content.text();
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async getPermission(user: string): Promise<PermissionLevel> {
    const userId = await this.userId(user);
    if (userId === null) return "none";
    try {
      const member = await gitlabCall<{ access_level?: number; state?: string }>("permission lookup", () =>
        this.#api.projectMembers.show(this.#projectId, userId, { includeInherited: true }),
      );
      return permissionOf(member);
    } catch (err) {
      if (err instanceof NotFoundError) return "none";
      throw err;
    }
  }

  /** Usernames to ids, looked up once per forge (the members and reviewers APIs take ids). */
  private userId(username: string): Promise<number | null> {
    let id = this.#userIds.get(username);
    if (!id) {
      id = gitlabCall<Array<{ id: number; username: string }>>("user lookup", () =>
        this.#api.users.all({ username, maxPages: 1 }),
      ).then((users) => users.find((u) => u.username.toLowerCase() === username.toLowerCase())?.id ?? null);
      this.#userIds.set(username, id);
    }
    return id;
  }

  getDefaultBranch(): Promise<string> {
    this.#defaultBranch ??= gitlabCall<{ default_branch: string }>("project lookup", () =>
      this.#api.projects.show(this.#projectId),
    ).then((project) => project.default_branch);
    return this.#defaultBranch;
  }

  async getBranchSha(branch: string): Promise<string | null> {
    try {
      const data = await gitlabCall<{ commit: { id: string } }>("branch lookup", () =>
        this.#api.branches.show(this.#projectId, branch),
      );
      return data.commit.id;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async downloadArchive(sha: string): Promise<Readable> {
    // Streamed, not buffered: an archive can be large.
    const body = await gitlabCall<WebReadableStream<Uint8Array>>("archive download", () =>
      this.#api.repositories.showArchive(this.#projectId, { fileType: "tar.gz", sha, asStream: true }),
    );
    return Readable.fromWeb(body);
  }

  private notes(target: CommentTarget) {
    return target.kind === "issue" ? this.#api.issueNotes : this.#api.mergeRequestNotes;
  }

  async listComments(target: CommentTarget): Promise<ForgeComment[]> {
    const notes = await gitlabCall<NoteData[]>("note listing", () =>
      this.notes(target).all(this.#projectId, target.number, { sort: "asc", orderBy: "created_at", perPage: 100 }),
    );
    // System notes ("added label", "mentioned in") are GitLab's own, never the bot's.
    return notes.filter((n) => !n.system).map(toForgeComment);
  }

  async createComment(target: CommentTarget, body: string): Promise<ForgeComment> {
    const note = await gitlabCall<NoteData>("note creation", () =>
      this.notes(target).create(this.#projectId, target.number, body),
    );
    return toForgeComment(note);
  }

  async updateComment(target: CommentTarget, id: number, body: string): Promise<void> {
    await gitlabCall("note update", () => this.notes(target).edit(this.#projectId, target.number, id, { body }));
  }

  async deleteComment(target: CommentTarget, id: number): Promise<void> {
    await gitlabCall("note deletion", () => this.notes(target).remove(this.#projectId, target.number, id));
  }

  async setCommitStatus(sha: string, status: CommitStatus): Promise<void> {
    try {
      await gitlabCall("commit status", () =>
        this.#api.commits.editStatus(this.#projectId, sha, STATUS_STATES[status.state], {
          name: status.context,
          description: status.description,
          ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
        }),
      );
    } catch (err) {
      if (!isUnchangedStatus(err)) throw err;
    }
  }

  /**
   * One commits-API call. A new branch is created by the same call from `start_sha`, which also
   * refuses (400, "already exists") when another writer created the branch meanwhile. On an
   * existing branch the head is checked first: GitLab has no expected-head guard for a whole
   * commit (`last_commit_id` is per file, against the file's last commit), so a push landing
   * between the check and the commit is the one window left; GitLab never forces, so that push
   * is kept, not overwritten.
   */
  async commitFiles(input: CommitInput): Promise<CommitResult> {
    const head = await this.getBranchSha(input.branch);
    if (head !== null && head !== input.parentSha) {
      throw new ConflictError(
        `GitLab branch ${input.branch} is at ${head}, not ${input.parentSha}: not a fast-forward`,
        409,
      );
    }
    const commit = await gitlabCall<{ id: string }>("commit creation", () =>
      this.#api.commits.create(this.#projectId, input.branch, input.message, commitActions(input.files), {
        ...(head === null ? { startSha: input.parentSha } : {}),
      }),
    );
    return { sha: commit.id, createdBranch: head === null };
  }

  async findOpenChangeRequest(headBranch: string): Promise<ChangeRequest | null> {
    const mrs = await gitlabCall<MergeRequestData[]>("merge request lookup", () =>
      this.#api.mergeRequests.all({
        projectId: this.#projectId,
        sourceBranch: headBranch,
        state: "opened",
        perPage: 20,
        maxPages: 1,
      }),
    );
    // A fork can have a branch of the same name; only the project's own branch is the task's.
    const own = mrs.find((mr) => mr.source_project_id === undefined || mr.source_project_id === this.#projectId);
    return own ? toChangeRequest(own) : null;
  }

  async createChangeRequest(input: ChangeRequestInput): Promise<ChangeRequest> {
    const title = input.draft ? this.words.draftTitle(input.title) : input.title;
    const mr = await gitlabCall<MergeRequestData>("merge request creation", () =>
      this.#api.mergeRequests.create(this.#projectId, input.head, input.base, title, { description: input.body }),
    );
    return toChangeRequest(mr);
  }

  async updateChangeRequest(number: number, patch: { title?: string; body?: string }): Promise<void> {
    await gitlabCall("merge request update", () =>
      this.#api.mergeRequests.edit(this.#projectId, number, {
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.body !== undefined ? { description: patch.body } : {}),
      }),
    );
  }

  async addLabels(number: number, labels: string[]): Promise<void> {
    await gitlabCall("labeling", () =>
      this.#api.mergeRequests.edit(this.#projectId, number, { addLabels: labels.join(",") }),
    );
  }

  /**
   * GitLab MRs take user reviewers only, by id; `reviewer_ids` replaces the list, so the current
   * reviewers are kept. Teams (CODEOWNERS groups) cannot be requested and unknown users are skipped.
   */
  async requestReviewers(number: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    const ids = (await Promise.all(reviewers.users.map((u) => this.userId(u)))).filter(
      (id): id is number => id !== null,
    );
    if (ids.length === 0) return;
    const mr = await gitlabCall<MergeRequestData>("merge request lookup", () =>
      this.#api.mergeRequests.show(this.#projectId, number),
    );
    const current = (mr.reviewers ?? []).map((r) => r.id);
    const wanted = [...new Set([...current, ...ids])];
    if (wanted.length === current.length) return;
    await gitlabCall("reviewer request", () =>
      this.#api.mergeRequests.edit(this.#projectId, number, { reviewerIds: wanted }),
    );
  }

  async getCodeowners(ref: string): Promise<string | null> {
    for (const path of CODEOWNERS_PATHS) {
      const text = await this.readFile(path, ref);
      if (text !== null) return text;
    }
    return null;
  }

  async findChangeRequestsForSha(sha: string): Promise<ChangeRequest[]> {
    const forCommit = await gitlabCall<MergeRequestData[]>("merge requests for commit", () =>
      this.#api.commits.allMergeRequests(this.#projectId, sha),
    );
    const associated = forCommit.map(toChangeRequest).filter((c) => c.state === "open" && c.headSha === sha);
    if (associated.length > 0) return associated;
    // A fork's commit is not in this project's repository until GitLab fetches the MR ref.
    const open = await gitlabCall<MergeRequestData[]>("open merge request listing", () =>
      this.#api.mergeRequests.all({
        projectId: this.#projectId,
        state: "opened",
        orderBy: "updated_at",
        sort: "desc",
        perPage: OPEN_MRS_SCANNED_FOR_SHA,
        maxPages: 1,
      }),
    );
    return open.map(toChangeRequest).filter((c) => c.headSha === sha);
  }

  async listChangedFiles(number: number): Promise<string[]> {
    const diffs = await gitlabCall<Array<{ new_path: string; old_path: string }>>("changed files listing", () =>
      this.#api.mergeRequests.allDiffs(this.#projectId, number, { perPage: 100 }),
    );
    // A rename touches both paths: moving the config away changes it too.
    return [...new Set(diffs.flatMap((d) => [d.new_path, d.old_path]))];
  }

  async getIssue(number: number): Promise<IssueRef | null> {
    try {
      const issue = await gitlabCall<{
        iid: number;
        title: string;
        description?: string | null;
        web_url: string;
        author?: { username?: string } | null;
      }>("issue lookup", () => this.#api.issues.show(number, { projectId: this.#projectId }));
      return {
        number: issue.iid,
        title: issue.title,
        body: issue.description ?? "",
        url: issue.web_url,
        ...(issue.author?.username ? { author: issue.author.username } : {}),
      };
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  async getChangeRequest(number: number): Promise<ChangeRequest | null> {
    try {
      const mr = await gitlabCall<MergeRequestData>("merge request lookup", () =>
        this.#api.mergeRequests.show(this.#projectId, number),
      );
      return toChangeRequest(mr);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /**
   * The jobs of the newest pipeline of each source (push, merge request, schedule, …) for `sha`.
   * Retried jobs are listed once, at their latest attempt. Pipelines of commit statuses posted
   * through the API (source `external`, the bot's own among them) have no jobs of their own.
   */
  async listCiJobs(sha: string): Promise<CiJob[]> {
    const pipelines = await gitlabCall<PipelineData[]>("pipeline listing", () =>
      this.#api.pipelines.all(this.#projectId, { sha, orderBy: "id", sort: "desc", perPage: 100, maxPages: 1 }),
    );
    const jobs = await Promise.all(latestPerSource(pipelines).map((pipeline) => this.pipelineJobs(pipeline.id)));
    return jobs.flat().map((job) => this.ciJob(job));
  }

  private ciJob(job: JobData): CiJob {
    return {
      id: String(job.id),
      name: job.name,
      url: job.web_url ?? "",
      state: jobState(job),
      openLog: () => this.openJobTrace(job.id),
    };
  }

  async getCommitMessage(sha: string): Promise<string> {
    const commit = await gitlabCall<{ message: string }>("commit lookup", () =>
      this.#api.commits.show(this.#projectId, sha, { stats: false }),
    );
    return commit.message;
  }

  /** GitLab has no draft flag to clear: the draft prefix is taken off the title. */
  async markReadyForReview(number: number): Promise<void> {
    const mr = await gitlabCall<MergeRequestData>("merge request lookup", () =>
      this.#api.mergeRequests.show(this.#projectId, number),
    );
    const title = mr.title.replace(DRAFT_PREFIXES, "");
    if (title === mr.title) return;
    await gitlabCall("ready for review", () => this.#api.mergeRequests.edit(this.#projectId, number, { title }));
  }

  async acknowledgeComment(target: CommentTarget, commentId: number): Promise<void> {
    const emojis = target.kind === "issue" ? this.#api.issueNoteAwardEmojis : this.#api.mergeRequestNoteAwardEmojis;
    try {
      await gitlabCall("award emoji", () => emojis.award(this.#projectId, target.number, commentId, ACKNOWLEDGE_EMOJI));
    } catch (err) {
      // Awarding the same emoji twice is refused; the acknowledgement is there either way.
      if (!(err instanceof ForgeError && /already been taken/i.test(err.message))) throw err;
    }
  }

  async listChangeRequestCommits(number: number): Promise<BranchCommit[]> {
    const commits = await gitlabCall<Array<{ id: string; message: string }>>("merge request commits", () =>
      this.#api.mergeRequests.allCommits(this.#projectId, number, { perPage: 100 }),
    );
    // GitLab lists them newest first (https://docs.gitlab.com/api/merge_requests/#get-single-merge-request-commits).
    return commits.map((c) => ({ sha: c.id, message: c.message })).reverse();
  }

  async listReviewThreads(number: number): Promise<ReviewThread[]> {
    const discussions = await gitlabCall<DiscussionData[]>("discussion listing", () =>
      this.#api.mergeRequestDiscussions.all(this.#projectId, number, { perPage: 100 }),
    );
    const open = discussions.filter((d) => toReviewThread(d, new Map()) !== null);
    if (open.length === 0) return [];
    // Discussions carry no diff hunk: it is cut from the merge request's diff, read once.
    const diffs = await gitlabCall<Array<{ new_path: string; diff: string }>>("diff listing", () =>
      this.#api.mergeRequests.allDiffs(this.#projectId, number, { perPage: 100 }),
    );
    const byPath = new Map(diffs.map((d) => [d.new_path, d.diff]));
    return open.map((d) => toReviewThread(d, byPath)!);
  }

  async replyToReviewThread(number: number, threadId: string, body: string): Promise<void> {
    await gitlabCall("discussion reply", () =>
      this.#api.mergeRequestDiscussions.addNote(this.#projectId, number, threadId, body),
    );
  }

  /** A pipeline on `ref` with the task's inputs as variables (see `taskRunVariables`). */
  async dispatchTaskRun(input: TaskRunDispatch): Promise<{ url: string | null }> {
    const pipeline = await gitlabCall<{ web_url?: string }>("pipeline creation", () =>
      this.#api.pipelines.create(this.#projectId, input.ref, { variables: taskRunVariables(input.inputs) }),
    );
    return { url: pipeline.web_url ?? `${this.repo.url}/-/pipelines` };
  }

  /** `changeset.json` from the first job of the pipeline that kept it as an artifact. */
  async downloadTaskChangeSet(runId: string): Promise<string | null> {
    const jobs = await this.pipelineJobs(Number(runId));
    for (const job of jobs.filter((j) => j.status === "success")) {
      try {
        const body = await gitlabCall<WebReadableStream<Uint8Array>>("artifact download", () =>
          this.#api.jobArtifacts.downloadArchive(this.#projectId, {
            jobId: job.id,
            artifactPath: TASK_CHANGESET_ARTIFACT,
            ...AS_STREAM,
          }),
        );
        return await readBounded(Readable.fromWeb(body), MAX_ARTIFACT_BYTES);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return null;
  }

  async listTaskRunJobs(runId: string): Promise<CiJob[]> {
    return (await this.pipelineJobs(Number(runId))).map((job) => this.ciJob(job));
  }

  private pipelineJobs(pipelineId: number): Promise<JobData[]> {
    return gitlabCall<JobData[]>("pipeline job listing", () =>
      this.#api.jobs.all(this.#projectId, { pipelineId, perPage: 100 }),
    );
  }

  private async openJobTrace(jobId: number): Promise<Readable> {
    const body = await gitlabCall<WebReadableStream<Uint8Array>>("job trace download", () =>
      this.#api.jobs.showLog(this.#projectId, jobId, { ...AS_STREAM }),
    );
    return Readable.fromWeb(body);
  }
}

/** From pipelines listed newest first, the newest of each source, leaving out `external` ones. */
function latestPerSource(pipelines: PipelineData[]): PipelineData[] {
  const bySource = new Map<string, PipelineData>();
  for (const pipeline of pipelines) {
    const source = pipeline.source ?? "";
    if (source !== "external" && !bySource.has(source)) bySource.set(source, pipeline);
  }
  return [...bySource.values()];
}

/**
 * Pipeline variables of a task run, the GitLab counterpart of the workflow_dispatch inputs, as
 * templates/gitlab/factory-task.gitlab-ci.yml reads them: `FACTORY_TASK_ISSUE`, `_TITLE`, `_URL`,
 * `_BODY`, `_BRANCH`, `_BASE`, `_ATTEMPT`, `_FAILURE`. The runner expands `$NAME` inside pipeline
 * variables, so issue text could pull CI secrets into the agent's input; `$$` is GitLab's literal
 * `$` (https://gitlab.com/gitlab-org/gitlab/-/issues/17069).
 */
export function taskRunVariables(inputs: TaskRunInputs): Array<{ key: string; value: string }> {
  return Object.entries(inputs).map(([name, value]) => ({
    key: `FACTORY_TASK_${name.toUpperCase()}`,
    value: value.replaceAll("$", () => "$$"),
  }));
}

async function readBounded(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new InvalidRequestError(`the ${TASK_CHANGESET_ARTIFACT} artifact is larger than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
