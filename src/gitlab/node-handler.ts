import type { IncomingMessage, ServerResponse } from "node:http";
import { handleGitLabDelivery, hasValidToken, type GitLabDeliveryRequest, type GitLabRouterDeps } from "./router.js";

export const GITLAB_WEBHOOK_PATH = "/api/gitlab/webhooks";

// Far above any GitLab payload the bot uses; a push of thousands of commits is cut by GitLab itself.
const MAX_BODY_BYTES = 25 * 1024 * 1024;

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * `POST /api/gitlab/webhooks` for a Node HTTP server (Probot 14 `addHandler`: returns true when
 * it answered). The token is checked before the body is read, so a stranger's request costs
 * nothing but the headers.
 */
export function gitlabNodeHandler(deps: GitLabRouterDeps, path = GITLAB_WEBHOOK_PATH): NodeHandler {
  return async (req, res) => {
    if ((req.url ?? "").split("?")[0] !== path) return false;
    if (req.method !== "POST") {
      send(res, 405, JSON.stringify({ error: "GitLab webhooks are POSTed" }), { allow: "POST" });
      return true;
    }
    const headers = flattenHeaders(req.headers);
    if (!hasValidToken(headers, deps.webhookSecret)) {
      // One line, never the token: usually a secret that differs between the hook and GITLAB_WEBHOOK_SECRET.
      deps.logger.warn(
        { forge: "gitlab", event: headers["x-gitlab-event"], instance: headers["x-gitlab-instance"] },
        "refused a GitLab delivery: X-Gitlab-Token is missing or wrong",
      );
      send(res, 401, JSON.stringify({ error: "X-Gitlab-Token is missing or wrong" }), { connection: "close" });
      return true;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === null) {
      send(res, 413, JSON.stringify({ error: `the body is larger than ${MAX_BODY_BYTES} bytes` }), {
        connection: "close",
      });
      return true;
    }
    const answer = await handleGitLabDelivery({ headers, body }, deps);
    send(res, answer.status, answer.body);
    return true;
  };
}

/** Node lower-cases header names already; repeated headers keep their first value. */
function flattenHeaders(headers: IncomingMessage["headers"]): GitLabDeliveryRequest["headers"] {
  const flat: GitLabDeliveryRequest["headers"] = {};
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

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(body);
}
