import { randomUUID } from "node:crypto";
import { routeGitLabEvent } from "../../gitlab/events.js";
import { hasValidToken } from "../../gitlab/token.js";
import type { WebhookRequest } from "./http-event.js";
import { ignored, parseJsonObject, refused, type ForgeIntake, type Intake } from "./intake.js";

/** GitLab's id for one delivery, the same across its retries when it sends `Idempotency-Key`. */
export function gitlabDeliveryId(headers: WebhookRequest["headers"]): string {
  return headers["idempotency-key"] || headers["x-gitlab-webhook-uuid"] || randomUUID();
}

/**
 * GitLab deliveries: the router's own token check and event routing (src/gitlab), so what the
 * HTTP function queues is exactly what the Docker server would start work for. Like the router,
 * an event the bot does not use is acknowledged with a 2xx: GitLab disables hooks that keep failing.
 */
export function gitlabIntake(webhookSecret: string): ForgeIntake {
  return async (request: WebhookRequest): Promise<Intake> => {
    if (!hasValidToken(request.headers, webhookSecret)) return refused(401, "X-Gitlab-Token is missing or wrong");
    const payload = parseJsonObject(request.body);
    if (!payload) return refused(400, "the body is not a JSON object");
    const event = request.headers["x-gitlab-event"] ?? "";
    const deliveryId = gitlabDeliveryId(request.headers);
    if (!routeGitLabEvent(event, payload, deliveryId))
      return ignored(`factory-bot does nothing with this ${event || "unnamed"} event`);
    return { kind: "accepted", delivery: { forge: "gitlab", event, deliveryId, body: request.body } };
  };
}
