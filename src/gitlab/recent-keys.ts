import type { Clock } from "../core/deps.js";
import type { DeliveryMemory } from "../core/delivery-memory.js";

export interface RecentKeysOptions {
  /** Most keys remembered; the least recently seen is forgotten first. */
  capacity: number;
  /** How long a key is remembered after it was first seen. */
  ttlMs: number;
  clock: Clock;
}

/**
 * A bounded memory of delivery keys (GitLab's `Idempotency-Key`, GitHub's delivery id), to drop
 * redeliveries in one process; with `REDIS_URL` the replicas share one in Redis instead
 * (docs/scaling.md). Handlers are idempotent on their own; this only saves repeated work.
 */
export class RecentKeys implements DeliveryMemory {
  readonly #firstSeen = new Map<string, number>();

  constructor(private readonly options: RecentKeysOptions) {}

  /** True when `key` was remembered less than the TTL ago; counts as a use for the LRU order. */
  has(key: string): boolean {
    const firstSeen = this.#firstSeen.get(key);
    if (firstSeen === undefined) return false;
    this.#firstSeen.delete(key);
    if (this.expired(firstSeen)) return false;
    this.#firstSeen.set(key, firstSeen); // re-inserted: now the most recently used
    return true;
  }

  remember(key: string): void {
    if (this.has(key)) return;
    this.#firstSeen.set(key, this.options.clock.now().getTime());
    this.evict();
  }

  async firstTime(key: string): Promise<boolean> {
    if (this.has(key)) return false;
    this.remember(key);
    return true;
  }

  async forget(key: string): Promise<void> {
    this.#firstSeen.delete(key);
  }

  get size(): number {
    return this.#firstSeen.size;
  }

  private expired(firstSeen: number): boolean {
    return this.options.clock.now().getTime() - firstSeen >= this.options.ttlMs;
  }

  /** Drops the least recently used keys beyond capacity, and expired ones at the old end. */
  private evict(): void {
    for (const [key, firstSeen] of this.#firstSeen) {
      if (this.#firstSeen.size <= this.options.capacity && !this.expired(firstSeen)) break;
      this.#firstSeen.delete(key);
    }
  }
}
