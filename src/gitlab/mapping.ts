import type { ChangeSetFile } from "../core/changeset.js";
import type {
  ChangeRequest,
  CiJobState,
  CommitState,
  ForgeComment,
  PermissionLevel,
  ReviewThread,
} from "../core/forge.js";

/** The fields of a GitLab merge request the bot reads. */
export interface MergeRequestData {
  iid: number;
  web_url: string;
  title: string;
  description?: string | null;
  source_branch: string;
  target_branch: string;
  source_project_id?: number;
  sha?: string | null;
  draft?: boolean;
  work_in_progress?: boolean;
  state: string;
  author?: { username?: string } | null;
  labels?: Array<string | { name?: string }>;
  reviewers?: Array<{ id: number }>;
}

export function toChangeRequest(mr: MergeRequestData): ChangeRequest {
  return {
    number: mr.iid,
    url: mr.web_url,
    title: mr.title,
    body: mr.description ?? "",
    headBranch: mr.source_branch,
    headSha: mr.sha ?? "",
    baseBranch: mr.target_branch,
    // `work_in_progress` is the name before GitLab 14 renamed WIP to draft.
    draft: mr.draft ?? mr.work_in_progress ?? false,
    state: mr.state === "opened" ? "open" : mr.state === "merged" ? "merged" : "closed",
    author: mr.author?.username ?? "",
    labels: (mr.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
  };
}

export interface NoteData {
  id: number;
  body: string;
  system?: boolean;
  author?: { username?: string } | null;
  created_at: string;
}

export function toForgeComment(note: NoteData): ForgeComment {
  return { id: note.id, body: note.body, author: note.author?.username ?? "", createdAt: note.created_at };
}

// https://docs.gitlab.com/api/members/#roles
const ACCESS_LEVELS: Array<[minimum: number, level: PermissionLevel]> = [
  [50, "admin"], // Owner
  [40, "maintain"], // Maintainer
  [30, "write"], // Developer
  [15, "triage"], // Planner and Reporter manage issues and labels
  [10, "read"], // Guest
];

/** A member's access level (inherited ones included) as the core's permission level. */
export function permissionOf(member: { access_level?: number; state?: string }): PermissionLevel {
  // Members awaiting a seat or blocked have the level on paper only.
  if (member.state !== undefined && member.state !== "active") return "none";
  const level = member.access_level ?? 0;
  return ACCESS_LEVELS.find(([minimum]) => level >= minimum)?.[1] ?? "none";
}

export interface JobData {
  id: number;
  name: string;
  status: string;
  allow_failure?: boolean;
  web_url?: string;
}

const JOB_STATES: Record<string, CiJobState> = {
  success: "success",
  failed: "failure",
  running: "pending",
  pending: "pending",
  created: "pending",
  preparing: "pending",
  waiting_for_resource: "pending",
  waiting_for_callback: "pending",
  scheduled: "pending",
  canceling: "skipped",
  canceled: "skipped",
  skipped: "skipped",
  manual: "skipped",
};

export function jobState(job: JobData): CiJobState {
  // An allowed failure shows as a warning in GitLab and does not fail the pipeline.
  if (job.status === "failed" && job.allow_failure) return "success";
  return JOB_STATES[job.status] ?? "pending";
}

/** The commit statuses API names states after pipeline states. */
export const STATUS_STATES: Record<CommitState, "pending" | "success" | "failed"> = {
  pending: "pending",
  success: "success",
  failure: "failed",
  error: "failed",
};

export interface CommitActionData {
  action: "create" | "update" | "delete" | "chmod";
  filePath: string;
  content?: string;
  encoding?: "text" | "base64";
  execute_filemode?: boolean;
}

/**
 * ChangeSet files as commits-API actions. The executable bit can only be set by a separate
 * `chmod` action (https://docs.gitlab.com/api/commits/#create-a-commit-with-multiple-files-and-actions);
 * the previous mode of an updated file is not known, so only 100755 files get one.
 */
export function commitActions(files: readonly ChangeSetFile[]): CommitActionData[] {
  return files.flatMap((file): CommitActionData[] => {
    if (file.action === "delete") return [{ action: "delete", filePath: file.path }];
    const write: CommitActionData = {
      action: file.action,
      filePath: file.path,
      content: file.content,
      encoding: file.encoding === "base64" ? "base64" : "text",
    };
    return file.mode === "100755" ? [write, { action: "chmod", filePath: file.path, execute_filemode: true }] : [write];
  });
}

export interface DiscussionData {
  id: string;
  individual_note?: boolean;
  notes?: Array<
    NoteData & {
      resolvable?: boolean;
      resolved?: boolean;
      position?: {
        new_path?: string | null;
        new_line?: number | null;
        old_path?: string | null;
        old_line?: number | null;
      } | null;
    }
  >;
}

/** A resolvable discussion nobody resolved yet, as a review thread; null for anything else. */
export function toReviewThread(discussion: DiscussionData, diffs: Map<string, string>): ReviewThread | null {
  const notes = (discussion.notes ?? []).filter((n) => !n.system);
  const first = notes[0];
  if (!first?.resolvable || notes.every((n) => n.resolved)) return null;
  const position = first.position ?? null;
  const path = position?.new_path ?? position?.old_path ?? null;
  const line = position?.new_line ?? position?.old_line ?? null;
  const diff = path ? diffs.get(path) : undefined;
  return {
    id: discussion.id,
    path,
    line,
    diffHunk: diff && position?.new_line ? hunkAround(diff, position.new_line) : null,
    comments: notes.map((n) => ({ author: n.author?.username ?? "", body: n.body })),
  };
}

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/** The hunk of a unified diff whose new side holds `line` (GitLab's discussions carry no hunk). */
export function hunkAround(diff: string, line: number): string | null {
  const hunks = diff.split(/^(?=@@ )/m).filter((h) => HUNK_HEADER.test(h));
  const hunk = hunks.find((h) => {
    const [, start, count] = HUNK_HEADER.exec(h)!;
    const from = Number(start);
    return line >= from && line < from + Number(count ?? 1);
  });
  return hunk ? hunk.trimEnd() : null;
}
