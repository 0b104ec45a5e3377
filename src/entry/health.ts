import type { IncomingMessage, ServerResponse } from "node:http";

export interface HealthInfo {
  version: string;
  forges: { github: boolean; gitlab: boolean };
}

/** `GET /healthz` (docs/operations.md, "Health checks"): for Docker HEALTHCHECK and load balancers. */
export function healthHandler(info: HealthInfo) {
  const body = JSON.stringify({ status: "ok", version: info.version, forges: info.forges });
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/healthz" || (req.method !== "GET" && req.method !== "HEAD")) return false;
    res
      .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
      .end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
