import type { Deliver } from "../../core/dispatch.js";
import type { Logger } from "../../core/deps.js";
import { createGitLabApi, type GitLabApi, type GitLabSettings } from "../../gitlab/client.js";
import { cachedBotUser, routeGitLabDelivery } from "../../gitlab/router.js";
import type { DeliveryProcessor } from "./worker-handler.js";

export interface GitLabWorkerOptions {
  settings: GitLabSettings;
  /** Runs a delivery's work to its end (`toCompletion`). */
  deliver: Deliver;
  logger: Logger;
  /** Replaces the gitbeaker resources (tests). */
  api?: GitLabApi;
}

/**
 * The worker's GitLab side: the router's routing step, called directly (the HTTP function
 * verified the delivery). It never skips a delivery as already seen: a message comes back only
 * because its work failed or was cut short, and must then run again.
 */
export function createGitLabProcessor(options: GitLabWorkerOptions): DeliveryProcessor {
  const api = options.api ?? createGitLabApi(options.settings);
  const deps = { api, botUser: cachedBotUser(api), logger: options.logger, deliver: options.deliver };
  return async (delivery, logger) => {
    const verified = { event: delivery.event, deliveryId: delivery.deliveryId };
    const routed = await routeGitLabDelivery(verified, delivery.body, deps);
    if (routed === "not-json") throw new Error("the queued GitLab delivery's body is not JSON");
    logger.debug({ routed }, "GitLab delivery handled");
  };
}
