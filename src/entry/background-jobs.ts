import type { Logger } from "../core/deps.js";

/**
 * Work started by a webhook runs after the response. The tracker keeps the promises so errors are
 * logged (never unhandled), tests can wait for quiet, and shutdown can wait for running work.
 */
export class BackgroundJobs {
  readonly #running = new Set<Promise<void>>();
  readonly #tails = new Map<string, Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /**
   * Runs `work` in the background. Jobs with the same `key` run one after another (several
   * workflows finishing on one commit would otherwise race to write the same comment).
   */
  start(name: string, work: () => Promise<void>, logger: Logger = this.logger, key?: string): void {
    const previous = key ? (this.#tails.get(key) ?? Promise.resolve()) : Promise.resolve();
    const job = previous
      .then(work)
      .catch((err: unknown) => logger.error({ err, job: name }, `background job ${name} failed`))
      .finally(() => {
        this.#running.delete(job);
        if (key && this.#tails.get(key) === job) this.#tails.delete(key);
      });
    this.#running.add(job);
    if (key) this.#tails.set(key, job);
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves when no job is running, including jobs started by jobs. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
