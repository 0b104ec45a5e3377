import { resolveConfig } from "../../../config/index.js";
import type { ConfigLoadResult, FactoryConfig } from "../../../config/types.js";
import { gitlabSettingsFromEnv, type GitLabSettings } from "../../../gitlab/client.js";
import { GITLAB_CONFIG_PATHS } from "../../../gitlab/config.js";
import { GITLAB_WEBHOOK_PATH } from "../../../gitlab/index.js";
import { configCheck, sampleTaskBranch } from "./config-checks.js";
import { fail, listSome, messageOf, pass, type Check, type Section } from "./report.js";

const DEVELOPER = 30;

class GitLabHttpError extends Error {
  constructor(
    readonly status: number,
    path: string,
  ) {
    super(`GET ${path}: ${status}`);
  }
}

/** Plain GETs with the token: doctor needs a few read-only endpoints the forge adapter does not use. */
function gitlabGet(settings: GitLabSettings) {
  return async <T>(path: string): Promise<T> => {
    const res = await fetch(`${settings.url}/api/v4${path}`, {
      headers: { "PRIVATE-TOKEN": settings.token, accept: "application/json" },
    });
    if (!res.ok) throw new GitLabHttpError(res.status, path);
    return (await res.json()) as T;
  };
}

type Get = ReturnType<typeof gitlabGet>;
const statusOf = (error: unknown) => (error instanceof GitLabHttpError ? error.status : undefined);

export function gitlabConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.GITLAB_TOKEN || env.GITLAB_WEBHOOK_SECRET);
}

export async function gitlabSection(env: NodeJS.ProcessEnv, project?: string): Promise<Section[]> {
  const section: Section = { title: "GitLab", checks: [] };
  if (!gitlabConfigured(env))
    return [{ ...section, skipped: "not configured (GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET are unset)" }];
  let settings: GitLabSettings;
  try {
    settings = gitlabSettingsFromEnv(env)!;
  } catch (error) {
    return [
      {
        ...section,
        checks: [
          fail(
            messageOf(error),
            "set GITLAB_URL (default https://gitlab.com), GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET together",
          ),
        ],
      },
    ];
  }
  section.checks.push(pass("GITLAB_WEBHOOK_SECRET is set"));
  const get = gitlabGet(settings);
  if (!(await instanceChecks(get, settings, section.checks))) {
    return project
      ? [
          section,
          {
            title: `GitLab project ${project}`,
            checks: [],
            skipped: "not checked: the instance or the token failed (see above)",
          },
        ]
      : [section];
  }
  if (!project) return [section];
  return [section, await projectSection(get, project)];
}

/** The instance answers, the token works with the `api` scope, who it acts as and what it reaches. */
async function instanceChecks(get: Get, settings: GitLabSettings, checks: Check[]): Promise<boolean> {
  try {
    const { version } = await get<{ version: string }>("/version");
    checks.push(pass(`GitLab ${version} answers at ${settings.url}`));
  } catch (error) {
    if (statusOf(error) === 401) {
      checks.push(
        fail(
          "GitLab rejected GITLAB_TOKEN (401): it is expired, revoked or mistyped",
          "create a token with the api scope (a project or group access token with role Developer, or a bot user's personal access token)",
        ),
      );
    } else {
      checks.push(
        fail(
          `GitLab does not answer at ${settings.url}: ${messageOf(error)}`,
          "check GITLAB_URL (with the path prefix of a self-managed instance) and the network",
        ),
      );
    }
    return false;
  }
  checks.push(await scopeCheck(get));
  const user = await get<{ username: string; bot?: boolean }>("/user");
  checks.push(pass(`the token acts as @${user.username}${user.bot ? " (a bot user)" : ""}`));
  const projects = await get<Array<{ path_with_namespace: string }>>(
    "/projects?min_access_level=30&simple=true&archived=false&per_page=100",
  );
  checks.push(
    projects.length > 0
      ? pass(
          `@${user.username} can push to ${projects.length === 100 ? "100 or more" : projects.length} project${projects.length === 1 ? "" : "s"}: ${listSome(projects.map((p) => p.path_with_namespace))}`,
        )
      : fail(
          `@${user.username} is Developer on no project, so the bot can push nowhere`,
          "add the user as Developer (or use a project or group access token with role Developer)",
        ),
  );
  return true;
}

async function scopeCheck(get: Get): Promise<Check> {
  try {
    const token = await get<{ name: string; scopes: string[]; active: boolean; expires_at: string | null }>(
      "/personal_access_tokens/self",
    );
    const expires = token.expires_at ? `, expires ${token.expires_at}` : "";
    if (!token.active)
      return fail(
        `the token "${token.name}" is not active (revoked or expired${expires})`,
        "create a new token with the api scope",
      );
    if (!token.scopes.includes("api"))
      return fail(
        `the token "${token.name}" has scopes ${token.scopes.join(", ")}, not api`,
        "create a token with the api scope (read_api cannot comment or push)",
      );
    return pass(`the token "${token.name}" has the api scope${expires}`);
  } catch (error) {
    return fail(
      `the token's scopes cannot be read (${messageOf(error)})`,
      "GitLab 15.5 or newer answers /personal_access_tokens/self; make sure the token has the api scope",
    );
  }
}

interface Project {
  id: number;
  default_branch?: string;
  permissions?: { project_access?: { access_level: number } | null; group_access?: { access_level: number } | null };
}

