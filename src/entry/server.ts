import { run, type Probot, type ApplicationFunctionOptions } from "probot";
import { getPrivateKey } from "@probot/get-private-key";
import { BackgroundJobs, inBackground } from "./background-jobs.js";
import { systemClock, type Clock, type Logger } from "../core/deps.js";
import type { TaskRunner } from "../core/task-runner.js";
import { factoryGitHubApp } from "../github/app.js";
import { FactoryOctokit } from "../github/octokit.js";
import { guardWebhookPayloads } from "../github/webhook-guard.js";
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
  /** Graceful: stop accepting, let work finish up to `graceMs`, abort the rest (marked failed). */
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
  const runnerFor = (logger: Logger) =>
    options.runner ?? new LocalTaskRunner({ ...localRunnerOptionsFromEnv(env), logger, clock });
  const cancellation = new TaskCancellation();
  if (gitlab && !hasGitHubCredentials(env)) {
    return startGitLabOnlyServer({
      env,
      settings: gitlab,
      clock,
      version: packageVersion(),
      runnerFor,
      cancellation,
      logDestination: options.logDestination,
    });
  }
  let jobs: BackgroundJobs | null = null;
  let log: Logger = console as unknown as Logger;
  const appFn = async (app: Probot, { addHandler }: ApplicationFunctionOptions) => {
    const logger = app.log as unknown as Logger;
    log = logger;
    jobs = new BackgroundJobs(logger);
    const runner = runnerFor(logger);
    guardWebhookPayloads(app.webhooks, env.WEBHOOK_SECRET ?? "");
    factoryGitHubApp({ deliver: inBackground(jobs, { runner, clock, cancellation }) })(app);
    addHandler(healthHandler({ version: packageVersion(), forges: { github: true, gitlab: gitlab !== null } }));
    addHandler(gitlabRoute(gitlab, { jobs, runner, clock, logger, cancellation }));
  };
  const server = await run(appFn, {
    env,
    Octokit: options.Octokit ?? FactoryOctokit,
    log: await serverLog(env, options.logDestination),
  });
  const backgroundJobs = jobs ?? new BackgroundJobs(log);
  // Without Redis there is one process, so it holds the sweep; a shared lease plugs into `lease`.
  const stopSweeps = startRedeliverSchedule({ env, logger: log, client: () => appClient(env, options.Octokit) });
  return {
    port: server.port,
    jobs: backgroundJobs,
    cancellation,
    stop: (graceMs = shutdownGraceMs(env)) => {
      stopSweeps?.();
      return shutDown({ stopAccepting: () => server.stop(), jobs: backgroundJobs, cancellation, logger: log }, graceMs);
    },
  };
}

/** SIGTERM (docker stop) and SIGINT: graceful shutdown, then exit. */
function exitOnSignals(server: FactoryServer): void {
  // Probot's run() exits on SIGINT as soon as HTTP stops, which would orphan running agents.
  process.removeAllListeners("SIGINT");
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.info(`${signal}: stopping factory-bot`);
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
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
