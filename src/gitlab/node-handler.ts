import type { IncomingMessage, ServerResponse } from "node:http";
import type { DeliveryMemory } from "../core/delivery-memory.js";
import { routeGitLabDelivery, type GitLabRouterDeps } from "./router.js";
import { verifyGitLabDelivery } from "./token.js";

export const GITLAB_WEBHOOK_PATH = "/api/gitlab/webhooks";

// Far above any GitLab payload the bot uses; a push of thousands of commits is cut by GitLab itself.
const MAX_BODY_BYTES = 25 * 1024 * 1024;

/** The Docker server's GitLab webhook: the router's deps, the secret and a memory of deliveries. */
export interface GitLabWebhookDeps extends GitLabRouterDeps {
  /** The secret token configured on the GitLab webhook (`GITLAB_WEBHOOK_SECRET`). */
  webhookSecret: string;
  /** Idempotency keys of deliveries already accepted (in memory, or shared through Redis). */
  recentDeliveries: DeliveryMemory;
}

export type GitLabHeaders = Record<string, string | undefined>;

export interface GitLabDeliveryResponse {
  status: number;
  body: string;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const reply = (status: number, body: object): GitLabDeliveryResponse => ({ status, body: JSON.stringify(body) });

/**
 * `POST /api/gitlab/webhooks` for a Node HTTP server (Probot 14 `addHandler`: returns true when
 * it answered).
 */
export function gitlabNodeHandler(deps: GitLabWebhookDeps, path = GITLAB_WEBHOOK_PATH): NodeHandler {
  return async (req, res) => {
    if ((req.url ?? "").split("?")[0] !== path) return false;
    if (req.method !== "POST") {
      send(res, reply(405, { error: "GitLab webhooks are POSTed" }), { allow: "POST" });
      return true;
    }
    const answer = await handleGitLabDelivery(flattenHeaders(req.headers), () => readBody(req, MAX_BODY_BYTES), deps);
    // A refused or oversized request's body is left unread: the connection is not reused.
    send(res, answer, answer.status === 401 || answer.status === 413 ? { connection: "close" } : {});
    return true;
  };
}

/**
 * Verifies, de-duplicates and routes one delivery, answering at once. The token is checked before
 * the body is read, so a stranger's request costs nothing but the headers. Only a bad token (401),
 * an oversized body (413) and a body that is not JSON (400) are refused: GitLab disables a hook
 * that keeps failing, so events the bot does not use are acknowledged with 2xx.
 */
export async function handleGitLabDelivery(
  headers: GitLabHeaders,
  readBody: () => Promise<string | null>,
  deps: GitLabWebhookDeps,
): Promise<GitLabDeliveryResponse> {
  const verified = verifyGitLabDelivery(headers, deps.webhookSecret);
  if (!verified.ok) {
    // Usually a secret that differs between the hook and GITLAB_WEBHOOK_SECRET.
    deps.logger.warn(
      { forge: "gitlab", event: verified.event, instance: verified.instance },
      `refused a GitLab delivery: ${verified.error}`,
    );
    return reply(401, { error: verified.error });
  }
  const body = await readBody();
  if (body === null) return reply(413, { error: `the body is larger than ${MAX_BODY_BYTES} bytes` });
  const { delivery } = verified;
  // Checked and remembered in one step, so two replicas sharing it through Redis cannot both go on.
  if (delivery.idempotencyKey && !(await deps.recentDeliveries.firstTime(`gitlab:${delivery.idempotencyKey}`)))
    return reply(200, { status: "duplicate" });
  const routed = await routeGitLabDelivery(delivery, body, deps);
  if (routed === "not-json") return reply(400, { error: "the body is not JSON" });
  if (routed === "ignored") return reply(200, { status: "ignored" });
  return reply(202, { status: "accepted" });
}

/** Node lower-cases header names already; repeated headers keep their first value. */
function flattenHeaders(headers: IncomingMessage["headers"]): GitLabHeaders {
  const flat: GitLabHeaders = {};
  for (const [name, value] of Object.entries(headers)) flat[name] = Array.isArray(value) ? value[0] : value;
  return flat;
}

/** The body as UTF-8, or null once it exceeds `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, answer: GitLabDeliveryResponse, headers: Record<string, string> = {}): void {
  res.writeHead(answer.status, { "content-type": "application/json", ...headers }).end(answer.body);
}
