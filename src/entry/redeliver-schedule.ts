import type { Logger } from "../core/deps.js";
import { redeliverFailed, type AppClient } from "./cli/redeliver.js";

export interface RedeliverScheduleDeps {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  client(): Promise<AppClient>;
  /**
   * True when this replica may run the sweep now. One process: always. Several replicas share a
   * lease (Redis) so that one of them sweeps; that lease plugs in here.
   */
  lease?(): Promise<boolean>;
  now?(): Date;
  every?(ms: number, run: () => void): () => void;
}

/** `FACTORY_REDELIVER_MINUTES` as milliseconds, or null when off (unset, 0, not a number). */
export function redeliverIntervalMs(env: NodeJS.ProcessEnv): number | null {
  const minutes = Number(env.FACTORY_REDELIVER_MINUTES);
  return Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : null;
}

const defaultEvery = (ms: number, run: () => void) => {
  const timer = setInterval(run, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * Runs `factory-bot redeliver` every `FACTORY_REDELIVER_MINUTES`, looking back two intervals (at
 * least an hour) so a sweep that failed is covered by the next. Returns the function that stops it.
 */
export function startRedeliverSchedule(deps: RedeliverScheduleDeps): (() => void) | null {
  const interval = redeliverIntervalMs(deps.env);
  if (interval === null) return null;
  const lookBack = Math.max(2 * interval, 3_600_000);
  let running = false;
  const sweep = async () => {
    if (running || !(await (deps.lease?.() ?? Promise.resolve(true)))) return;
    running = true;
    try {
      const since = new Date((deps.now?.() ?? new Date()).getTime() - lookBack);
      const result = await redeliverFailed(await deps.client(), { since, dryRun: false });
      deps.logger.info(
        {
          considered: result.considered,
          redelivered: result.redelivered.map((d) => d.guid),
          errors: result.errors.map((e) => `${e.delivery.guid}: ${e.message}`),
        },
        "redelivery sweep",
      );
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, "redelivery sweep failed; the next one retries");
    } finally {
      running = false;
    }
  };
  return (deps.every ?? defaultEvery)(interval, () => void sweep());
}
