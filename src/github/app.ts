import type { Context, Probot } from "probot";
import type { Logger } from "../core/deps.js";
import type { Deliver } from "../core/dispatch.js";
import { CONFIG_PATH } from "./config.js";
import { GITHUB_EVENTS, repositoryOf, routeGitHubEvent, type RepositoryPayload } from "./events.js";
import { GitHubForge, type Octokit } from "./forge.js";

export interface GitHubAppDeps {
  /** The host's way to run a delivery's work: in the background (server) or to the end (Lambda worker). */
  deliver: Deliver;
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
      await deps.deliver({
        deliveryId: context.id,
        repoKey: `github:${fullName}`,
        events: [event],
        logger: (context as Context).log.child({ forge: "github", repo: fullName, deliveryId: context.id }) as Logger,
        configPaths: [CONFIG_PATH],
        forge: async () => new GitHubForge(context.octokit as Octokit, repo, await botLogin()),
      });
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
