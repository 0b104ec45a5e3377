import { run, type Probot, type ApplicationFunctionOptions } from "probot";
import { getPrivateKey } from "@probot/get-private-key";
import { BackgroundJobs, inBackground } from "./background-jobs.js";
import { systemClock, type Clock, type Logger } from "../core/deps.js";
import type { TaskRunner } from "../core/task-runner.js";
import { factoryGitHubApp } from "../github/app.js";
import { FactoryOctokit, factoryOctokit, withRequestObserver } from "../github/octokit.js";
import { ClusteredThrottle } from "../github/throttle.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import { startObservability, type ServerObservability } from "./observability.js";
import { LocalTaskRunner, localRunnerOptionsFromEnv } from "../runner/index.js";
import { healthHandler } from "./health.js";
import { gitlabSettingsFromEnv } from "../gitlab/client.js";
import { gitlabRoute, startGitLabOnlyServer } from "./gitlab-route.js";
import { packageVersion } from "./version.js";
import { isMainModule } from "./is-main.js";
import { shutDown, shutdownGraceMs } from "./shutdown.js";
import { applyDotEnv } from "./dotenv.js";
import { serverLog } from "./log.js";
import { TaskCancellation } from "../core/cancellation.js";
import { startRedeliverSchedule } from "./redeliver-schedule.js";
import { appClient } from "./cli/redeliver.js";
import { githubOriginForge } from "../github/app.js";
import { createGitLabApi, gitlabOriginForge, type GitLabSettings } from "../gitlab/index.js";
import { cachedBotUser } from "../gitlab/router.js";
import { RecentKeys } from "../gitlab/recent-keys.js";
import type { DeliveryMemory } from "../core/delivery-memory.js";
import { queueLockMs, RedisCoordination } from "./redis/index.js";

export interface FactoryServerOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Replaces the local runner (tests, or deployments that only dispatch to CI). */
  runner?: TaskRunner;
  /** Replaces the Octokit class (tests turn throttling and retries off). */
  Octokit?: typeof FactoryOctokit;
  /** Where log lines go instead of stdout (tests read them all). */
  logDestination?: NodeJS.WritableStream;
}

export interface FactoryServer {
  port: number;
  jobs: BackgroundJobs;
  cancellation: TaskCancellation;
  /** The server's logger: JSON lines (or pretty) on stdout. */
  logger: Logger;
  /**
   * Graceful: stop accepting, let work finish up to `graceMs`, abort the rest (marked failed; with
   * `REDIS_URL` handed back to the shared queue instead).
   */
  stop(graceMs?: number): Promise<void>;
}

function hasGitHubCredentials(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.APP_ID && (env.PRIVATE_KEY || env.PRIVATE_KEY_PATH));
}

/**
 * Refuses to start on credentials Probot would quietly work around: a missing webhook secret (it
 * would accept the public default "development") or a private key it cannot read (it would fall
 * back to the app-registration page).
 */
function checkGitHubCredentials(env: NodeJS.ProcessEnv): void {
  if (!env.WEBHOOK_SECRET)
    throw new Error("WEBHOOK_SECRET is not set: set it to the webhook secret of the GitHub App.");
  let key: string | null;
  try {
    key = getPrivateKey({ env });
  } catch (err) {
    throw new Error(
      `The GitHub App's private key cannot be used: ` +
        `${(err as Error).message.replace(/^\[@probot\/get-private-key\] /, "")}`,
    );
  }
  if (!key)
    throw new Error(
      "PRIVATE_KEY / PRIVATE_KEY_PATH holds no private key: use the .pem file GitHub generated for the app.",
    );
}

/**
 * The Docker entry (`npm start`). Without GitHub credentials outside production, Probot serves its
 * app-registration flow from `app.yml` instead.
 */
