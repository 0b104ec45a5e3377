import type { Context, Probot } from "probot";
import { withAudit } from "../core/audit.js";
import type { Clock, Logger } from "../core/deps.js";
import { handleIssueLabeled } from "../core/handlers/issue-labeled.js";
import type { BackgroundJobs } from "../core/jobs.js";
import type { TaskRunner } from "../core/task.js";
import { CONFIG_PATH } from "../config/index.js";
import { repositoryOf, toIssueLabeledEvent, type RepositoryPayload } from "./events.js";
import { GitHubForge, type Octokit } from "./forge.js";

export interface GitHubAppDeps {
  jobs: BackgroundJobs;
  runner: TaskRunner;
  clock: Clock;
}

/**
 * The Probot side: payloads in, a GitHubForge out. Handlers answer at once; the work runs as a
 * background job, so webhooks are acknowledged well within GitHub's 10 seconds.
 */
export function factoryGitHubApp(deps: GitHubAppDeps) {
  return (app: Probot): void => {
    const botLogin = appBotLogin(app);

    app.on("issues.labeled", async (context) => {
      const event = toIssueLabeledEvent(context.payload, context.id);
      const repo = repositoryOf(context.payload as RepositoryPayload);
      // Cheap checks first: events the bot ignores cost no API call.
      if (!event || !repo || event.actor.isBot || event.issue.isPullRequest) return;
      const logger = context.log.child({ forge: "github", repo: `${repo.owner}/${repo.name}`, deliveryId: context.id }) as Logger;
      deps.jobs.start(
        "task",
        async () => {
          const forge = new GitHubForge(context.octokit as Octokit, repo, await botLogin());
          const audited = withAudit(forge, logger, { actor: event.actor.login, deliveryId: context.id });
          await handleIssueLabeled(event, { forge: audited, runner: deps.runner, logger, clock: deps.clock, configPath: CONFIG_PATH });
        },
        logger,
      );
    });
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

export type { Context };
