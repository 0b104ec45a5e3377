import type { Clock, Logger } from "../../core/deps.js";
import type { TaskRunner } from "../../core/task.js";
import { createGitLabApi, type GitLabApi, type GitLabSettings } from "../../gitlab/client.js";
import { RecentKeys } from "../../gitlab/recent-keys.js";
import { cachedBotUser, handleGitLabDelivery, type GitLabRouterDeps } from "../../gitlab/router.js";
import type { DeliveryJobs } from "./delivery-jobs.js";
import type { DeliveryProcessor } from "./worker-handler.js";

export interface GitLabWorkerOptions {
  settings: GitLabSettings;
  jobs: DeliveryJobs;
  runner: TaskRunner;
  clock: Clock;
  logger: Logger;
  /** Replaces the gitbeaker resources (tests). */
  api?: GitLabApi;
}

/**
 * The worker's GitLab side: the router the Docker server uses, with the worker's jobs. The HTTP
 * function already checked the token; the worker presents its own copy of the secret so the router
 * runs unchanged. It never skips a delivery as already seen: a message comes back only because
 * its work failed or was cut short, and must then run again.
 */
export function createGitLabProcessor(options: GitLabWorkerOptions): DeliveryProcessor {
  const api = options.api ?? createGitLabApi(options.settings);
  const deps: GitLabRouterDeps = {
    webhookSecret: options.settings.webhookSecret,
    api,
    jobs: options.jobs,
    runner: options.runner,
    clock: options.clock,
    logger: options.logger,
    botUser: cachedBotUser(api),
    recentDeliveries: new RecentKeys({ capacity: 0, ttlMs: 0, clock: options.clock }),
  };
  return async (delivery, logger) => {
    const headers = {
      "x-gitlab-token": options.settings.webhookSecret,
      "x-gitlab-event": delivery.event,
      "x-gitlab-webhook-uuid": delivery.deliveryId,
    };
    const answer = await options.jobs.runDelivery(() => handleGitLabDelivery({ headers, body: delivery.body }, deps));
    if (answer.status >= 400)
      throw new Error(`the GitLab router refused the queued delivery (${answer.status}): ${answer.body}`);
    logger.debug({ status: answer.status }, "GitLab delivery handled");
  };
}
