import type { Clock, Logger } from "../../core/deps.js";
import type { FactoryOctokit } from "../../github/octokit.js";
import { gitlabSettingsFromEnv, type GitLabApi } from "../../gitlab/client.js";
import { BackgroundJobs, toCompletion } from "../background-jobs.js";
import { createGitHubProcessor } from "./github-worker.js";
import { createGitLabProcessor } from "./gitlab-worker.js";
import { LambdaTaskRunner } from "./lambda-runner.js";
import type { ForgeName } from "./queue.js";
import type { DeliveryProcessor, WorkerDeps } from "./worker-handler.js";

export interface WorkerSetup {
  clock: Clock;
  logger: Logger;
  /** Tests replace the API clients. */
  Octokit?: typeof FactoryOctokit;
  gitlabApi?: GitLabApi;
}

/**
 * The worker gets a processor per configured forge. Each runs a delivery's work to its end;
 * deliveries of one batch share the jobs, so work on one commit or issue still runs in turn.
 */
export async function workerDepsFromEnv(env: NodeJS.ProcessEnv, setup: WorkerSetup): Promise<WorkerDeps> {
  const { clock, logger } = setup;
  const deliver = toCompletion(new BackgroundJobs(logger), { runner: new LambdaTaskRunner(), clock });
  const processors: Partial<Record<ForgeName, DeliveryProcessor>> = {};
  if (env.APP_ID && (env.PRIVATE_KEY || env.PRIVATE_KEY_PATH)) {
    processors.github = await createGitHubProcessor({ env, deliver, Octokit: setup.Octokit });
  }
  const gitlab = gitlabSettingsFromEnv(env);
  if (gitlab) processors.gitlab = createGitLabProcessor({ settings: gitlab, deliver, logger, api: setup.gitlabApi });
  if (Object.keys(processors).length === 0) {
    throw new Error(
      "No forge is configured for the worker: set APP_ID and PRIVATE_KEY (GitHub) and/or GITLAB_TOKEN and " +
        "GITLAB_WEBHOOK_SECRET (GitLab).",
    );
  }
  return { processors, logger };
}
