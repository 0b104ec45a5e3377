import {
  Branches,
  Commits,
  IssueNoteAwardEmojis,
  IssueNotes,
  Issues,
  JobArtifacts,
  Jobs,
  MergeRequestDiscussions,
  MergeRequestNoteAwardEmojis,
  MergeRequestNotes,
  MergeRequests,
  Pipelines,
  ProjectMembers,
  Projects,
  Repositories,
  RepositoryFiles,
  Users,
} from "@gitbeaker/rest";

import type { ForgeRequestObserver } from "../core/tracing.js";
import { observedRequesterFn, requesterFn } from "./requester.js";

export const DEFAULT_GITLAB_URL = "https://gitlab.com";

/** How the bot reaches one GitLab instance (docs/configuration.md, "GitLab"). */
export interface GitLabSettings {
  /** Base URL of the instance, path prefix included (`https://host/gitlab`), no trailing slash. */
  url: string;
  token: string;
  webhookSecret: string;
}

/**
 * GitLab settings from the environment, or null when GitLab is off (neither token nor secret
 * set). Half a configuration is an error, said at start-up rather than as 401s later.
 */
export function gitlabSettingsFromEnv(env: NodeJS.ProcessEnv): GitLabSettings | null {
  const token = env.GITLAB_TOKEN?.trim() ?? "";
  const webhookSecret = env.GITLAB_WEBHOOK_SECRET ?? "";
  if (!token && !webhookSecret) return null;
  if (!token)
    throw new Error(
      "GITLAB_WEBHOOK_SECRET is set but GITLAB_TOKEN is not: set it to a GitLab token with the `api` scope.",
    );
  if (!webhookSecret) {
    throw new Error(
      "GITLAB_TOKEN is set but GITLAB_WEBHOOK_SECRET is not: set it to the secret token configured on the GitLab webhook.",
    );
  }
  return { url: normalizeGitLabUrl(env.GITLAB_URL || DEFAULT_GITLAB_URL), token, webhookSecret };
}

/** Keeps a self-managed path prefix (`https://host/gitlab`); the API is then at `<url>/api/v4/`. */
export function normalizeGitLabUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`GITLAB_URL is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new Error(`GITLAB_URL must be http(s): ${JSON.stringify(raw)}`);
  if (url.search || url.hash) throw new Error(`GITLAB_URL takes no query or fragment: ${JSON.stringify(raw)}`);
  // gitbeaker joins `${host}/api/v4`, so a trailing slash would make `//api`.
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * gitbeaker's defaults throttle archive downloads to 5 a minute (GitLab.com's own limit), which
 * capped tasks at 5 a minute on every instance. The instance says when it limits (429 with
 * Retry-After, retried by the requester), so the client keeps only its general ceiling.
 */
const CLIENT_RATE_LIMITS = { "**": 3000 };

/**
 * The gitbeaker resources the forge uses, sharing one base URL and token. Only these headers
 * are sent: never `X-Gitlab-Event-UUID`, which GitLab uses to detect webhook loops.
 */
export function createGitLabApi(settings: Pick<GitLabSettings, "url" | "token">, observe?: ForgeRequestObserver) {
  const options = {
    host: settings.url,
    token: settings.token,
    requesterFn: observe ? observedRequesterFn(observe) : requesterFn,
    rateLimits: CLIENT_RATE_LIMITS,
  };
  return {
    branches: new Branches(options),
    commits: new Commits(options),
    issueNoteAwardEmojis: new IssueNoteAwardEmojis(options),
    issueNotes: new IssueNotes(options),
    issues: new Issues(options),
    jobArtifacts: new JobArtifacts(options),
    jobs: new Jobs(options),
    mergeRequestDiscussions: new MergeRequestDiscussions(options),
    mergeRequestNoteAwardEmojis: new MergeRequestNoteAwardEmojis(options),
    mergeRequestNotes: new MergeRequestNotes(options),
    mergeRequests: new MergeRequests(options),
    pipelines: new Pipelines(options),
    projectMembers: new ProjectMembers(options),
    projects: new Projects(options),
    repositories: new Repositories(options),
    repositoryFiles: new RepositoryFiles(options),
    users: new Users(options),
  };
}

export type GitLabApi = ReturnType<typeof createGitLabApi>;
