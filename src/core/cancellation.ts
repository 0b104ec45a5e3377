/**
 * Running tasks of this process by key (`repo#issue`), so `/factory stop` and shutdown can abort
 * them. Only local runs live here; a CI run is stopped through the task state on the forge.
 */
export class TaskCancellation {
  readonly #running = new Map<string, AbortController>();

  register(key: string): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    this.#running.set(key, controller);
    return {
      signal: controller.signal,
      done: () => this.#running.get(key) === controller && this.#running.delete(key),
    };
  }

  /** Aborts the task under `key`; true when one was running here. */
  cancel(key: string, reason: string): boolean {
    const controller = this.#running.get(key);
    controller?.abort(new Error(reason));
    return controller !== undefined;
  }

  /**
   * Aborts every task of this process: a shutdown (a string reason) marks each failed and retryable;
   * `TaskHandedBack` gives it back to the shared queue.
   */
  cancelAll(reason: string | Error): number {
    const error = typeof reason === "string" ? new ShutdownError(reason) : reason;
    for (const controller of this.#running.values()) controller.abort(error);
    return this.#running.size;
  }
}

/** The reason a task aborted by shutdown carries (as opposed to `/factory stop`). */
export class ShutdownError extends Error {
  override name = "ShutdownError";
}

export function isShutdown(reason: unknown): boolean {
  return reason instanceof ShutdownError;
}
