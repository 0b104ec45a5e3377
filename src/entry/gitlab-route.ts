import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TaskCancellation } from "../core/cancellation.js";
import type { Clock, Logger } from "../core/deps.js";
import { BackgroundJobs, inBackground } from "./background-jobs.js";
import type { TaskRunner } from "../core/task-runner.js";
import { GITLAB_WEBHOOK_PATH, gitlabNodeHandler, gitlabWebhookDeps, type GitLabSettings } from "../gitlab/index.js";
import { healthHandler } from "./health.js";
import { shutDown, shutdownGraceMs } from "./shutdown.js";
import { accessLog } from "./access-log.js";
import type { ServerObservability } from "./observability.js";
import type { ForgeRequestObserver, Observation } from "../core/tracing.js";
import type { DeliveryMemory } from "../core/delivery-memory.js";
import type { LocalTaskRunner } from "../runner/local-runner.js";
import type { RedisCoordination } from "./redis/index.js";

export { GITLAB_WEBHOOK_PATH };

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** Until GitLab is configured, its route says so instead of failing (docs/deployment.md, "GitLab"). */
export function gitlabDisabledHandler() {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if ((req.url ?? "").split("?")[0] !== GITLAB_WEBHOOK_PATH) return false;
    res.writeHead(404, { "content-type": "application/json" }).end(
      JSON.stringify({
        error: "GitLab is not configured on this server: set GITLAB_URL, GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET.",
      }),
    );
    return true;
  };
}

export interface GitLabRouteDeps {
  jobs: BackgroundJobs;
  runner: TaskRunner;
  clock: Clock;
  logger: Logger;
  cancellation?: TaskCancellation;
  observation?: Observation;
  /** Told of every GitLab API request (metrics). */
  observeRequest?: ForgeRequestObserver;
  deliveries?: DeliveryMemory;
}

/** `POST /api/gitlab/webhooks`: the GitLab router when GitLab is configured, else the 404 saying how. */
export function gitlabRoute(settings: GitLabSettings | null, deps: GitLabRouteDeps): Handler {
  if (!settings) return gitlabDisabledHandler();
  const { jobs, runner, clock, logger, cancellation, observation, observeRequest } = deps;
  const deliver = inBackground(jobs, { runner, clock, cancellation }, observation);
  return gitlabNodeHandler(gitlabWebhookDeps(settings, { deliver, clock, logger, observeRequest }));
}

export interface GitLabOnlyServerOptions {
  env: NodeJS.ProcessEnv;
  settings: GitLabSettings;
  clock: Clock;
  version: string;
  runnerFor(logger: Logger): TaskRunner;
  cancellation: TaskCancellation;
  /** The server's logger (`serverLog`), so both servers write the same lines. */
  logger: Logger;
  observability: ServerObservability;
  deliveries?: DeliveryMemory;
  /** With `REDIS_URL`: the shared queue, and the local runner its worker runs tasks with. */
  shared?: { coordination: RedisCoordination; localRunner(): LocalTaskRunner };
}

/**
 * A server for GitLab alone: without GitHub App credentials Probot would serve its registration
 * flow (or refuse to start in production), so the same routes are served by plain node:http.
 */
export async function startGitLabOnlyServer(options: GitLabOnlyServerOptions) {
  const { env, logger, observability } = options;
  const jobs = new BackgroundJobs(logger);
  const coordination = options.shared?.coordination;
  const handlers: Handler[] = [
    healthHandler({
      version: options.version,
      forges: { github: false, gitlab: true },
      redis: coordination ? () => coordination.ready : undefined,
    }),
    gitlabRoute(options.settings, {
      jobs,
      runner: observability.runner(options.runnerFor(logger), "gitlab"),
      clock: options.clock,
      logger,
      cancellation: options.cancellation,
      observation: observability.observation,
      observeRequest: observability.forgeRequests("gitlab"),
      deliveries: options.deliveries,
    }),
    pingHandler,
    ...observability.handlers,
  ];
  const logRequest = accessLog(logger);
  if (options.shared) options.shared.coordination.startWorker(options.shared.localRunner(), jobs);
  const server = createServer((req, res) => {
    logRequest(req, res);
    observability.observeRequest(req, res);
    serve(handlers, req, res).catch((err: unknown) => {
      logger.error({ err }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(env.PORT || 3000), env.HOST || "localhost", resolve);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port }, "factory-bot listening (GitLab only)");
  const stopAccepting = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await coordination?.stopTaking();
  };
  return {
    port,
    jobs,
    cancellation: options.cancellation,
    logger,
    async stop(graceMs = shutdownGraceMs(env)) {
      await shutDown({ stopAccepting, jobs, cancellation: options.cancellation, logger }, graceMs);
      await coordination?.close();
      await observability.telemetry.shutdown();
    },
  };
}

async function serve(handlers: Handler[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  for (const handler of handlers) if (await handler(req, res)) return;
  res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "Not found" }));
}

/** Probot's `GET /ping`, kept on the GitLab-only server so health checks work the same. */
function pingHandler(req: IncomingMessage, res: ServerResponse): boolean {
  if ((req.url ?? "").split("?")[0] !== "/ping" || req.method !== "GET") return false;
  res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
  return true;
}
