import {
  parseCommand,
  commandArgument,
  type Actor,
  type CoreEvent,
  type IssueLabeledEvent,
  type TaskRunCompletedEvent,
} from "../core/events.js";
import type { GitLabProject } from "./forge.js";

/**
 * GitLab webhook payloads → core events. Pure functions over the fields the bot reads; a
 * payload missing them yields nothing, never a crash. Payload shapes:
 * https://docs.gitlab.com/user/project/integrations/webhook_events/
 */

interface UserPayload {
  id?: number;
  username?: string;
}

interface ProjectPayload {
  id?: number;
  path_with_namespace?: string;
  web_url?: string;
  default_branch?: string;
}

interface LabelPayload {
  title?: string;
}

interface IssueHookPayload {
  user?: UserPayload;
  project?: ProjectPayload;
  object_attributes?: { iid?: number; title?: string; description?: string | null; url?: string; action?: string };
  changes?: { labels?: { previous?: LabelPayload[] | null; current?: LabelPayload[] | null } };
}

interface MergeRequestHookPayload {
  user?: UserPayload;
  project?: ProjectPayload;
  object_attributes?: { iid?: number; action?: string; oldrev?: string; last_commit?: { id?: string } };
}

interface PipelineHookPayload {
  user?: UserPayload;
  project?: ProjectPayload;
  object_attributes?: {
    id?: number;
    sha?: string;
    status?: string;
    source?: string;
    url?: string;
    variables?: Array<{ key?: string; value?: string }>;
  };
  merge_request?: { iid?: number; target_project_id?: number } | null;
}

interface NoteHookPayload {
  user?: UserPayload;
  project?: ProjectPayload;
  object_attributes?: {
    id?: number;
    note?: string;
    noteable_type?: string;
    action?: string;
    system?: boolean;
    created_at?: string;
  };
  issue?: { iid?: number; title?: string; description?: string | null; url?: string };
  merge_request?: { iid?: number };
}

/** What one delivery asks for: the project, who caused it, and its core events (several labels at once). */
export interface GitLabRoute {
  project: GitLabProject;
  actor: GitLabActor;
  events: CoreEvent[];
}

export interface GitLabActor extends Actor {
  id: number | null;
}

// Users behind project/group access tokens and service accounts are bots
// (https://docs.gitlab.com/user/project/settings/project_access_tokens/#bot-users-for-projects).
const BOT_USERNAME = /^(?:(?:project|group)_\d+_bot(?:\d+|_[0-9a-f]+)?|service_account_.+)$/i;

function actorOf(user: UserPayload | undefined): GitLabActor | null {
  if (!user?.username) return null;
  return {
    id: typeof user.id === "number" ? user.id : null,
    login: user.username,
    isBot: BOT_USERNAME.test(user.username),
  };
}

function projectOf(project: ProjectPayload | undefined): GitLabProject | null {
  if (typeof project?.id !== "number" || !project.path_with_namespace) return null;
  return {
    id: project.id,
    pathWithNamespace: project.path_with_namespace,
    webUrl: project.web_url ?? "",
    ...(project.default_branch ? { defaultBranch: project.default_branch } : {}),
  };
}

const ISSUE_EVENTS = new Set(["Issue Hook", "Confidential Issue Hook"]);
const NOTE_EVENTS = new Set(["Note Hook", "Confidential Note Hook"]);
// `update` only counts when code was pushed (`oldrev`); title and label edits change no file.
const MR_ACTIONS = new Set(["open", "reopen", "update"]);
// Running and canceled pipelines explain nothing and turn nothing green.
const SUMMARIZED_PIPELINE_STATUSES = new Set(["failed", "success"]);
// A task run that was canceled finished too: its task is told, not left waiting.
const FINISHED_PIPELINE_STATUSES = new Set(["failed", "success", "canceled"]);
/** The variables `dispatchTaskRun` gives a task run's pipeline (templates/gitlab/factory-task.gitlab-ci.yml). */
const TASK_ISSUE_VARIABLE = "FACTORY_TASK_ISSUE";
const TASK_ATTEMPT_VARIABLE = "FACTORY_TASK_ATTEMPT";

/** Routes one delivery by its `X-Gitlab-Event`, or null when the bot does nothing with it. */
export function routeGitLabEvent(eventName: string, payload: unknown, deliveryId: string): GitLabRoute | null {
  try {
    return route(eventName, payload, deliveryId);
  } catch {
    // A field of an unexpected type: ignored, since a 5xx would make GitLab retry it and, after
    // repeated failures, disable the hook.
    return null;
  }
}

function route(eventName: string, payload: unknown, deliveryId: string): GitLabRoute | null {
  if (typeof payload !== "object" || payload === null) return null;
  if (ISSUE_EVENTS.has(eventName)) return fromIssueHook(payload as IssueHookPayload, deliveryId);
  if (eventName === "Merge Request Hook") return fromMergeRequestHook(payload as MergeRequestHookPayload, deliveryId);
  if (eventName === "Pipeline Hook") {
    return (
      fromTaskRunPipeline(payload as PipelineHookPayload, deliveryId) ??
      fromPipelineHook(payload as PipelineHookPayload, deliveryId)
    );
  }
  if (NOTE_EVENTS.has(eventName)) return fromNoteHook(payload as NoteHookPayload, deliveryId);
  return null;
}

/** Labels gained in this update: `changes.labels` is absent when the labels did not change. */
export function gainedLabels(changes: IssueHookPayload["changes"]): string[] {
  const labels = changes?.labels;
  if (!labels) return [];
  const titles = (list: LabelPayload[] | null | undefined) =>
    (list ?? []).map((l) => l.title).filter((t): t is string => Boolean(t));
  const previous = new Set(titles(labels.previous));
  return titles(labels.current).filter((title) => !previous.has(title));
}

