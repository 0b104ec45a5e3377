import type { Redis } from "ioredis";
import type { Logger } from "../../core/deps.js";
import type { DeliveryMemory } from "../../core/delivery-memory.js";

/** A day covers GitHub's and GitLab's manual redeliveries. */
export const DELIVERY_MEMORY_SECONDS = 24 * 60 * 60;

/**
 * Delivery ids shared by every replica: `SET NX EX` answers "first time?" atomically, so two
 * replicas receiving one delivery at once agree which of them does the work. When Redis is away
 * a delivery counts as new: the handlers are idempotent, and the work is not dropped.
 */
export class RedisDeliveries implements DeliveryMemory {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly ttlSeconds = DELIVERY_MEMORY_SECONDS,
    private readonly prefix = "factory:delivery:",
  ) {}

  async firstTime(key: string): Promise<boolean> {
    try {
      return (await this.redis.set(this.prefix + key, "1", "EX", this.ttlSeconds, "NX")) === "OK";
    } catch (err) {
      this.logger.warn(
        { err: { message: (err as Error).message }, delivery: key },
        "Redis is unreachable: this delivery is handled without checking for redeliveries",
      );
      return true;
    }
  }

  async forget(key: string): Promise<void> {
    try {
      await this.redis.del(this.prefix + key);
    } catch (err) {
      // Kept until its TTL: a redelivery within it is dropped, the same as before the work ended.
      this.logger.warn({ err: { message: (err as Error).message }, delivery: key }, "could not forget a delivery id");
    }
  }
}
