/**
 * Which deliveries were accepted, so a duplicate starts nothing twice. GitHub delivery ids are
 * remembered while their work runs (two replicas receiving one delivery); GitLab's
 * `Idempotency-Key` for the TTL, since GitLab resends only what it saw fail. One process keeps it
 * in memory; with `REDIS_URL` every replica shares it.
 */
export interface DeliveryMemory {
  /** True the first time `key` is seen (and remembers it); false for a delivery already accepted. */
  firstTime(key: string): Promise<boolean>;
  /**
   * Forgets `key` once the delivery's work has finished: from then on the forge-side task record
   * decides (idempotent handlers), so a redelivery can finish what a failure cut short
   * (`factory-bot redeliver`, docs/reliability.md).
   */
  forget(key: string): Promise<void>;
}
