import { Redis } from "ioredis";
import { RedisDeliveries } from "../../../src/entry/redis/deliveries.js";
import { RedisLeases } from "../../../src/entry/redis/leases.js";
import { recordingLogger } from "../../helpers/logger.js";
import { RedisServer } from "../../helpers/redis-server.js";

describe("Redis leases and delivery memory (real redis-server)", () => {
  const server = new RedisServer();
  let redis: Redis;

  beforeAll(async () => {
    await server.start();
    redis = new Redis(server.url);
  });

  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });

  it("gives a repository at most `limit` holders and an issue one, all or nothing", async () => {
    const leases = new RedisLeases(redis, 60_000);
    const slots = (issue: number) => [
      { key: `t:issue:${issue}`, limit: 1 },
      { key: "t:repo", limit: 2 },
    ];
    expect(await leases.acquire(slots(1), "job-a")).toBe(true);
    expect(await leases.acquire(slots(1), "job-b")).toBe(false); // same issue
    expect(await leases.acquire(slots(2), "job-c")).toBe(true);
    expect(await leases.acquire(slots(3), "job-d")).toBe(false); // repository full
    expect(await leases.holders("t:issue:3")).toEqual([]); // refused means nothing taken
    expect(await leases.acquire(slots(1), "job-a")).toBe(true); // renewal
    await leases.release(slots(1), "job-a");
    expect(await leases.acquire(slots(3), "job-d")).toBe(true);
  });

  it("frees the slots of a holder that stopped renewing them", async () => {
    const leases = new RedisLeases(redis, 200);
    const slots = [{ key: "t2:repo", limit: 1 }];
    expect(await leases.acquire(slots, "dead")).toBe(true);
    expect(await leases.acquire(slots, "alive")).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await leases.acquire(slots, "alive")).toBe(true);
  });

  it("recognizes a delivery seen by another replica, and forgets it after the TTL", async () => {
    const other = new Redis(server.url);
    const logger = recordingLogger();
    const mine = new RedisDeliveries(redis, logger, 1);
    const theirs = new RedisDeliveries(other, logger, 1);
    expect(await mine.firstTime("github:issues:d1")).toBe(true);
    expect(await theirs.firstTime("github:issues:d1")).toBe(false);
    expect(await redis.ttl("factory:delivery:github:issues:d1")).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await theirs.firstTime("github:issues:d1")).toBe(true);
    other.disconnect();
  });

  it("counts a delivery as new, and says so, when Redis is away", async () => {
    const away = new Redis("redis://127.0.0.1:1", {
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    const logger = recordingLogger();
    expect(await new RedisDeliveries(away, logger).firstTime("gitlab:key-1")).toBe(true);
    expect(logger.lines.some((l) => l.msg?.includes("Redis is unreachable"))).toBe(true);
    away.disconnect();
  });
});
