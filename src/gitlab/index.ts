import type { Clock, Logger } from "../core/deps.js";
import type { Deliver } from "../core/dispatch.js";
import type { ForgeRequestObserver } from "../core/tracing.js";
import { createGitLabApi, type GitLabSettings } from "./client.js";
import type { GitLabWebhookDeps } from "./node-handler.js";
import { RecentKeys } from "./recent-keys.js";
import { cachedBotUser } from "./router.js";
import type { DeliveryMemory } from "../core/delivery-memory.js";

export {
  gitlabSettingsFromEnv,
  createGitLabApi,
  normalizeGitLabUrl,
  type GitLabSettings,
  type GitLabApi,
} from "./client.js";
export { GitLabForge, gitlabWording, type GitLabProject, type GitLabUser } from "./forge.js";
export { routeGitLabDelivery, gitlabOriginForge, type GitLabRouterDeps } from "./router.js";
export {
  gitlabNodeHandler,
  handleGitLabDelivery,
  GITLAB_WEBHOOK_PATH,
  type GitLabDeliveryResponse,
  type GitLabWebhookDeps,
} from "./node-handler.js";
export { hasValidToken, verifyGitLabDelivery } from "./token.js";
export { GITLAB_CONFIG_PATHS } from "./config.js";

// GitLab resends a delivery with its key from the hook's log, usually within minutes; a day covers
// manual resends too. 10,000 keys is a few hundred KB.
const REMEMBERED_DELIVERIES = 10_000;
const DELIVERY_MEMORY_MS = 24 * 60 * 60 * 1000;

/** Everything the GitLab webhook needs, for one server process (Docker). */
export function gitlabWebhookDeps(
  settings: GitLabSettings,
  deps: {
    deliver: Deliver;
    clock: Clock;
    logger: Logger;
    /** Told of every GitLab API request (the server's metrics). */
    observeRequest?: ForgeRequestObserver;
    /** Shared through Redis with `REDIS_URL`; else this process' memory. */
    deliveries?: DeliveryMemory;
  },
): GitLabWebhookDeps {
  const api = createGitLabApi(settings, deps.observeRequest);
  const { deliveries } = deps;
  return {
    deliver: deps.deliver,
    logger: deps.logger,
    webhookSecret: settings.webhookSecret,
    api,
    botUser: cachedBotUser(api),
    recentDeliveries:
      deliveries ?? new RecentKeys({ capacity: REMEMBERED_DELIVERIES, ttlMs: DELIVERY_MEMORY_MS, clock: deps.clock }),
  };
}
