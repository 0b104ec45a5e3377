import type { Context, Probot } from "probot";
import { withAudit } from "../core/audit.js";
import type { Logger } from "../core/deps.js";
import type { Deliver } from "../core/dispatch.js";
import type { Forge } from "../core/forge.js";
import type { TaskOrigin } from "../core/task-runner.js";
import type { DeliveryMemory } from "../core/delivery-memory.js";
import { CONFIG_PATH } from "./config.js";
import { GITHUB_EVENTS, repositoryOf, routeGitHubEvent, type RepositoryPayload } from "./events.js";
import { GitHubForge, type Octokit } from "./forge.js";

export interface GitHubAppDeps {
  /** The host's way to run a delivery's work: in the background (server) or to the end (Lambda worker). */
  deliver: Deliver;
  /** Deliveries already accepted (in memory, or shared through Redis). */
  deliveries?: DeliveryMemory;
}

/** The Probot side: a payload in, the core event and a GitHubForge out to the host. */
export function factoryGitHubApp(deps: GitHubAppDeps) {
  return (app: Probot): void => {
    const botLogin = appBotLogin(app);
    app.on([...GITHUB_EVENTS], async (context) => {
      // Pure checks first: events the bot ignores cost no API call.
      const event = routeGitHubEvent(context.name, context.payload as never, context.id);
      const repo = repositoryOf(context.payload as RepositoryPayload);
      if (!event || !repo) return;
      const fullName = `${repo.owner}/${repo.name}`;
      const logger = (context as Context).log.child({
        forge: "github",
        repo: fullName,
        deliveryId: context.id,
      }) as Logger;
      const { deliveries } = deps;
      const deliveryKey = `github:${context.name}:${context.id}`;
      if (deliveries && !(await deliveries.firstTime(deliveryKey)))
        return logger.info({ event: context.name }, "this delivery is already being worked on; nothing to do");
      const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
      await deps.deliver({
        deliveryId: context.id,
        repoKey: `github:${fullName}`,
        events: [event],
        logger,
        configPaths: [CONFIG_PATH],
        forge: async () => new GitHubForge(context.octokit as Octokit, repo, await botLogin()),
        ...(deliveries ? { settled: () => void deliveries.forget(deliveryKey) } : {}),
        ...(installationId
          ? { origin: { forge: "github", deliveryId: context.id, actor: event.actor.login, installationId, repo } }
          : {}),
      });
    });
  };
}

/**
 * The forge of a task another replica queued (`REDIS_URL`), from its origin: the installation's
 * token is asked for again here.
 */
export function githubOriginForge(app: Probot): (origin: TaskOrigin, logger: Logger) => Promise<Forge> {
  const botLogin = appBotLogin(app);
  return async (origin, logger) => {
    if (origin.forge !== "github") throw new Error(`not a GitHub task: ${origin.forge}`);
    const octokit = (await app.auth(origin.installationId)) as unknown as Octokit;
    const forge = new GitHubForge(octokit, origin.repo, await botLogin());
    return withAudit(forge, logger, { actor: origin.actor, deliveryId: origin.deliveryId });
  };
}

/** `<slug>[bot]`, the login the app's comments carry; looked up once per process. */
function appBotLogin(app: Probot): () => Promise<string> {
  let login: Promise<string> | null = null;
  return () => {
    login ??= app
      .auth()
      .then((octokit) => octokit.rest.apps.getAuthenticated())
      .then(({ data }) => `${data?.slug ?? "factory-bot"}[bot]`)
      .catch((err: unknown) => {
        login = null; // try again on the next event
        throw err;
      });
    return login;
  };
}
