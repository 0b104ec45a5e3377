import type { Logger } from "../../core/deps.js";
import {
  jsonResult,
  toWebhookRequest,
  type LambdaHttpEvent,
  type LambdaHttpResult,
  type WebhookRequest,
} from "./http-event.js";
import type { ForgeIntake } from "./intake.js";
import { MessageTooLargeError, type DeliveryQueue, type ForgeName, type QueuedDelivery } from "./queue.js";

/** The webhook paths (docs/deployment.md), the same as the Docker server's. */
export const WEBHOOK_PATHS: Readonly<Record<ForgeName, string>> = {
  github: "/api/github/webhooks",
  gitlab: "/api/gitlab/webhooks",
};

const SETTINGS_HINT: Readonly<Record<ForgeName, string>> = {
  github: "APP_ID, PRIVATE_KEY and WEBHOOK_SECRET",
  gitlab: "GITLAB_URL, GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET",
};

export interface HttpFunctionDeps {
  /** One intake per configured forge; a forge without one answers 404 saying what to set. */
  intakes: Partial<Record<ForgeName, ForgeIntake>>;
  queue: DeliveryQueue;
  logger: Logger;
}

export type HttpHandler = (event: LambdaHttpEvent) => Promise<LambdaHttpResult>;

/**
 * The HTTP function: verify, drop what the bot ignores, queue the rest and answer 202. No
 * handler runs here, because Lambda freezes the function as soon as it answers.
 */
export function createHttpHandler(deps: HttpFunctionDeps): HttpHandler {
  return async (event) => {
    const request = toWebhookRequest(event);
    const forge = forgeOfPath(request.path);
    if (!forge)
      return jsonResult(404, {
        error: `no route for ${request.path}; webhooks go to ${Object.values(WEBHOOK_PATHS).join(" or ")}`,
      });
    if (request.method !== "POST") return jsonResult(405, { error: "webhooks are POSTed" }, { allow: "POST" });
    const intake = deps.intakes[forge];
    if (!intake)
      return jsonResult(404, { error: `${forge} is not configured on this bot: set ${SETTINGS_HINT[forge]}` });
    return answer(forge, request, intake, deps);
  };
}

/** Stage names and custom-domain base paths come before the route, so the route is matched at the end. */
function forgeOfPath(path: string): ForgeName | null {
  const trimmed = path.replace(/\/+$/, "");
  const match = (Object.entries(WEBHOOK_PATHS) as [ForgeName, string][]).find(([, route]) => trimmed.endsWith(route));
  return match ? match[0] : null;
}

async function answer(
  forge: ForgeName,
  request: WebhookRequest,
  intake: ForgeIntake,
  deps: HttpFunctionDeps,
): Promise<LambdaHttpResult> {
  const decision = await intake(request);
  switch (decision.kind) {
    case "refused":
      deps.logger.warn({ forge, status: decision.status, reason: decision.error }, "webhook refused");
      return jsonResult(decision.status, { error: decision.error });
    case "ignored":
      deps.logger.debug({ forge, reason: decision.reason }, "webhook ignored");
      return jsonResult(200, { status: "ignored", reason: decision.reason });
    case "accepted":
      return enqueue(decision.delivery, deps);
  }
}

async function enqueue(delivery: QueuedDelivery, deps: HttpFunctionDeps): Promise<LambdaHttpResult> {
  const logger = deps.logger.child({ forge: delivery.forge, event: delivery.event, deliveryId: delivery.deliveryId });
  try {
    await deps.queue.send(delivery);
  } catch (err) {
    if (err instanceof MessageTooLargeError) {
      logger.error({ err }, "webhook too large for the queue");
      return jsonResult(413, { error: err.message });
    }
    // The forge shows the failure and can redeliver; nothing was lost silently.
    logger.error({ err }, "could not queue the webhook");
    return jsonResult(503, { error: "the delivery could not be queued; redeliver it later" });
  }
  logger.info({}, "webhook queued");
  return jsonResult(202, { status: "accepted", deliveryId: delivery.deliveryId });
}
