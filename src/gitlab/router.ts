import { randomUUID } from "node:crypto";
import { withAudit } from "../core/audit.js";
import type { Clock, Logger } from "../core/deps.js";
import type { Forge } from "../core/forge.js";
import { handleCiCompleted } from "../core/handlers/ci-completed.js";
import { handleConfigCheck } from "../core/handlers/config-check.js";
import { handleIssueLabeled } from "../core/handlers/issue-labeled.js";
import { handleCommand } from "../core/handlers/command.js";
import { handleTaskRunCompleted } from "../core/handlers/task-run-completed.js";
import type { TaskCancellation } from "../core/cancellation.js";
import { hasValidToken } from "./token.js";
import type { BackgroundJobs } from "../core/jobs.js";
import { runnerWithOrigin, type TaskOrigin, type TaskRunner } from "../core/task.js";
import type { GitLabApi } from "./client.js";
import { GITLAB_CONFIG_PATHS } from "./config.js";
import { gitlabCall } from "./errors.js";
import { routeGitLabEvent, type GitLabActor, type GitLabRoute } from "./events.js";
import { GitLabForge, type GitLabUser } from "./forge.js";
import type { DeliveryMemory } from "../core/delivery-memory.js";

/** One webhook delivery as any HTTP front end sees it (Node server, Lambda): header names lower-cased. */
export interface GitLabDeliveryRequest {
  headers: Record<string, string | undefined>;
  body: string;
}

export interface GitLabDeliveryResponse {
  status: number;
  body: string;
}

export interface GitLabRouterDeps {
  /** The secret token configured on the GitLab webhook (`GITLAB_WEBHOOK_SECRET`). */
  webhookSecret: string;
  api: GitLabApi;
  jobs: BackgroundJobs;
  runner: TaskRunner;
  clock: Clock;
  logger: Logger;
  /** The user the token acts as, looked up once (see `cachedBotUser`). */
  botUser: () => Promise<GitLabUser>;
  /** Idempotency keys of deliveries already accepted (in memory, or shared through Redis). */
  recentDeliveries: DeliveryMemory;
  /** Running local tasks, so `/factory stop` can abort one. */
  cancellation?: TaskCancellation;
}

const reply = (status: number, body: object): GitLabDeliveryResponse => ({ status, body: JSON.stringify(body) });

export { hasValidToken };

/**
 * Verifies, parses and routes one GitLab delivery, answering at once; the work runs as background
 * jobs. Only a bad token (401) and a body that is not JSON (400) are refused: GitLab disables a
 * hook that keeps failing, so events the bot does not use are acknowledged with 2xx.
 */
export async function handleGitLabDelivery(
  request: GitLabDeliveryRequest,
  deps: GitLabRouterDeps,
): Promise<GitLabDeliveryResponse> {
  const eventName = request.headers["x-gitlab-event"] ?? "";
  if (!hasValidToken(request.headers, deps.webhookSecret)) {
    // Usually a secret that differs between the hook and GITLAB_WEBHOOK_SECRET; the token is never logged.
    deps.logger.warn(
      { forge: "gitlab", event: eventName, instance: request.headers["x-gitlab-instance"] },
      "refused a GitLab delivery: X-Gitlab-Token is missing or wrong",
    );
    return reply(401, { error: "X-Gitlab-Token is missing or wrong" });
  }
  // Stable across GitLab's retries and resends of one delivery.
  const idempotencyKey = request.headers["idempotency-key"];
  let payload: unknown;
  try {
    payload = JSON.parse(request.body);
  } catch {
    return reply(400, { error: "the body is not JSON" });
  }
  const deliveryId = idempotencyKey || request.headers["x-gitlab-webhook-uuid"] || randomUUID();
  const route = routeGitLabEvent(eventName, payload, deliveryId);
  if (!route) {
    deps.logger.debug({ forge: "gitlab", event: eventName, deliveryId }, "GitLab delivery needs no work");
    return reply(200, { status: "ignored" });
  }
  if (idempotencyKey && !(await deps.recentDeliveries.firstTime(`gitlab:${idempotencyKey}`)))
    return reply(200, { status: "duplicate" });
  startRoute(route, deliveryId, deps);
  return reply(202, { status: "accepted" });
}

