import { readFileSync } from "node:fs";
import type { GitLabHeaders } from "../../src/gitlab/node-handler.js";

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A real GitLab payload from GitLab's documentation (deep-copied so tests can edit it). */
export function gitlabPayload(
  name: "issue" | "merge_request" | "pipeline" | "push" | "note_issue" | "note_merge_request",
): Payload {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")) as Payload;
}

export interface ProjectFields {
  id: number;
  path: string;
  webUrl: string;
  defaultBranch?: string;
}

function withProject(payload: Payload, project: ProjectFields): Payload {
  payload.project = {
    ...payload.project,
    id: project.id,
    path_with_namespace: project.path,
    web_url: project.webUrl,
    default_branch: project.defaultBranch ?? "main",
  };
  return payload;
}

/** The documented Issue Hook, as an `update` whose labels went from `previous` to `current`. */
export function issueLabelsChanged(input: {
  project: ProjectFields;
  user: { id: number; username: string };
  iid: number;
  title?: string;
  previous: string[];
  current: string[];
}): Payload {
  const payload = withProject(gitlabPayload("issue"), input.project);
  const label = (title: string, id: number) => ({ ...payload.changes.labels.current[0], id, title });
  payload.user = { ...payload.user, ...input.user };
  payload.object_attributes.iid = input.iid;
  payload.object_attributes.action = "update";
  payload.object_attributes.title = input.title ?? "Add a dark theme";
  payload.object_attributes.description = "The app needs a dark theme.";
  payload.object_attributes.url = `${input.project.webUrl}/-/issues/${input.iid}`;
  payload.changes.labels = {
    previous: input.previous.map((t, i) => label(t, 300 + i)),
    current: input.current.map((t, i) => label(t, 400 + i)),
  };
  return payload;
}

/** The documented Pipeline Hook, finished with `status` on `sha`, for MR `mrIid` (null: a branch pipeline). */
export function pipelineFinished(input: {
  project: ProjectFields;
  sha: string;
  status: string;
  mrIid: number | null;
  user?: { id: number; username: string };
}): Payload {
  const payload = withProject(gitlabPayload("pipeline"), input.project);
  payload.object_attributes.sha = input.sha;
  payload.object_attributes.status = input.status;
  payload.object_attributes.source = input.mrIid === null ? "push" : "merge_request_event";
  payload.merge_request =
    input.mrIid === null ? null : { ...payload.merge_request, iid: input.mrIid, target_project_id: input.project.id };
  if (input.user) payload.user = { ...payload.user, ...input.user };
  return payload;
}

/** Headers GitLab sends (fixtures README); header names lower-cased as the router takes them. */
export function gitlabHeaders(input: { event: string; token?: string | null; idempotencyKey?: string }): GitLabHeaders {
  return {
    "content-type": "application/json",
    "user-agent": "GitLab/17.6.0",
    "x-gitlab-event": input.event,
    "x-gitlab-webhook-uuid": crypto.randomUUID(),
    "x-gitlab-event-uuid": "4f7a64c8-7d8f-4c4e-9a8a-recursion-check",
    "x-gitlab-instance": "https://gitlab.example.com",
    "idempotency-key": input.idempotencyKey ?? crypto.randomUUID(),
    ...(input.token === null ? {} : { "x-gitlab-token": input.token ?? "" }),
  };
}

/** POSTs a delivery to a running server as GitLab would. */
export async function postGitLabWebhook(url: string, payload: unknown, headers: GitLabHeaders): Promise<Response> {
  const defined = Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return fetch(url, {
    method: "POST",
    headers: defined,
    body: typeof payload === "string" ? payload : JSON.stringify(payload),
  });
}

/** A GitLab job trace: ANSI colours and collapsible sections around the tool's own output. */
export function gitlabTrace(scriptOutput: string[], exitCode = 2): string {
  const esc = "\u001b";
  return [
    `${esc}[0KRunning with gitlab-runner 17.6.0 (374d34fd)${esc}[0;m`,
    `section_start:1732180000:prepare_executor\r${esc}[0K${esc}[0K${esc}[36;1mPreparing the "docker" executor${esc}[0;m`,
    `${esc}[0KUsing Docker executor with image node:20 ...${esc}[0;m`,
    `section_end:1732180003:prepare_executor\r${esc}[0K`,
    `section_start:1732180004:step_script\r${esc}[0K${esc}[0K${esc}[36;1mExecuting "step_script" stage of the job script${esc}[0;m`,
    `${esc}[32;1m$ npx tsc --noEmit${esc}[0;m`,
    ...scriptOutput,
    `section_end:1732180010:step_script\r${esc}[0K`,
    `section_start:1732180010:cleanup_file_variables\r${esc}[0K${esc}[0K${esc}[36;1mCleaning up project directory and file based variables${esc}[0;m`,
    `section_end:1732180011:cleanup_file_variables\r${esc}[0K`,
    `${esc}[31;1mERROR: Job failed: exit code ${exitCode}`,
    `${esc}[0;m`,
  ].join("\n");
}

export const TSC_OUTPUT = [
  "src/theme.ts(3,13): error TS7006: Parameter 'y' implicitly has an 'any' type.",
  "src/theme.ts(8,5): error TS2304: Cannot find name 'palette'.",
];
