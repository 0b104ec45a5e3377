import type { Logger } from "../core/deps.js";
import { jobsFor, type Deliver, type Delivery, type DispatchDeps } from "../core/dispatch.js";
import type { Observation } from "../core/tracing.js";

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
  start(name: string, work: () => Promise<void>, logger: Logger = this.logger, key?: string): Promise<void> {
    return this.run(work, key).catch((err: unknown) =>
      logger.error({ err, job: name }, `background job ${name} failed`),
    );
  }

  /** Runs `work` after the jobs with the same `key`; settles as the work does. */
  run(work: () => Promise<void>, key?: string): Promise<void> {
    const previous = key ? (this.#tails.get(key) ?? Promise.resolve()) : Promise.resolve();
    const outcome = previous.then(work);
    const settled: Promise<void> = outcome
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.#running.delete(settled);
        if (key && this.#tails.get(key) === settled) this.#tails.delete(key);
      });
    this.#running.add(settled);
    if (key) this.#tails.set(key, settled);
    return outcome;
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves when no job is running, including jobs started by jobs. */
  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}

/**
 * The server's way: a delivery's jobs start in the background and the webhook is answered at once.
 * With an observation, each job is a `delivery` span (the root of its trace) and its forge is observed.
 */
export function inBackground(jobs: BackgroundJobs, deps: DispatchDeps, observation?: Observation): Deliver {
  return async (delivery) => {
    const started = observation ? startObserved(jobs, deps, delivery, observation) : startPlain(jobs, deps, delivery);
    const { settled } = delivery;
    if (settled) void Promise.all(started).then(settled);
  };
}

function startPlain(jobs: BackgroundJobs, deps: DispatchDeps, delivery: Delivery): Promise<void>[] {
  return jobsFor(delivery, deps).map((job) => jobs.start(job.name, job.run, job.logger, job.key));
}

function startObserved(
  jobs: BackgroundJobs,
  deps: DispatchDeps,
  delivery: Delivery,
  observation: Observation,
): Promise<void>[] {
  const observed = { ...delivery, forge: async () => observation.forge(await delivery.forge()) };
  const [forge, repo] = splitRepoKey(delivery.repoKey);
  return jobsFor(observed, deps).map((job) => {
    const attributes = { forge, repo, job: job.name, "delivery.id": delivery.deliveryId };
    return jobs.start(job.name, () => observation.tracing.span("delivery", attributes, job.run), job.logger, job.key);
  });
}

/** `github:acme/widgets` → forge and repository. */
function splitRepoKey(key: string): [string, string] {
  const at = key.indexOf(":");
  return at < 0 ? ["", key] : [key.slice(0, at), key.slice(at + 1)];
}

/**
 * The Lambda worker's way: a delivery's jobs run to their end before the record is reported
 * (Lambda freezes the function after); rejects when one of them failed, so the record is retried.
 */
export function toCompletion(jobs: BackgroundJobs, deps: DispatchDeps): Deliver {
  return async (delivery) => {
    const outcomes = await Promise.allSettled(jobsFor(delivery, deps).map((job) => jobs.run(job.run, job.key)));
    delivery.settled?.();
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed.length > 0) throw failed[0]!.reason;
  };
}
