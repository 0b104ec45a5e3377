import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { createProbot } from "probot";
import type { Clock } from "../../core/deps.js";
import type { TaskRunner } from "../../core/task.js";
import { factoryGitHubApp } from "../../github/app.js";
import { FactoryOctokit } from "../../github/octokit.js";
import type { DeliveryJobs } from "./delivery-jobs.js";
import type { DeliveryProcessor } from "./worker-handler.js";

export interface GitHubWorkerOptions {
  env: NodeJS.ProcessEnv;
  jobs: DeliveryJobs;
  runner: TaskRunner;
  clock: Clock;
  /** Replaces the Octokit class (tests turn throttling and retries off). */
  Octokit?: typeof FactoryOctokit;
}

/**
 * The worker's GitHub side: a Probot instance (credentials and GHE settings read by Probot from the
 * same variables as the Docker server) with the same app loaded. A queued delivery is handed to
 * `receive`, which Probot's HTTP middleware would call after verifying; the HTTP function verified.
 */
export async function createGitHubProcessor(options: GitHubWorkerOptions): Promise<DeliveryProcessor> {
  const probot = createProbot({ env: options.env, overrides: { Octokit: options.Octokit ?? FactoryOctokit } });
  await probot.load(factoryGitHubApp({ jobs: options.jobs, runner: options.runner, clock: options.clock }));
  return async (delivery) => {
    const event = {
      id: delivery.deliveryId,
      name: delivery.event,
      payload: JSON.parse(delivery.body),
    } as EmitterWebhookEvent;
    await options.jobs.runDelivery(() => probot.receive(event));
  };
}
