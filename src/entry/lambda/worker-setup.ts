import type { Clock, Logger } from "../../core/deps.js";
import type { FactoryOctokit } from "../../github/octokit.js";
import { gitlabSettingsFromEnv, type GitLabApi } from "../../gitlab/client.js";
import type { DeliveryJobs } from "./delivery-jobs.js";
import { createGitHubProcessor } from "./github-worker.js";
import { createGitLabProcessor } from "./gitlab-worker.js";
import { LambdaTaskRunner } from "./lambda-runner.js";
import type { ForgeName } from "./queue.js";
import type { DeliveryProcessor, WorkerDeps } from "./worker-handler.js";

export interface WorkerSetup {
  jobs: DeliveryJobs;
  clock: Clock;
  logger: Logger;
  /** Tests replace the API clients. */
  Octokit?: typeof FactoryOctokit;
  gitlabApi?: GitLabApi;
}

/** The worker gets a processor per configured forge, each with the same jobs and the Lambda runner. */
export async function workerDepsFromEnv(env: NodeJS.ProcessEnv, setup: WorkerSetup): Promise<WorkerDeps> {
  const { jobs, clock, logger } = setup;
  const runner = new LambdaTaskRunner();
  const processors: Partial<Record<ForgeName, DeliveryProcessor>> = {};
  if (env.APP_ID && (env.PRIVATE_KEY || env.PRIVATE_KEY_PATH)) {
    processors.github = await createGitHubProcessor({ env, jobs, runner, clock, Octokit: setup.Octokit });
  }
  const gitlab = gitlabSettingsFromEnv(env);
  if (gitlab)
    processors.gitlab = createGitLabProcessor({ settings: gitlab, jobs, runner, clock, logger, api: setup.gitlabApi });
  if (Object.keys(processors).length === 0) {
    throw new Error(
      "No forge is configured for the worker: set APP_ID and PRIVATE_KEY (GitHub) and/or GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET (GitLab).",
    );
  }
  return { processors, logger };
}
