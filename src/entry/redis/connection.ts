import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../../core/deps.js";

/**
 * One client per use, as BullMQ requires: a worker blocks on its connection, and a producer must
 * fail fast rather than wait while Redis is away (https://docs.bullmq.io/guide/going-to-production).
 */
export function redisClient(url: string, role: "worker" | "producer" | "subscriber"): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    // Reconnect for ever, at most every 2 s: Redis coming back must be noticed without a restart.
    retryStrategy: (times) => Math.min(times * 200, 2000),
    enableOfflineQueue: role !== "producer",
    lazyConnect: false,
  };
  return new Redis(url, options);
}

/** Whether Redis answers, from the producer client's events; each change is one log line. */
export class RedisStatus {
  #ready = false;
  #since = Date.now();

  constructor(client: Redis, logger: Logger) {
    client.on("ready", () => {
      if (!this.#ready) logger.info({ redis: true }, "Redis is reachable: tasks are queued and shared by all replicas");
      this.#ready = true;
      this.#since = Date.now();
    });
    const down = (err?: Error) => {
      if (this.#ready || Date.now() - this.#since > 60_000) {
        logger.error(
          { redis: false, err: err ? { message: err.message } : undefined },
          "Redis is unreachable: webhooks are still answered, but tasks cannot be queued until it is back (GET /healthz shows redis: false)",
        );
        this.#since = Date.now();
      }
      this.#ready = false;
    };
    client.on("error", (err: Error) => down(err));
    client.on("close", () => down());
  }

  get ready(): boolean {
    return this.#ready;
  }
}

/** Resolves once the client is ready, or after `ms` (a server starts even while Redis is away). */
export function readyWithin(client: Redis, ms: number): Promise<boolean> {
  if (client.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    client.once("ready", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
