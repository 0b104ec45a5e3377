import type { Redis } from "ioredis";
import { TaskCancellation } from "../../core/cancellation.js";
import type { Logger } from "../../core/deps.js";
import { TaskHandedBack } from "../../core/errors.js";

const CHANNEL = "factory:stop";

/**
 * `/factory stop` may reach one replica while the task runs on another: the stop is published on
 * a Redis channel and every replica aborts the task if it runs there. On shutdown the tasks of
 * this replica are handed back to the shared queue instead of being marked failed.
 */
export class SharedCancellation extends TaskCancellation {
  constructor(
    private readonly publisher: Redis,
    subscriber: Redis,
    private readonly logger: Logger,
  ) {
    super();
    subscriber.subscribe(CHANNEL).catch((err: unknown) => logger.warn({ err }, "cannot listen for /factory stop"));
    subscriber.on("message", (channel: string, message: string) => {
      if (channel !== CHANNEL) return;
      try {
        const { key, reason } = JSON.parse(message) as { key: string; reason: string };
        super.cancel(key, reason);
      } catch {
        // not ours
      }
    });
  }

  override cancel(key: string, reason: string): boolean {
    const here = super.cancel(key, reason);
    this.publisher
      .publish(CHANNEL, JSON.stringify({ key, reason }))
      .catch((err: unknown) =>
        this.logger.error(
          { err: { message: (err as Error).message }, key },
          "Redis is unreachable: /factory stop reached only this replica",
        ),
      );
    return here;
  }

  override cancelAll(reason: string | Error): number {
    return super.cancelAll(reason instanceof Error ? reason : new TaskHandedBack(reason));
  }
}
