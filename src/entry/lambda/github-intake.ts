import { verify } from "@octokit/webhooks-methods";
import { startsWork } from "../../core/origin.js";
import { routeGitHubEvent } from "../../github/events.js";
import type { WebhookRequest } from "./http-event.js";
import { ignored, parseJsonObject, refused, type ForgeIntake, type Intake } from "./intake.js";

const REQUIRED_HEADERS = ["x-github-event", "x-github-delivery", "x-hub-signature-256"] as const;

/**
 * Would the Probot app start work for this event? The app decides with the same function, so
 * ignored events never reach the queue.
 */
export function githubWouldHandle(name: string, payload: Record<string, unknown>): boolean {
  const event = routeGitHubEvent(name, payload as never, "filter");
  return event !== null && startsWork(event);
}

/**
 * GitHub deliveries: the HMAC (`X-Hub-Signature-256`) checked with the same function Probot's
 * `webhooks.verify` uses, then the filter. Probot itself stays out of the HTTP function.
 */
export function githubIntake(webhookSecret: string): ForgeIntake {
  return async (request: WebhookRequest): Promise<Intake> => {
    const missing = REQUIRED_HEADERS.filter((name) => !request.headers[name]);
    if (missing.length > 0)
      return refused(400, `missing header${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
    if (!(await signatureMatches(webhookSecret, request)))
      return refused(401, "the signature (X-Hub-Signature-256) does not match the webhook secret");
    const payload = parseJsonObject(request.body);
    if (!payload) return refused(400, "the body is not a JSON object");
    const event = request.headers["x-github-event"]!;
    if (!githubWouldHandle(event, payload))
      return ignored(
        `factory-bot does nothing with ${event}${payload.action ? `.${String(payload.action)}` : ""} here`,
      );
    return {
      kind: "accepted",
      delivery: { forge: "github", event, deliveryId: request.headers["x-github-delivery"]!, body: request.body },
    };
  };
}

async function signatureMatches(secret: string, request: WebhookRequest): Promise<boolean> {
  if (!request.body) return false;
  try {
    return await verify(secret, request.body, request.headers["x-hub-signature-256"]!);
  } catch {
    return false; // a malformed signature is a wrong one, never a 500
  }
}
