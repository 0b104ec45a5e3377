import Bottleneck from "bottleneck";
import { Redis } from "ioredis";

type GroupName = "global" | "auth" | "search" | "write" | "notifications";
type Groups = Record<GroupName, Bottleneck.Group>;
/** What plugin-throttling calls on a group: `group.key(id).schedule(...)`. */
type KeyedGroup = Pick<Bottleneck.Group, "key">;

const NAMES: GroupName[] = ["global", "auth", "search", "write", "notifications"];

/**
 * Probot clusters plugin-throttling's limiters through `REDIS_URL`, but its limiters register
 * themselves in Redis once: after Redis restarts empty every request fails with
 * `SETTINGS_KEY_NOT_FOUND` / `UNKNOWN_CLIENT` until the process restarts, and while Redis is away
 * every request waits for it. These are the same limiters (ids and limits of plugin-throttling's
 * `createGroups`, https://github.com/octokit/plugin-throttling.js/blob/main/src/index.ts) behind
 * a switch: the shared ones while Redis answers, made anew each time the connection comes back,
 * and this process' own while it is away, so the forge stays reachable.
 */
export class ClusteredThrottle {
  #current: { groups: Groups; client: Redis } | null = null;
  readonly #local = makeGroups({});
  readonly #switching: Record<GroupName, KeyedGroup>;

  constructor(
    private readonly url: string,
    private readonly onError: (err: Error) => void,
  ) {
    const pick = (name: GroupName) => {
      this.#current ??= this.create();
      return this.#current.client.status === "ready" ? this.#current.groups[name] : this.#local[name];
    };
    this.#switching = Object.fromEntries(
      NAMES.map((name) => [name, { key: (id = "") => pick(name).key(id) }]),
    ) as Record<GroupName, KeyedGroup>;
  }

  /** plugin-throttling options: its `state` takes these groups instead of its module-wide ones. */
  options(): Record<GroupName, KeyedGroup> & { clustering: true } {
    return { ...this.#switching, clustering: true };
  }

  /** Waits up to `ms` for Redis, so the first requests already share limits. */
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
      // A reconnection: Redis may have come back empty, so the limiters register anew.
      if (++readies > 1 && this.#current?.client === client) {
        this.#current = null;
        client.disconnect();
        this.#current = this.create();
      }
    });
    client.on("error", () => {}); // Redis being away is reported once by the server (GET /healthz)
    const connection = new Bottleneck.IORedisConnection({ client });
    connection.on("error", (err: Error) => this.onError(err));
    return { groups: makeGroups({ connection, timeout: 2 * 60 * 1000 }), client };
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
