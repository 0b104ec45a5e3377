import type { Context, Probot } from "probot";
import { withAudit } from "../core/audit.js";
import type { Clock, Logger } from "../core/deps.js";
import type { Actor } from "../core/events.js";
import type { Forge } from "../core/forge.js";
import { handleCiCompleted } from "../core/handlers/ci-completed.js";
import { handleIssueLabeled } from "../core/handlers/issue-labeled.js";
import { handleConfigCheck } from "../core/handlers/config-check.js";
import { handleTaskRunCompleted } from "../core/handlers/task-run-completed.js";
import { handleCommand } from "../core/handlers/command.js";
import type { TaskCancellation } from "../core/cancellation.js";
import type { BackgroundJobs } from "../core/jobs.js";
import type { TaskRunner } from "../core/task.js";
import { fromCheckRun, fromIssueComment, fromPullRequest, fromTaskWorkflowRun, fromWorkflowRun, repositoryOf, toIssueLabeledEvent, type RepositoryPayload } from "./events.js";
import { GitHubForge, type Octokit } from "./forge.js";
import { CONFIG_PATH } from "./config.js";

export interface GitHubAppDeps {
  jobs: BackgroundJobs;
  runner: TaskRunner;
  clock: Clock;
  cancellation?: TaskCancellation;
}

type AnyContext = Context<"issues.labeled" | "workflow_run.completed" | "check_run.completed" | "pull_request" | "issue_comment.created">;

/**
 * The Probot side: payloads in, a GitHubForge out. Handlers answer at once; the work runs as a
 * background job, so webhooks are acknowledged well within GitHub's 10 seconds.
 */
export function factoryGitHubApp(deps: GitHubAppDeps) {
  return (app: Probot): void => {
    const botLogin = appBotLogin(app);

    /** Starts `work` after the response, with an audited forge and a logger bound to this delivery. */
    const inBackground = (
      name: string,
      context: AnyContext,
      actor: Actor,
      work: (forge: Forge, logger: Logger) => Promise<void>,
      key?: (repo: string) => string,
    ) => {
      const repo = repositoryOf(context.payload as RepositoryPayload);
      if (!repo) return;
      const fullName = `${repo.owner}/${repo.name}`;
      const logger = context.log.child({ forge: "github", repo: fullName, deliveryId: context.id }) as Logger;
      const run = async () => {
        const forge = new GitHubForge(context.octokit as Octokit, repo, await botLogin());
        await work(withAudit(forge, logger, { actor: actor.login, deliveryId: context.id }), logger);
      };
      deps.jobs.start(name, run, logger, key?.(fullName));
    };

    app.on("issues.labeled", async (context) => {
      const event = toIssueLabeledEvent(context.payload, context.id);
      // Cheap checks first: events the bot ignores cost no API call.
      if (!event || event.actor.isBot || event.issue.isPullRequest) return;
      inBackground(
        "task",
        context,
        event.actor,
        // Not serialized per issue: concurrent deliveries are settled by the claim on the forge,
        // whereas queueing one behind the other would make it look like a deliberate re-label.
        (forge, logger) =>
          handleIssueLabeled(event, { forge, runner: deps.runner, logger, clock: deps.clock, configPaths: [CONFIG_PATH], cancellation: deps.cancellation }),
      );
    });

    const onCiCompleted = (event: ReturnType<typeof fromWorkflowRun>, context: AnyContext) => {
      if (!event) return;
      inBackground(
        "ci-summary",
        context,
        event.actor,
        (forge, logger) => handleCiCompleted(event, { forge, logger, clock: deps.clock, runner: deps.runner, cancellation: deps.cancellation }),
        (repo) => `${repo}@${event.headSha}`,
      );
    };
    app.on("workflow_run.completed", async (context) => {
      const taskRun = fromTaskWorkflowRun(context.payload, context.id);
      if (!taskRun) return onCiCompleted(fromWorkflowRun(context.payload, context.id), context);
      inBackground(
        "task-run",
        context,
        taskRun.actor,
        (forge, logger) => handleTaskRunCompleted(taskRun, { forge, logger, clock: deps.clock }),
        (repo) => `${repo}#${taskRun.issueNumber}`,
      );
    });
    app.on("check_run.completed", async (context) => onCiCompleted(fromCheckRun(context.payload, context.id), context));

    app.on("issue_comment.created", async (context) => {
      const event = fromIssueComment(context.payload, context.id);
      // Not serialized with the task: `/factory stop` must reach a task that is running.
      if (!event || event.actor.isBot) return;
      inBackground("command", context, event.actor, (forge, logger) =>
        handleCommand(event, { forge, runner: deps.runner, logger, clock: deps.clock, cancellation: deps.cancellation }),
      );
    });

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], async (context) => {
      const event = fromPullRequest(context.payload, context.id);
      if (!event) return;
      inBackground("config-check", context, event.actor, (forge, logger) =>
        handleConfigCheck(event, { forge, logger, clock: deps.clock, configPaths: [CONFIG_PATH] }),
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
