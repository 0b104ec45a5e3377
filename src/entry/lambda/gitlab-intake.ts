import { startsWork } from "../../core/origin.js";
import { routeGitLabEvent } from "../../gitlab/events.js";
import { verifyGitLabDelivery } from "../../gitlab/token.js";
import type { WebhookRequest } from "./http-event.js";
import { ignored, parseJsonObject, refused, type ForgeIntake, type Intake } from "./intake.js";

/**
 * GitLab deliveries: the same verification (token, delivery id) as the Docker server and the
 * router's own event routing (src/gitlab), so what the HTTP function queues is exactly what the
 * Docker server would start work for. Like the router, an event the bot does not use is
 * acknowledged with a 2xx: GitLab disables hooks that keep failing.
 */
export function gitlabIntake(webhookSecret: string): ForgeIntake {
  return async (request: WebhookRequest): Promise<Intake> => {
    const verified = verifyGitLabDelivery(request.headers, webhookSecret);
    if (!verified.ok) return refused(401, verified.error);
    const payload = parseJsonObject(request.body);
    if (!payload) return refused(400, "the body is not a JSON object");
    const { event, deliveryId } = verified.delivery;
    const route = routeGitLabEvent(event, payload, deliveryId);
    if (!route?.events.some(startsWork))
      return ignored(`factory-bot does nothing with this ${event || "unnamed"} event`);
    return { kind: "accepted", delivery: { forge: "gitlab", event, deliveryId, body: request.body } };
  };
}
