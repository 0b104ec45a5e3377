import { verify } from "@octokit/webhooks-methods";
import {
  fromCheckRun,
  fromIssueComment,
  fromPullRequest,
  fromTaskWorkflowRun,
  fromWorkflowRun,
  repositoryOf,
  toIssueLabeledEvent,
} from "../../github/events.js";
import type { WebhookRequest } from "./http-event.js";
import { ignored, parseJsonObject, refused, type ForgeIntake, type Intake } from "./intake.js";

const REQUIRED_HEADERS = ["x-github-event", "x-github-delivery", "x-hub-signature-256"] as const;

/** The fields the app's payload readers look at; anything may be missing. */
type Payload = Parameters<typeof toIssueLabeledEvent>[0] &
  Parameters<typeof fromWorkflowRun>[0] &
  Parameters<typeof fromTaskWorkflowRun>[0] &
  Parameters<typeof fromIssueComment>[0] &
  Parameters<typeof fromPullRequest>[0] &
  Parameters<typeof repositoryOf>[0] & { action?: unknown };

const PULL_REQUEST_ACTIONS = new Set(["opened", "synchronize", "reopened"]);

/**
 * Would the Probot app (src/github/app.ts) start work for this event? The same pure payload
 * checks its handlers make before they touch the API, so ignored events never reach the queue.
 * test/entry/lambda-github-filter.test.ts keeps the two in step over every example payload.
 */
export function githubWouldHandle(name: string, payload: Payload): boolean {
  if (!repositoryOf(payload)) return false;
  const id = "filter";
  switch (`${name}.${String(payload.action)}`) {
    case "issues.labeled": {
      const event = toIssueLabeledEvent(payload, id);
      return event !== null && !event.actor.isBot && !event.issue.isPullRequest;
    }
    case "workflow_run.completed":
      return fromTaskWorkflowRun(payload, id) !== null || fromWorkflowRun(payload, id) !== null;
    case "check_run.completed":
      return fromCheckRun(payload, id) !== null;
    case "issue_comment.created": {
      const event = fromIssueComment(payload, id);
      return event !== null && !event.actor.isBot;
    }
    default:
      return name === "pull_request" && PULL_REQUEST_ACTIONS.has(String(payload.action)) && fromPullRequest(payload, id) !== null;
  }
}

/**
 * GitHub deliveries: the HMAC (`X-Hub-Signature-256`) checked with the same function Probot's
 * `webhooks.verify` uses, then the filter. Probot itself stays out of the HTTP function.
 */
export function githubIntake(webhookSecret: string): ForgeIntake {
  return async (request: WebhookRequest): Promise<Intake> => {
    const missing = REQUIRED_HEADERS.filter((name) => !request.headers[name]);
    if (missing.length > 0) return refused(400, `missing header${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}`);
    if (!(await signatureMatches(webhookSecret, request))) return refused(401, "the signature (X-Hub-Signature-256) does not match the webhook secret");
    const payload = parseJsonObject(request.body);
    if (!payload) return refused(400, "the body is not a JSON object");
    const event = request.headers["x-github-event"]!;
    if (!githubWouldHandle(event, payload as Payload)) return ignored(`factory-bot does nothing with ${event}${payload.action ? `.${String(payload.action)}` : ""} here`);
    return { kind: "accepted", delivery: { forge: "github", event, deliveryId: request.headers["x-github-delivery"]!, body: request.body } };
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
