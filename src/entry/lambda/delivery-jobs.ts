import { AsyncLocalStorage } from "node:async_hooks";
import type { Logger } from "../../core/deps.js";
import { BackgroundJobs } from "../background-jobs.js";

export interface JobFailure {
  job: string;
  error: unknown;
}

interface DeliveryScope {
  failures: JobFailure[];
}

/**
 * The worker's BackgroundJobs. The Probot app and the GitLab router start their work as
 * background jobs and return; the worker must wait for that work before the invocation ends (Lambda
 * freezes it after) and must know whether it failed, to report the message for a retry. The jobs a
 * delivery starts, and the jobs those start, are traced back to it through async context, so
 * several messages of one batch can run at once.
 */
export class DeliveryJobs extends BackgroundJobs {
  readonly #scope = new AsyncLocalStorage<DeliveryScope>();

  override start(name: string, work: () => Promise<void>, logger?: Logger, key?: string): void {
    const scope = this.#scope.getStore();
    const tracked = scope
      ? async () => {
          try {
            await work();
          } catch (error) {
            scope.failures.push({ job: name, error });
            throw error; // the base class logs it
          }
        }
      : work;
    super.start(name, tracked, logger, key);
  }

  /**
   * Runs `deliver` (which starts jobs) and waits until no job is left; throws DeliveryFailedError
   * when a job this delivery started failed.
   */
  async runDelivery<T>(deliver: () => Promise<T>): Promise<T> {
    const scope: DeliveryScope = { failures: [] };
    const result = await this.#scope.run(scope, deliver);
    await this.drain();
    if (scope.failures.length > 0) throw new DeliveryFailedError(scope.failures);
    return result;
  }
}

export class DeliveryFailedError extends Error {
  constructor(readonly failures: readonly JobFailure[]) {
    const first = failures[0]?.error;
    const reason = first instanceof Error ? first.message : String(first);
    super(`${failures.map((f) => f.job).join(", ")} failed: ${reason}`, { cause: first });
  }
}
