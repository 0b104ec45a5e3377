import Bottleneck from "bottleneck";
import { Redis } from "ioredis";

interface Groups {
  global: Bottleneck.Group;
  auth: Bottleneck.Group;
  search: Bottleneck.Group;
  write: Bottleneck.Group;
  notifications: Bottleneck.Group;
}

/**
 * Probot clusters plugin-throttling's limiters through `REDIS_URL`, but its limiters register
 * themselves in Redis once: after Redis restarts empty every request fails with
 * `SETTINGS_KEY_NOT_FOUND` / `UNKNOWN_CLIENT` until the process restarts. These are the same
 * limiters (ids and limits of plugin-throttling's `createGroups`,
 * https://github.com/octokit/plugin-throttling.js/blob/main/src/index.ts), made anew whenever the
 * Redis connection comes back, so Octokit instances created from then on work again.
 */
export class ClusteredThrottle {
  #current: { groups: Groups; client: Redis; connection: Bottleneck.IORedisConnection } | null = null;
  #local: Groups | null = null;

  constructor(
    private readonly url: string,
    private readonly onError: (err: Error) => void,
  ) {}

  /**
   * plugin-throttling options: its `state` takes these groups instead of its module-wide ones.
   * While Redis is away, this process' own limiters: the forge stays reachable (deliveries are
   * handled, and what needs Redis says so) instead of every request waiting for Redis.
   */
  options(): Groups | (Groups & { connection: Bottleneck.IORedisConnection }) {
    this.#current ??= this.create();
    if (this.#current.client.status !== "ready") return (this.#local ??= makeGroups({}));
    return { ...this.#current.groups, connection: this.#current.connection };
  }

  /** Waits up to `ms` for Redis, so the first Octokit instances share limits. */
  async connect(ms: number): Promise<void> {
    this.#current ??= this.create();
    const { client } = this.#current;
    if (client.status === "ready") return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      client.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    const current = this.#current;
    this.#current = null;
    current?.client.disconnect();
  }

  private create() {
    const client = new Redis(this.url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 200, 2000) });
    let readies = 0;
    client.on("ready", () => {
      // A reconnection: Redis may have come back empty, so the next Octokit gets fresh limiters.
      if (++readies > 1 && this.#current?.client === client) {
        this.#current = null;
        client.disconnect();
        this.#current = this.create();
      }
    });
    client.on("error", () => {}); // Redis being away is reported once by the server (GET /healthz)
    const connection = new Bottleneck.IORedisConnection({ client });
    connection.on("error", (err: Error) => this.onError(err));
    return { groups: makeGroups({ connection, timeout: 2 * 60 * 1000 }), client, connection };
  }
}

function makeGroups(common: Bottleneck.ConstructorOptions): Groups {
  return {
    global: new Bottleneck.Group({ id: "octokit-global", maxConcurrent: 10, ...common }),
    auth: new Bottleneck.Group({ id: "octokit-auth", maxConcurrent: 1, ...common }),
    search: new Bottleneck.Group({ id: "octokit-search", maxConcurrent: 1, minTime: 2000, ...common }),
    write: new Bottleneck.Group({ id: "octokit-write", maxConcurrent: 1, minTime: 1000, ...common }),
    notifications: new Bottleneck.Group({ id: "octokit-notifications", maxConcurrent: 1, minTime: 3000, ...common }),
  };
}
