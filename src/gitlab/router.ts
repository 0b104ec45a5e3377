import type { Logger } from "../core/deps.js";
import type { Deliver } from "../core/dispatch.js";
import { withAudit } from "../core/audit.js";
import type { Forge } from "../core/forge.js";
import type { TaskOrigin } from "../core/task-runner.js";
import type { GitLabApi } from "./client.js";
import { GITLAB_CONFIG_PATHS } from "./config.js";
import { gitlabCall } from "./errors.js";
import { routeGitLabEvent } from "./events.js";
import { GitLabForge, type GitLabUser } from "./forge.js";
import type { VerifiedGitLabDelivery } from "./token.js";

export interface GitLabRouterDeps {
  api: GitLabApi;
  logger: Logger;
  /** The user the token acts as, looked up once (see `cachedBotUser`). */
  botUser: () => Promise<GitLabUser>;
  /** The host's way to run a delivery's work: in the background (server) or to the end (Lambda worker). */
  deliver: Deliver;
}

export type GitLabRouting = "accepted" | "ignored" | "not-json";

/**
 * The routing step of a verified delivery: payload → core events and a GitLabForge, handed to the
 * host. The Docker server reaches it through its HTTP handler, the Lambda worker directly.
 */
export async function routeGitLabDelivery(
  delivery: VerifiedGitLabDelivery,
  body: string,
  deps: GitLabRouterDeps,
): Promise<GitLabRouting> {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return "not-json";
  }
  const { deliveryId } = delivery;
  const route = routeGitLabEvent(delivery.event, payload, deliveryId);
  if (!route) {
    deps.logger.debug({ forge: "gitlab", event: delivery.event, deliveryId }, "GitLab delivery needs no work");
    return "ignored";
  }
  const { project } = route;
  await deps.deliver({
    deliveryId,
    repoKey: `gitlab:${project.id}`,
    events: route.events,
    logger: deps.logger.child({ forge: "gitlab", repo: project.pathWithNamespace, deliveryId }),
    configPaths: GITLAB_CONFIG_PATHS,
    forge: async () => new GitLabForge(deps.api, project, await deps.botUser()),
    origin: {
      forge: "gitlab",
      deliveryId,
      actor: route.events[0]?.actor.login ?? "",
      project: {
        id: project.id,
        pathWithNamespace: project.pathWithNamespace,
        webUrl: project.webUrl,
        defaultBranch: project.defaultBranch,
      },
    },
  });
  return "accepted";
}

/** The forge of a task another replica queued (`REDIS_URL`), from its origin. */
export function gitlabOriginForge(deps: Pick<GitLabRouterDeps, "api" | "botUser">) {
  return async (origin: TaskOrigin, logger: Logger): Promise<Forge> => {
    if (origin.forge !== "gitlab") throw new Error(`not a GitLab task: ${origin.forge}`);
    const forge = new GitLabForge(deps.api, origin.project, await deps.botUser());
    return withAudit(forge, logger, { actor: origin.actor, deliveryId: origin.deliveryId });
  };
}

/** `GET /user` once per process; a failed lookup is retried by the next delivery. */
export function cachedBotUser(api: GitLabApi): () => Promise<GitLabUser> {
  let user: Promise<GitLabUser> | null = null;
  return () => {
    user ??= gitlabCall<GitLabUser>("bot user lookup (GET /user)", () => api.users.showCurrentUser())
      .then(({ id, username }) => ({ id, username }))
      .catch((err: unknown) => {
        user = null;
        throw err;
      });
    return user;
  };
}
