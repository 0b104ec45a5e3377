import type { Logger } from "./deps.js";

/**
 * Work started by a webhook runs after the response. The tracker keeps the promises so errors are
 * logged (never unhandled), tests can wait for quiet, and shutdown can wait for running work.
 */
export class BackgroundJobs {
  readonly #running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  start(name: string, work: () => Promise<void>, logger: Logger = this.logger): void {
    const job = Promise.resolve()
      .then(work)
      .catch((err: unknown) => logger.error({ err, job: name }, `background job ${name} failed`))
      .finally(() => this.#running.delete(job));
    this.#running.add(job);
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves when no job is running, including jobs started by jobs. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
