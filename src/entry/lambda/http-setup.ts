import type { Logger } from "../../core/deps.js";
import { githubIntake } from "./github-intake.js";
import { gitlabIntake } from "./gitlab-intake.js";
import type { HttpFunctionDeps } from "./http-handler.js";
import type { ForgeIntake } from "./intake.js";
import type { DeliveryQueue, ForgeName } from "./queue.js";

/** The HTTP function needs only the webhook secrets and the queue: never the private key or a token. */
export function httpDepsFromEnv(env: NodeJS.ProcessEnv, queue: DeliveryQueue, logger: Logger): HttpFunctionDeps {
  const intakes: Partial<Record<ForgeName, ForgeIntake>> = {};
  if (env.WEBHOOK_SECRET) intakes.github = githubIntake(env.WEBHOOK_SECRET);
  if (env.GITLAB_WEBHOOK_SECRET) intakes.gitlab = gitlabIntake(env.GITLAB_WEBHOOK_SECRET);
  if (Object.keys(intakes).length === 0) {
    throw new Error(
      "Neither WEBHOOK_SECRET (GitHub) nor GITLAB_WEBHOOK_SECRET (GitLab) is set: the HTTP function would " +
        "refuse every webhook.",
    );
  }
  return { intakes, queue, logger };
}

export function queueUrlFromEnv(env: NodeJS.ProcessEnv): string {
  if (!env.FACTORY_QUEUE_URL)
    throw new Error("FACTORY_QUEUE_URL is not set: the URL of the SQS queue the worker reads.");
  return env.FACTORY_QUEUE_URL;
}
