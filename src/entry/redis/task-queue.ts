import { createHash } from "node:crypto";
import { DelayedError, Queue, WaitingError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../../core/deps.js";
import { TaskHandedBack } from "../../core/errors.js";
import type { TaskOrigin, TaskRunner, TaskRunResult, TaskSpec } from "../../core/task-runner.js";
import type { RedisLeases, LeaseSlot } from "./leases.js";

/** A queued task as data: any replica re-creates it from this (JSON in Redis). */
export interface QueuedTaskData {
  origin: TaskOrigin;
  task: TaskSpec;
}

export const TASK_QUEUE_NAME = "factory-tasks";

/**
 * The local runner's queue shared through Redis (BullMQ). Replaces the in-memory queue behind the
 * same `TaskRunner` interface: `run` accepts the task and answers `queued`; the replica whose
 * worker takes it runs it and publishes the result. Refusals (allow-list) are still answered
 * at once by the replica that received the delivery.
 */
export class QueueingTaskRunner implements TaskRunner {
  constructor(
    private readonly queue: Queue<QueuedTaskData>,
    private readonly refuse: (task: TaskSpec) => string | null,
  ) {}

  async run(task: TaskSpec, ctx: { origin?: TaskOrigin }): Promise<TaskRunResult> {
    const refusal = this.refuse(task);
    if (refusal !== null) return { kind: "refused", message: refusal };
    if (!ctx.origin) throw new Error("a task reached the shared queue without its origin");
    try {
      // One job per delivery and attempt: a delivery handled twice queues it once.
      await this.queue.add(
        "task",
        { origin: ctx.origin, task },
        { jobId: jobIdOf(ctx.origin, task), removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } },
      );
    } catch (err) {
      throw new Error(
        `the shared task queue (Redis, \`REDIS_URL\`) is unreachable (${(err as Error).message}), so the task could not be queued. Comment \`/factory retry\` once Redis is back.`,
        { cause: err },
      );
    }
    return { kind: "queued" };
  }
}

function jobIdOf(origin: TaskOrigin, task: TaskSpec): string {
  const key = `${origin.forge}\n${task.repoFullName}\n${task.issue.number}\n${task.attempt}\n${origin.deliveryId}`;
  // BullMQ job ids may not contain ':'; a hash keeps them short and safe.
  return createHash("sha256").update(key).digest("hex").slice(0, 32);
}

export interface TaskWorkerOptions {
  connection: Redis;
  leases: RedisLeases;
  logger: Logger;
  /** Tasks this replica runs at once (`FACTORY_MAX_TASKS`). */
  concurrency: number;
  /** Tasks of one repository at once across replicas (`FACTORY_MAX_TASKS_PER_REPO`). */
  perRepo: number;
  /** How long a dead replica holds a job and its leases (`FACTORY_QUEUE_LOCK_SECONDS`). */
  lockMs: number;
  /** How long a task waits before trying again when its repository or issue is busy. */
  retryMs: number;
  /** Runs the task here; throws `TaskHandedBack` when this replica shuts down mid-run. */
  execute(data: QueuedTaskData, logger: Logger): Promise<void>;
}

/** Redis keys of the leases a task needs: its issue (one run at once) and its repository's slots. */
export function leaseSlots(data: QueuedTaskData, perRepo: number): LeaseSlot[] {
  const repo = `${data.origin.forge}:${data.task.repoFullName}`;
  return [
    { key: `factory:lease:issue:${repo}#${data.task.issue.number}`, limit: 1 },
    { key: `factory:lease:repo:${repo}`, limit: perRepo },
  ];
}

/**
 * The worker: at most `concurrency` tasks on this replica; a task whose issue or repository is
 * busy elsewhere goes back to the delayed set and is tried again. A replica killed mid-task stops
 * renewing its BullMQ lock and its leases: BullMQ's stalled-job check gives the job to another
 * replica, and the leases expire, both after `lockMs`.
 */
export function startTaskWorker(options: TaskWorkerOptions): Worker<QueuedTaskData> {
  const { leases, logger, lockMs } = options;
  const process = async (job: Job<QueuedTaskData>, token?: string) => {
    const slots = leaseSlots(job.data, options.perRepo);
    const holder = job.id ?? "";
    const log = logger.child({
      forge: job.data.origin.forge,
      repo: job.data.task.repoFullName,
      issue: job.data.task.issue.number,
      deliveryId: job.data.origin.deliveryId,
      job: job.id,
    });
    if (!(await leases.acquire(slots, holder))) {
      log.debug({}, "the issue or repository is busy; the task waits");
      await job.moveToDelayed(Date.now() + options.retryMs, token);
      throw new DelayedError();
    }
    const renew = setInterval(() => {
      leases.acquire(slots, holder).catch((err: unknown) => log.warn({ err }, "could not renew the task's lease"));
    }, lockMs / 3);
    try {
      await options.execute(job.data, log);
    } catch (err) {
      if (!(err instanceof TaskHandedBack)) throw err;
      log.info({}, "shutting down: the task goes back to the shared queue");
      await job.moveToWait(token);
      throw new WaitingError();
    } finally {
      clearInterval(renew);
      await leases.release(slots, holder).catch(() => {});
    }
  };
  const worker = new Worker<QueuedTaskData>(TASK_QUEUE_NAME, process, {
    connection: options.connection,
    concurrency: options.concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(1000, Math.floor(lockMs / 2)),
    maxStalledCount: 3,
    autorun: true,
  });
  worker.on("failed", (job, err) =>
    logger.error({ err, job: job?.id, issue: job?.data.task.issue.number }, "queued task failed"),
  );
  worker.on("error", (err) => logger.warn({ err: { message: err.message } }, "task queue worker error"));
  return worker;
}
