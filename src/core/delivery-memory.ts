/**
 * Which deliveries were already accepted, so a redelivery (GitHub's "Redeliver", GitLab's resend
 * with the same `Idempotency-Key`) starts nothing twice. One process keeps it in memory; with
 * `REDIS_URL` every replica shares it.
 */
export interface DeliveryMemory {
  /** True the first time `key` is seen (and remembers it); false for a delivery already accepted. */
  firstTime(key: string): Promise<boolean>;
}
