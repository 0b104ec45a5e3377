import type { Context, Probot } from "probot";
import { withAudit } from "../core/audit.js";
import type { TaskCancellation } from "../core/cancellation.js";
import type { Clock, Logger } from "../core/deps.js";
import type { CoreEvent } from "../core/events.js";
import type { Forge } from "../core/forge.js";
import { handleCiCompleted } from "../core/handlers/ci-completed.js";
import { handleCommand } from "../core/handlers/command.js";
import { handleConfigCheck } from "../core/handlers/config-check.js";
import { handleIssueLabeled } from "../core/handlers/issue-labeled.js";
import { handleTaskRunCompleted } from "../core/handlers/task-run-completed.js";
import type { BackgroundJobs } from "../core/jobs.js";
import { runnerWithOrigin, type TaskOrigin, type TaskRunner } from "../core/task.js";
import type { DeliveryMemory } from "../core/delivery-memory.js";
import { CONFIG_PATH } from "./config.js";
import { GITHUB_EVENTS, repositoryOf, routeGitHubEvent, type RepositoryPayload } from "./events.js";
import { GitHubForge, type Octokit } from "./forge.js";

export interface GitHubAppDeps {
  jobs: BackgroundJobs;
  runner: TaskRunner;
  clock: Clock;
  cancellation?: TaskCancellation;
  /** Deliveries already accepted (in memory, or shared through Redis). */
  deliveries?: DeliveryMemory;
}

interface Work {
  name: string;
  /** Jobs with the same key run one after another in this process. */
  key?: string;
  run(forge: Forge, logger: Logger): Promise<void>;
}

/**
 * The Probot side: payloads in, a GitHubForge out. Handlers answer at once; the work runs as a
 * background job, so webhooks are acknowledged well within GitHub's 10 seconds.
 */
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
      if (deps.deliveries && !(await deps.deliveries.firstTime(`github:${context.name}:${context.id}`)))
        return logger.info({ event: context.name }, "redelivery of a delivery already accepted; nothing to do");
      const installationId = (context.payload as { installation?: { id?: number } }).installation?.id;
      const origin: TaskOrigin | null = installationId
        ? { forge: "github", deliveryId: context.id, actor: event.actor.login, installationId, repo }
        : null;
      const work = workFor(event, fullName, origin ? { ...deps, runner: runnerWithOrigin(deps.runner, origin) } : deps);
      const run = async () => {
        const forge = new GitHubForge(context.octokit as Octokit, repo, await botLogin());
        await work.run(withAudit(forge, logger, { actor: event.actor.login, deliveryId: context.id }), logger);
      };
      deps.jobs.start(work.name, run, logger, work.key);
    });
  };
}

function workFor(event: CoreEvent, repo: string, deps: GitHubAppDeps): Work {
  const { runner, clock, cancellation } = deps;
  switch (event.type) {
    // Not serialized per issue: concurrent deliveries are settled by the claim on the forge,
    // whereas queueing one behind the other would make it look like a deliberate re-label.
    case "issue.labeled":
      return {
        name: "task",
        run: (forge, logger) =>
          handleIssueLabeled(event, { forge, runner, logger, clock, configPaths: [CONFIG_PATH], cancellation }),
      };
    case "ci.completed":
      return {
        name: "ci-summary",
        key: `${repo}@${event.headSha}`,
        run: (forge, logger) => handleCiCompleted(event, { forge, logger, clock, runner, cancellation }),
      };
    case "task-run.completed":
      return {
        name: "task-run",
        key: `${repo}#${event.issueNumber}`,
        run: (forge, logger) => handleTaskRunCompleted(event, { forge, logger, clock }),
      };
    case "change.updated":
      return {
        name: "config-check",
        run: (forge, logger) => handleConfigCheck(event, { forge, logger, clock, configPaths: [CONFIG_PATH] }),
      };
    case "command":
      // Not serialized with the task: `/factory stop` must reach a task that is running.
      return {
        name: "command",
        run: (forge, logger) => handleCommand(event, { forge, runner, logger, clock, cancellation }),
      };
  }
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
