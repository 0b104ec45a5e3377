import type { TaskCancellation } from "../core/cancellation.js";
import type { Logger } from "../core/deps.js";
import type { BackgroundJobs } from "./background-jobs.js";

export interface ShutdownParts {
  /** Stops accepting webhooks (closes the listener). */
  stopAccepting(): Promise<void>;
  jobs: BackgroundJobs;
  cancellation: TaskCancellation;
  logger: Logger;
}

/** Docker's `docker stop` waits 10 s before SIGKILL; leave room to mark unfinished tasks. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 8_000;
const AFTER_CANCEL_MS = 2_000;

/**
 * Stop accepting webhooks; tasks still waiting for a runner will not start before the process
 * ends, so they are aborted at once and mark themselves interrupted (in parallel, a few at a time)
 * while running work gets up to `graceMs` to finish. Then what still runs is aborted and marks
 * itself failed, with a `/factory retry` hint. A task already publishing is not aborted: it ends
 * with its pull request. The last log line counts what was left unfinished.
 */
export async function shutDown(parts: ShutdownParts, graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
  await parts.stopAccepting();
  const queued = parts.cancellation.cancelQueued("the server shut down before the task started");
  if (queued > 0) parts.logger.info({ queued }, "shutting down: tasks that had not started are marked interrupted");
  if (await settlesWithin(parts.jobs.drain(), graceMs)) return;
  const aborted = parts.cancellation.cancelAll("the server shut down");
  parts.logger.warn({ aborted, running: parts.jobs.size }, "shutting down with work still running; aborting it");
  if (await settlesWithin(parts.jobs.drain(), AFTER_CANCEL_MS)) return;
  parts.logger.warn(
    { unfinished: parts.jobs.size },
    "shutting down before every task was marked; unmarked ones say queued, or are marked interrupted later",
  );
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `FACTORY_SHUTDOWN_SECONDS`, else the default that fits Docker's stop timeout. */
export function shutdownGraceMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.FACTORY_SHUTDOWN_SECONDS);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_SHUTDOWN_GRACE_MS;
}
