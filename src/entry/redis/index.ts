import { Queue, type Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Clock, Logger } from "../../core/deps.js";
import type { Forge } from "../../core/forge.js";
import { handleQueuedTask } from "../../core/handlers/queued-task.js";
import type { BackgroundJobs } from "../background-jobs.js";
import type { TaskOrigin } from "../../core/task-runner.js";
import type { LocalTaskRunner } from "../../runner/local-runner.js";
import { localRunnerRefusal } from "../../runner/allowlist.js";
import { SharedCancellation } from "./cancellation.js";
import { readyWithin, redisClient, RedisStatus } from "./connection.js";
import { RedisDeliveries } from "./deliveries.js";
import { RedisLeases } from "./leases.js";
import { QueueingTaskRunner, startTaskWorker, TASK_QUEUE_NAME, type QueuedTaskData } from "./task-queue.js";

export type OriginForge = (origin: TaskOrigin, logger: Logger) => Promise<Forge>;

export interface RedisCoordinationOptions {
  url: string;
  logger: Logger;
  clock: Clock;
  maxTasks: number;
  maxTasksPerRepo: number;
  allowedCommands: RegExp[] | null;
  /** `FACTORY_QUEUE_LOCK_SECONDS`: how soon a dead replica's task is taken over (default 30 s). */
  lockMs: number;
}

const DEFAULT_LOCK_SECONDS = 30;

/** `FACTORY_QUEUE_LOCK_SECONDS`, a whole number of seconds ≥ 1. */
export function queueLockMs(env: NodeJS.ProcessEnv): number {
  const raw = env.FACTORY_QUEUE_LOCK_SECONDS?.trim();
  if (!raw) return DEFAULT_LOCK_SECONDS * 1000;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1)
    throw new Error(`FACTORY_QUEUE_LOCK_SECONDS must be a positive whole number of seconds, got "${raw}".`);
  return Number(raw) * 1000;
}

/**
 * What replicas share when `REDIS_URL` is set: delivery ids, the local runner's queue (BullMQ),
 * the leases per issue and per repository, and `/factory stop`. Probot's throttling shares the
 * same Redis on its own (it reads `REDIS_URL` too).
 */
export class RedisCoordination {
  readonly deliveries: RedisDeliveries;
  readonly cancellation: SharedCancellation;
  readonly runner: QueueingTaskRunner;
  readonly #producer: Redis;
  readonly #subscriber: Redis;
  readonly #workerConnection: Redis;
  readonly #status: RedisStatus;
  readonly #queue: Queue<QueuedTaskData>;
  readonly #forges = new Map<TaskOrigin["forge"], OriginForge>();
  #worker: Worker<QueuedTaskData> | null = null;

  constructor(private readonly options: RedisCoordinationOptions) {
    const { url, logger } = options;
    this.#producer = redisClient(url, "producer");
    this.#subscriber = redisClient(url, "subscriber");
    this.#workerConnection = redisClient(url, "worker");
    for (const client of [this.#subscriber, this.#workerConnection]) client.on("error", () => {}); // reported once, by #status
    this.#status = new RedisStatus(this.#producer, logger);
    this.deliveries = new RedisDeliveries(this.#producer, logger);
    this.cancellation = new SharedCancellation(this.#producer, this.#subscriber, logger);
    this.#queue = new Queue<QueuedTaskData>(TASK_QUEUE_NAME, { connection: this.#producer });
    this.#queue.on("error", () => {}); // reported by #status
    this.runner = new QueueingTaskRunner(this.#queue, (task) =>
      localRunnerRefusal(task.config, options.allowedCommands),
    );
  }

  /** Waits a little for Redis at start; a server whose Redis is away still starts and reports it. */
  async connect(): Promise<void> {
    if (!(await readyWithin(this.#producer, 5000)))
      this.options.logger.error({ redis: false }, "Redis is not reachable yet: tasks cannot be queued until it is");
  }

  /** How this replica reaches a forge for tasks queued by any replica. */
  addForge(kind: TaskOrigin["forge"], forge: OriginForge): void {
    this.#forges.set(kind, forge);
  }

  /** Starts taking tasks; each runs as one of `jobs`, so shutdown waits for it like any other work. */
  startWorker(local: LocalTaskRunner, jobs: BackgroundJobs): void {
    const { logger, clock, lockMs } = this.options;
    this.#worker = startTaskWorker({
      connection: this.#workerConnection,
      leases: new RedisLeases(this.#producer, lockMs),
      logger,
      concurrency: this.options.maxTasks,
      perRepo: this.options.maxTasksPerRepo,
      lockMs,
      retryMs: Math.min(5000, Math.max(250, Math.floor(lockMs / 4))),
      execute: (data, log) =>
        tracked(jobs, log, async () => {
          const originForge = this.#forges.get(data.origin.forge);
          if (!originForge) throw new Error(`this replica has no ${data.origin.forge} credentials for a queued task`);
          const forge = await originForge(data.origin, log);
          await handleQueuedTask(data.task, {
            forge,
            runner: { run: (task, ctx) => local.runNow(task, ctx) },
            logger: log,
            clock,
            cancellation: this.cancellation,
          });
        }),
    });
  }

  /** For `GET /healthz`: whether Redis answers. */
  get ready(): boolean {
    return this.#status.ready;
  }

  /** Tasks waiting in the shared queue (all replicas). */
  async depth(): Promise<number> {
    return this.#queue.count();
  }

  /** Shutdown: take no new task; running ones go on (and are handed back if they outlast the grace). */
  async stopTaking(): Promise<void> {
    await this.#worker?.pause(true).catch(() => {});
  }

  /** After shutdown handed running tasks back: closes the worker and the connections. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    await worker?.close(true).catch(() => {});
    await this.#queue.close().catch(() => {});
    for (const client of [this.#subscriber, this.#workerConnection, this.#producer]) client.disconnect();
  }
}

/** Runs `work` as a background job and settles with it. */
function tracked(jobs: BackgroundJobs, logger: Logger, work: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    jobs.start(
      "queued-task",
      () =>
        work().then(resolve, (err: unknown) => {
          reject(err instanceof Error ? err : new Error(String(err)));
        }),
      logger,
    );
  });
}
