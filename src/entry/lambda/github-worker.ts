import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { createProbot } from "probot";
import type { Deliver } from "../../core/dispatch.js";
import { factoryGitHubApp } from "../../github/app.js";
import { FactoryOctokit } from "../../github/octokit.js";
import type { DeliveryProcessor } from "./worker-handler.js";

export interface GitHubWorkerOptions {
  env: NodeJS.ProcessEnv;
  /** Runs a delivery's work to its end (`toCompletion`). */
  deliver: Deliver;
  /** Replaces the Octokit class (tests turn throttling and retries off). */
  Octokit?: typeof FactoryOctokit;
}

/**
 * The worker's GitHub side: a Probot instance (credentials and GHE settings read by Probot from the
 * same variables as the Docker server) with the same app loaded. A queued delivery is handed to
 * `receive`, which Probot's HTTP middleware would call after verifying; the HTTP function verified.
 * `receive` settles once the app's handler has, and rejects when its work failed.
 */
export async function createGitHubProcessor(options: GitHubWorkerOptions): Promise<DeliveryProcessor> {
  const probot = createProbot({ env: options.env, overrides: { Octokit: options.Octokit ?? FactoryOctokit } });
  await probot.load(factoryGitHubApp({ deliver: options.deliver }));
  return async (delivery) => {
    const event = {
      id: delivery.deliveryId,
      name: delivery.event,
      payload: JSON.parse(delivery.body),
    } as EmitterWebhookEvent;
    await probot.receive(event);
  };
}
