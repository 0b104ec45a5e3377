import type { IncomingMessage, ServerResponse } from "node:http";

export const GITLAB_WEBHOOK_PATH = "/api/gitlab/webhooks";

/** Until GitLab is configured, its route says so instead of failing (DESIGN.md section 1). */
export function gitlabDisabledHandler() {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? "").split("?")[0] !== GITLAB_WEBHOOK_PATH) return false;
    res
      .writeHead(404, { "content-type": "application/json" })
      .end(JSON.stringify({ error: "GitLab is not configured on this server: set GITLAB_URL, GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET." }));
    return true;
  };
}
