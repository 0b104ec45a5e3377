import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../core/deps.js";

/**
 * One line per request once it is answered, in the fields and message Probot's access log
 * (pino-http) uses, for the server that runs without Probot (GitLab only). The path is logged
 * without its query string.
 */
export function accessLog(logger: Logger, clock: () => number = Date.now) {
  const log = logger.child({ name: "http" });
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = clock();
    const path = (req.url ?? "").split("?")[0];
    res.once("finish", () => {
      const responseTime = clock() - started;
      const line = { req: { method: req.method, url: path }, res: { statusCode: res.statusCode }, responseTime };
      const message = `${req.method} ${path} ${res.statusCode} - ${responseTime}ms`;
      if (res.statusCode >= 500) log.error(line, message);
      else log.info(line, message);
    });
  };
}
