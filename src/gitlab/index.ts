import type { TaskCancellation } from "../core/cancellation.js";
import type { Clock, Logger } from "../core/deps.js";
import type { BackgroundJobs } from "../core/jobs.js";
import type { TaskRunner } from "../core/task.js";
import { createGitLabApi, type GitLabSettings } from "./client.js";
import { RecentKeys } from "./recent-keys.js";
import { cachedBotUser, type GitLabRouterDeps } from "./router.js";
import type { DeliveryMemory } from "../core/delivery-memory.js";

export {
  gitlabSettingsFromEnv,
  createGitLabApi,
  normalizeGitLabUrl,
  type GitLabSettings,
  type GitLabApi,
} from "./client.js";
export { GitLabForge, gitlabWording, type GitLabProject, type GitLabUser } from "./forge.js";
export {
  handleGitLabDelivery,
  gitlabOriginForge,
  hasValidToken,
  type GitLabDeliveryRequest,
  type GitLabDeliveryResponse,
  type GitLabRouterDeps,
} from "./router.js";
export { gitlabNodeHandler, GITLAB_WEBHOOK_PATH } from "./node-handler.js";
export { GITLAB_CONFIG_PATHS } from "./config.js";

// GitLab resends a delivery with its key from the hook's log, usually within minutes; a day covers
// manual resends too. 10,000 keys is a few hundred KB.
const REMEMBERED_DELIVERIES = 10_000;
const DELIVERY_MEMORY_MS = 24 * 60 * 60 * 1000;

/** Everything the GitLab router needs, for one server process (Docker) or one Lambda container. */
export function gitlabRouterDeps(
  settings: GitLabSettings,
  deps: {
    jobs: BackgroundJobs;
    runner: TaskRunner;
    clock: Clock;
    logger: Logger;
    cancellation?: TaskCancellation;
    /** Shared through Redis with `REDIS_URL`; else this process' memory. */
    deliveries?: DeliveryMemory;
  },
): GitLabRouterDeps {
  const api = createGitLabApi(settings);
  const { deliveries, ...rest } = deps;
  return {
    ...rest,
    webhookSecret: settings.webhookSecret,
    api,
    botUser: cachedBotUser(api),
    recentDeliveries:
      deliveries ?? new RecentKeys({ capacity: REMEMBERED_DELIVERIES, ttlMs: DELIVERY_MEMORY_MS, clock: deps.clock }),
  };
}