function fromIssueHook(payload: IssueHookPayload, deliveryId: string): GitLabRoute | null {
  const issue = payload.object_attributes;
  const project = projectOf(payload.project);
  const actor = actorOf(payload.user);
  if (issue?.action !== "update" || typeof issue.iid !== "number" || !project || !actor) return null;
  const gained = gainedLabels(payload.changes);
  if (gained.length === 0) return null;
  const events = gained.map((label): IssueLabeledEvent => ({
    type: "issue.labeled",
    deliveryId,
    label,
    actor,
    issue: {
      number: issue.iid!,
      title: issue.title ?? "",
      body: issue.description ?? "",
      url: issue.url ?? "",
      isPullRequest: false,
    },
  }));
  return { project, actor, events };
}

function fromMergeRequestHook(payload: MergeRequestHookPayload, deliveryId: string): GitLabRoute | null {
  const mr = payload.object_attributes;
  const project = projectOf(payload.project);
  const actor = actorOf(payload.user);
  const headSha = mr?.last_commit?.id;
  if (!mr || !MR_ACTIONS.has(mr.action ?? "") || typeof mr.iid !== "number" || !headSha || !project || !actor)
    return null;
  if (mr.action === "update" && !mr.oldrev) return null;
  return { project, actor, events: [{ type: "change.updated", deliveryId, actor, number: mr.iid, headSha }] };
}

function fromPipelineHook(payload: PipelineHookPayload, deliveryId: string): GitLabRoute | null {
  const pipeline = payload.object_attributes;
  const project = projectOf(payload.project);
  if (!pipeline?.sha || !SUMMARIZED_PIPELINE_STATUSES.has(pipeline.status ?? "") || !project) return null;
  // Commit statuses posted through the API (the bot's factory/* among them) make `external` pipelines.
  if (pipeline.source === "external") return null;
  const actor = actorOf(payload.user) ?? { id: null, login: "", isBot: false };
  const mr = payload.merge_request;
  // An MR pipeline names its MR by iid in the target project; when the pipeline ran elsewhere
  // (a fork's project), that iid means nothing here, so the MR is found by SHA instead.
  const sameProject = mr && (mr.target_project_id === undefined || mr.target_project_id === project.id);
  const changeRequestNumbers = sameProject && typeof mr.iid === "number" ? [mr.iid] : [];
  return {
    project,
    actor,
    events: [{ type: "ci.completed", deliveryId, actor, headSha: pipeline.sha, changeRequestNumbers }],
  };
}

/** A pipeline the bot created for a task run (`FACTORY_TASK_*` variables) finished. */
function fromTaskRunPipeline(payload: PipelineHookPayload, deliveryId: string): GitLabRoute | null {
  const pipeline = payload.object_attributes;
  const project = projectOf(payload.project);
  const actor = actorOf(payload.user);
  const variable = (key: string) => pipeline?.variables?.find((v) => v.key === key)?.value;
  const issueNumber = Number(variable(TASK_ISSUE_VARIABLE));
  const attempt = Number(variable(TASK_ATTEMPT_VARIABLE));
  if (
    !pipeline ||
    typeof pipeline.id !== "number" ||
    !project ||
    !actor ||
    !Number.isInteger(issueNumber) ||
    !Number.isInteger(attempt)
  )
    return null;
  if (!FINISHED_PIPELINE_STATUSES.has(pipeline.status ?? "")) return null;
  const event: TaskRunCompletedEvent = {
    type: "task-run.completed",
    deliveryId,
    actor,
    issueNumber,
    attempt,
    runId: String(pipeline.id),
    url: pipeline.url ?? `${project.webUrl}/-/pipelines/${pipeline.id}`,
    succeeded: pipeline.status === "success",
  };
  return { project, actor, events: [event] };
}

/** GitLab writes note times as `2026-12-02 03:00:00 UTC` in webhooks; core compares ISO times. */
function noteWrittenAt(createdAt: unknown): { writtenAt?: string } {
  if (typeof createdAt !== "string") return {};
  const time = Date.parse(createdAt.replace(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$/, "$1T$2Z"));
  return Number.isNaN(time) ? {} : { writtenAt: new Date(time).toISOString() };
}

/** `/factory <command>` in a new note on an issue or MR; any other note yields nothing. */
function fromNoteHook(payload: NoteHookPayload, deliveryId: string): GitLabRoute | null {
  const note = payload.object_attributes;
  const project = projectOf(payload.project);
  const actor = actorOf(payload.user);
  const command = parseCommand(note?.note ?? "");
  // `action` is absent before GitLab 16; edits (`update`) do not repeat a command.
  if (
    !note ||
    !command ||
    typeof note.id !== "number" ||
    note.system ||
    (note.action ?? "create") !== "create" ||
    !project ||
    !actor
  )
    return null;
  const on = {
    type: "command" as const,
    deliveryId,
    actor,
    command,
    commentId: note.id,
    argument: commandArgument(note.note),
    ...noteWrittenAt(note.created_at),
  };
  if (note.noteable_type === "MergeRequest" && typeof payload.merge_request?.iid === "number") {
    return { project, actor, events: [{ ...on, target: { kind: "change", number: payload.merge_request.iid } }] };
  }
  const issue = payload.issue;
  if (note.noteable_type !== "Issue" || typeof issue?.iid !== "number") return null;
  const ref = { number: issue.iid, title: issue.title ?? "", body: issue.description ?? "", url: issue.url ?? "" };
  return { project, actor, events: [{ ...on, target: { kind: "issue", number: issue.iid }, issue: ref }] };
}