export async function startFactoryServer(options: FactoryServerOptions = {}): Promise<FactoryServer> {
  const env = options.env ?? process.env;
  if (hasGitHubCredentials(env)) checkGitHubCredentials(env);
  const gitlab = gitlabSettingsFromEnv(env);
  const clock = options.clock ?? systemClock;
  const observability = await startObservability(env, packageVersion());
  const rootLog = await serverLog(env, { destination: options.logDestination, audit: observability.telemetry.audit });
  const { tracing } = observability.telemetry;
  const runnerOptions = localRunnerOptionsFromEnv(env);
  const localRunner = (logger: Logger) => new LocalTaskRunner({ ...runnerOptions, logger, clock, tracing });
  const coordination = await connectCoordination(env, runnerOptions, rootLog as unknown as Logger, clock);
  // With Redis the local runner's queue is shared: a replica queues, whichever replica is free runs.
  const runnerFor = (logger: Logger) => options.runner ?? coordination?.runner ?? localRunner(logger);
  const cancellation = coordination?.cancellation ?? new TaskCancellation();
  const deliveries: DeliveryMemory =
    coordination?.deliveries ?? new RecentKeys({ capacity: 10_000, ttlMs: 24 * 60 * 60 * 1000, clock });
  const shared = coordination
    ? { coordination, localRunner: () => localRunner(rootLog as unknown as Logger) }
    : undefined;
  if (gitlab && !hasGitHubCredentials(env)) {
    if (shared) addGitLabForge(shared.coordination, gitlab);
    return startGitLabOnlyServer({
      env,
      settings: gitlab,
      clock,
      version: packageVersion(),
      runnerFor,
      cancellation,
      logger: rootLog as unknown as Logger,
      observability,
      deliveries,
      shared,
    });
  }
  let jobs: BackgroundJobs | null = null;
  let log = rootLog as unknown as Logger;
  const { observation } = observability;
  const appFn = async (app: Probot, { addHandler }: ApplicationFunctionOptions) => {
    const logger = app.log as unknown as Logger;
    log = logger;
    jobs = new BackgroundJobs(logger);
    const runner = runnerFor(logger);
    observeWebhookRequests(app, observability.observeRequest);
    const githubRunner = observability.runner(runner, "github");
    factoryGitHubApp({
      deliver: inBackground(jobs, { runner: githubRunner, clock, cancellation }, observation),
      deliveries,
    })(app);
    addHandler(
      healthHandler({
        version: packageVersion(),
        forges: { github: true, gitlab: gitlab !== null },
        redis: coordination ? () => coordination.ready : undefined,
      }),
    );
    for (const handler of observability.handlers) addHandler(handler);
    addHandler(
      gitlabRoute(gitlab, {
        jobs,
        runner: observability.runner(runner, "gitlab"),
        clock,
        logger,
        cancellation,
        observation,
        observeRequest: observability.forgeRequests("gitlab"),
        deliveries,
      }),
    );
    if (coordination) {
      coordination.addForge("github", githubOriginForge(app));
      if (gitlab) addGitLabForge(coordination, gitlab);
      coordination.startWorker(localRunner(logger), jobs);
    }
  };
  const { throttle, Octokit, probotEnv } = await githubClient(env, options.Octokit, observability, rootLog);
  const server = await run(appFn, { env: probotEnv, Octokit, log: rootLog });
  const backgroundJobs = jobs ?? new BackgroundJobs(log);
  // Without Redis there is one process, so it holds the sweep; a shared lease plugs into `lease`.
  const stopSweeps = startRedeliverSchedule({ env, logger: log, client: () => appClient(env, options.Octokit) });
  return {
    port: server.port,
    jobs: backgroundJobs,
    cancellation,
    logger: log,
    async stop(graceMs = shutdownGraceMs(env)) {
      stopSweeps?.();
      const stopAccepting = async () => {
        await server.stop();
        await coordination?.stopTaking();
      };
      await shutDown({ stopAccepting, jobs: backgroundJobs, cancellation, logger: log }, graceMs);
      await coordination?.close();
      throttle?.close();
      await observability.telemetry.shutdown();
    },
  };
}

/** With `REDIS_URL`: the shared queue, delivery memory and leases (docs/scaling.md); else null. */
async function connectCoordination(
  env: NodeJS.ProcessEnv,
  runnerOptions: ReturnType<typeof localRunnerOptionsFromEnv>,
  logger: Logger,
  clock: Clock,
): Promise<RedisCoordination | null> {
  if (!env.REDIS_URL) return null;
  const coordination = new RedisCoordination({
    url: env.REDIS_URL,
    logger,
    clock,
    maxTasks: runnerOptions.maxTasks,
    maxTasksPerRepo: runnerOptions.maxTasksPerRepo ?? 1,
    allowedCommands: runnerOptions.allowedCommands,
    lockMs: queueLockMs(env),
  });
  await coordination.connect();
  return coordination;
}

/** The Octokit class Probot builds its clients from: throttled through Redis when shared, observed for metrics. */
async function githubClient(
  env: NodeJS.ProcessEnv,
  given: typeof FactoryOctokit | undefined,
  observability: ServerObservability,
  rootLog: Awaited<ReturnType<typeof serverLog>>,
) {
  const throttle = env.REDIS_URL
    ? new ClusteredThrottle(env.REDIS_URL, (err) => rootLog.warn({ err: { message: err.message } }, "throttle"))
    : null;
  await throttle?.connect(5000);
  const githubRequests = observability.forgeRequests("github");
  const BaseOctokit = given ?? (throttle ? factoryOctokit(() => throttle.options()) : FactoryOctokit);
  // Probot would cluster the throttle through REDIS_URL itself, with limiters that never recover from
  // an emptied Redis; ClusteredThrottle does the same with ones that do.
  const probotEnv = throttle ? { ...env, REDIS_URL: undefined } : env;
  const Octokit = githubRequests ? withRequestObserver(BaseOctokit, githubRequests) : BaseOctokit;
  return { throttle, Octokit, probotEnv };
}

/**
 * Probot's webhook middleware answers deliveries before any handler added with `addHandler`
 * runs, so deliveries are observed by wrapping that middleware (the first handler of every request).
 */
function observeWebhookRequests(app: Probot, observe: ServerObservability["observeRequest"]): void {
  const original = app.getNodeMiddleware.bind(app);
  app.getNodeMiddleware = async (...args: Parameters<Probot["getNodeMiddleware"]>) => {
    const middleware = await original(...args);
    return (req: IncomingMessage, res: ServerResponse, next?: Parameters<typeof middleware>[2]) => {
      observe(req, res);
      return middleware(req, res, next);
    };
  };
}

/** Tasks queued by a GitLab delivery on any replica are run here with this server's GitLab token. */
export function addGitLabForge(coordination: RedisCoordination, settings: GitLabSettings): void {
  const api = createGitLabApi(settings);
  coordination.addForge("gitlab", gitlabOriginForge({ api, botUser: cachedBotUser(api) }));
}

/** SIGTERM (docker stop) and SIGINT: graceful shutdown, then exit. */
function exitOnSignals(server: FactoryServer): void {
  // Probot's run() exits on SIGINT as soon as HTTP stops, which would orphan running agents.
  process.removeAllListeners("SIGINT");
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, `${signal}: stopping factory-bot`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
}

if (isMainModule(import.meta.url)) {
  applyDotEnv();
  startFactoryServer().then(exitOnSignals, (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
