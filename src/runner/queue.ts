interface Waiter {
  key: string | undefined;
  start(): void;
}

/**
 * Runs at most `limit` jobs at once, and at most `perKeyLimit` with the same key (one repository's
 * tasks, `FACTORY_MAX_TASKS_PER_REPO`); later jobs wait in arrival order, a job whose key is full
 * lets the ones behind it pass, and a job leaves the line when aborted.
 */
export class TaskQueue {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly runningByKey = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly perKeyLimit = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`TaskQueue limit must be a positive integer, got ${limit}`);
    if (perKeyLimit !== Number.POSITIVE_INFINITY && (!Number.isInteger(perKeyLimit) || perKeyLimit < 1))
      throw new Error(`TaskQueue per-key limit must be a positive integer, got ${perKeyLimit}`);
  }

  /** Jobs running now (for logs and tests). */
  get active(): number {
    return this.running;
  }

  /** Jobs waiting for a slot. */
  get pending(): number {
    return this.waiting.length;
  }

  async run<T>(job: () => Promise<T>, signal?: AbortSignal, key?: string): Promise<T> {
    await this.acquire(signal, key);
    try {
      return await job();
    } finally {
      this.release(key);
    }
  }

  private mayStart(key: string | undefined): boolean {
    return this.running < this.limit && (key === undefined || (this.runningByKey.get(key) ?? 0) < this.perKeyLimit);
  }

  private take(key: string | undefined): void {
    this.running += 1;
    if (key !== undefined) this.runningByKey.set(key, (this.runningByKey.get(key) ?? 0) + 1);
  }

  private acquire(signal: AbortSignal | undefined, key: string | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.waiting.length === 0 && this.mayStart(key)) {
      this.take(key);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        key,
        start: () => {
          signal?.removeEventListener("abort", leave);
          resolve();
        },
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", leave, { once: true });
      this.waiting.push(waiter);
      this.startWaiting();
    });
  }

  private release(key: string | undefined): void {
    this.running -= 1;
    if (key !== undefined) {
      const left = (this.runningByKey.get(key) ?? 1) - 1;
      if (left === 0) this.runningByKey.delete(key);
      else this.runningByKey.set(key, left);
    }
    this.startWaiting();
  }

  /** Starts waiting jobs in arrival order while slots are free, skipping those whose key is full. */
  private startWaiting(): void {
    for (let i = 0; i < this.waiting.length && this.running < this.limit;) {
      const waiter = this.waiting[i]!;
      if (!this.mayStart(waiter.key)) {
        i += 1;
        continue;
      }
      this.waiting.splice(i, 1);
      this.take(waiter.key);
      waiter.start();
    }
  }
}