/** `--project group/name`: the config there, the trigger label, and whether the bot can push its branch. */
async function projectSection(get: Get, path: string): Promise<Section> {
  const section: Section = { title: `GitLab project ${path}`, checks: [] };
  let project: Project;
  try {
    project = await get<Project>(`/projects/${encodeURIComponent(path)}`);
  } catch (error) {
    const check =
      statusOf(error) === 404
        ? fail(`the token cannot see ${path}`, "add the token's user to the project (role Developer)")
        : fail(`${path} cannot be read: ${messageOf(error)}`, "check GITLAB_URL and the token");
    return { ...section, checks: [check] };
  }
  const { check, config } = configCheck(path, await loadConfig(get, project), GITLAB_CONFIG_PATHS.join(" or "));
  section.checks.push(check, await labelCheck(get, project, config), await pushCheck(get, project, config));
  section.checks.push(...(await hookChecks(get, project)));
  return section;
}

interface ProjectHook {
  url: string;
  /** "executable", "temporarily_disabled" or "disabled" (GitLab 15.7+, docs/reliability.md "GitLab: hook health"). */
  alert_status?: string;
  disabled_until?: string | null;
}

/**
 * GitLab disables a hook that keeps failing (for a while, then for good) and does not queue the
 * events it would have sent, so a disabled factory-bot hook loses every event until it is fixed.
 */
async function hookChecks(get: Get, project: Project): Promise<Check[]> {
  let hooks: ProjectHook[];
  try {
    hooks = await get<ProjectHook[]>(`/projects/${project.id}/hooks?per_page=100`);
  } catch (error) {
    // Listing hooks needs the Maintainer role, which the bot does not need otherwise.
    if (statusOf(error) === 403)
      return [
        pass(
          "the project's webhooks cannot be listed with this token (Maintainer only): check them under Settings → Webhooks",
        ),
      ];
    return [fail(`the project's webhooks cannot be read: ${messageOf(error)}`, "check the token")];
  }
  const ours = hooks.filter((hook) => hook.url.replace(/\/+$/, "").endsWith(GITLAB_WEBHOOK_PATH));
  if (ours.length === 0)
    return [
      fail(
        `no project webhook posts to ${GITLAB_WEBHOOK_PATH}`,
        `add one (Settings → Webhooks) with the URL https://<your server>${GITLAB_WEBHOOK_PATH} and GITLAB_WEBHOOK_SECRET as its secret token (it may be a group hook)`,
      ),
    ];
  return ours.map((hook) => {
    if (hook.alert_status === "disabled")
      return fail(
        `the webhook to ${hook.url} is disabled: GitLab stopped calling it after repeated failures`,
        "fix the server, then re-enable it under Settings → Webhooks (Edit → Save, or Test) and resend missed events from its Recent events",
      );
    if (hook.alert_status === "temporarily_disabled")
      return fail(
        `the webhook to ${hook.url} is temporarily disabled${hook.disabled_until ? ` until ${hook.disabled_until}` : ""} after failing`,
        "check the server's logs and reachability; events sent meanwhile are not queued: resend them from the hook's Recent events",
      );
    return pass(`the webhook to ${hook.url} is enabled`);
  });
}

async function loadConfig(get: Get, project: Project): Promise<ConfigLoadResult> {
  for (const file of GITLAB_CONFIG_PATHS) {
    try {
      const text = await rawFile(get, project, file);
      return resolveConfig([{ file, text }]);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
  return { status: "missing" };
}

async function rawFile(get: Get, project: Project, file: string): Promise<string> {
  const ref = encodeURIComponent(project.default_branch ?? "main");
  // The raw endpoint answers text; a JSON string is what `get` would need, so read the file API instead.
  const { content } = await get<{ content: string }>(
    `/projects/${project.id}/repository/files/${encodeURIComponent(file)}?ref=${ref}`,
  );
  return Buffer.from(content, "base64").toString("utf8");
}

async function labelCheck(get: Get, project: Project, config: FactoryConfig | null): Promise<Check> {
  const label = config?.trigger.label ?? "factory";
  try {
    await get(`/projects/${project.id}/labels/${encodeURIComponent(label)}`);
    return pass(`the trigger label "${label}" exists`);
  } catch (error) {
    if (statusOf(error) !== 404)
      return fail(`the label "${label}" cannot be read: ${messageOf(error)}`, "check the token");
    return fail(
      `the trigger label "${label}" does not exist`,
      "create it (Manage → Labels → New label), in the project or its group",
    );
  }
}

/** Developer or more to push, and no protected branch pattern covering the task branch. */
async function pushCheck(get: Get, project: Project, config: FactoryConfig | null): Promise<Check> {
  const level = Math.max(
    project.permissions?.project_access?.access_level ?? 0,
    project.permissions?.group_access?.access_level ?? 0,
  );
  if (level < DEVELOPER)
    return fail(
      `the token's role here is below Developer (access level ${level}), so it cannot push`,
      "give the token's user the Developer role (or higher) on the project",
    );
  const branch = sampleTaskBranch(config);
  const protectedBranches = await get<Array<{ name: string; push_access_levels?: Array<{ access_level: number }> }>>(
    `/projects/${project.id}/protected_branches?per_page=100`,
  );
  const blocking = protectedBranches.filter(
    (p) =>
      globMatches(p.name, branch) &&
      !(p.push_access_levels ?? []).some((a) => a.access_level > 0 && a.access_level <= level),
  );
  if (blocking.length === 0) return pass(`the bot can create and push ${branch} (access level ${level})`);
  return fail(
    `protected branch rules block ${branch}: ${blocking.map((p) => p.name).join(", ")}`,
    "allow the token's role to push to those branches, or narrow the patterns so they leave the task branches alone",
  );
}

/** GitLab's protected branch wildcards: `*` matches any run of characters, `/` included. */
function globMatches(pattern: string, name: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return regex.test(name);
}
