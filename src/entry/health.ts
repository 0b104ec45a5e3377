import type { IncomingMessage, ServerResponse } from "node:http";

export interface HealthInfo {
  version: string;
  forges: { github: boolean; gitlab: boolean };
  /** With `REDIS_URL`: whether Redis answers, read on every request. */
  redis?: () => boolean;
}

/** `GET /healthz` (docs/operations.md, "Health checks"): for Docker HEALTHCHECK and load balancers. */
export function healthHandler(info: HealthInfo) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/healthz" || (req.method !== "GET" && req.method !== "HEAD")) return false;
    // Still 200 while Redis is away: this replica answers webhooks, so a load balancer must keep it.
    const redis = info.redis?.();
    const body = JSON.stringify({
      status: "ok",
      version: info.version,
      forges: info.forges,
      ...(redis === undefined ? {} : { redis, ready: redis }),
    });
    res
      .writeHead(200, { "content-type": "application/json", "cache-control": "no-store" })
      .end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
