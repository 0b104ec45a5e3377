import type { Redis } from "ioredis";

/**
 * Takes one slot in every sorted set named by KEYS (ARGV: member, ttl ms, then one limit per key)
 * or none: a slot is a member whose score is its expiry, so a replica that dies frees its slots
 * when they expire. Taking a slot already held renews it. Redis' own clock, so replicas' clocks
 * do not matter.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if not redis.call('ZSCORE', key, ARGV[1]) and redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then
    return 0
  end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + ttl, ARGV[1])
  redis.call('PEXPIRE', key, ttl)
end
return 1
`;

export interface LeaseSlot {
  key: string;
  limit: number;
}

/**
 * Counting leases in Redis (a semaphore per repository, a lease per issue). BullMQ's own groups,
 * which would limit a repository's jobs, are in BullMQ Pro only.
 */
export class RedisLeases {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
  ) {}

  async acquire(slots: LeaseSlot[], holder: string): Promise<boolean> {
    const keys = slots.map((s) => s.key);
    const limits = slots.map((s) => String(s.limit));
    const taken = await this.redis.eval(ACQUIRE, keys.length, ...keys, holder, String(this.ttlMs), ...limits);
    return taken === 1;
  }

  async release(slots: LeaseSlot[], holder: string): Promise<void> {
    const multi = this.redis.multi();
    for (const slot of slots) multi.zrem(slot.key, holder);
    await multi.exec();
  }

  /** Holders of one key's live slots (tests, logs). */
  async holders(key: string): Promise<string[]> {
    const now = Date.now();
    return this.redis.zrangebyscore(key, now, "+inf");
  }
}