type Work = (forge: Forge, logger: Logger) => Promise<void>;

/** Whose events may start the work: people (not the bot), only the bot, or anyone. */
type Origin = "not-the-bot" | "the-bot" | "anyone";

function startRoute(route: GitLabRoute, deliveryId: string, deps: GitLabRouterDeps): void {
  const { project } = route;
  const logger = deps.logger.child({ forge: "gitlab", repo: project.pathWithNamespace, deliveryId });
  /** Runs `work` after the response with an audited forge, when the event's origin is the right one. */
  const start = (name: string, key: string | undefined, origin: Origin, work: Work) => {
    const run = async () => {
      const bot = await deps.botUser();
      const own = isOwnEvent(route.actor, bot);
      if (origin === "not-the-bot" && own)
        return logger.debug({ actor: route.actor.login }, "events caused by the bot start nothing");
      if (origin === "the-bot" && !own)
        return logger.info(
          { actor: route.actor.login },
          "a task run's result counts only from a pipeline the bot created",
        );
      const forge = new GitLabForge(deps.api, project, bot);
      await work(withAudit(forge, logger, { actor: route.actor.login, deliveryId }), logger);
    };
    deps.jobs.start(name, run, logger, key);
  };
  const { clock, cancellation } = deps;
  const runner = runnerWithOrigin(deps.runner, {
    forge: "gitlab",
    deliveryId,
    actor: route.actor.login,
    project: {
      id: project.id,
      pathWithNamespace: project.pathWithNamespace,
      webUrl: project.webUrl,
      defaultBranch: project.defaultBranch,
    },
  });
  const issueKey = (issue: number) => `gitlab:${project.id}#${issue}`;
  switch (route.kind) {
    case "task":
      // Not serialized: deliveries racing for one issue are settled by claiming its progress note,
      // whereas one queued behind a finished task would look like a deliberate relabel (a retry).
      for (const event of route.events) {
        start("task", undefined, "not-the-bot", (forge, log) =>
          handleIssueLabeled(event, {
            forge,
            runner,
            logger: log,
            clock,
            configPaths: GITLAB_CONFIG_PATHS,
            cancellation,
          }),
        );
      }
      return;
    case "config-check":
      start("config-check", `gitlab:${project.id}!${route.event.number}`, "not-the-bot", (forge, log) =>
        handleConfigCheck(route.event, { forge, logger: log, clock, configPaths: GITLAB_CONFIG_PATHS }),
      );
      return;
    case "ci-summary":
      // The bot's own commits run CI too, and their MRs need summaries most.
      start("ci-summary", `gitlab:${project.id}@${route.event.headSha}`, "anyone", (forge, log) =>
        handleCiCompleted(route.event, { forge, logger: log, clock, runner, cancellation }),
      );
      return;
    case "task-run":
      // Anyone who may run pipelines can set FACTORY_TASK_* variables; only the bot's pipelines count.
      start("task-run", issueKey(route.event.issueNumber), "the-bot", (forge, log) =>
        handleTaskRunCompleted(route.event, { forge, logger: log, clock }),
      );
      return;
    case "command":
      // Not serialized with the task: `/factory stop` must reach a task that is running.
      start("command", undefined, "not-the-bot", (forge, log) =>
        handleCommand(route.event, { forge, runner, logger: log, clock, cancellation }),
      );
      return;
  }
}

function isOwnEvent(actor: GitLabActor, bot: GitLabUser): boolean {
  return actor.id === bot.id || actor.login.toLowerCase() === bot.username.toLowerCase();
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
