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
 * Stop accepting webhooks, let running work finish up to `graceMs`, then abort what is left: an
 * aborted task marks itself failed with a `/factory retry` hint before the process exits.
 */
export async function shutDown(parts: ShutdownParts, graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
  await parts.stopAccepting();
  if (await settlesWithin(parts.jobs.drain(), graceMs)) return;
  const aborted = parts.cancellation.cancelAll("the server shut down");
  parts.logger.warn(
    { aborted, running: parts.jobs.size },
    "shutting down with work still running; aborted tasks are marked failed",
  );
  await settlesWithin(parts.jobs.drain(), AFTER_CANCEL_MS);
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
