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

  /** Aborts every task of this process (shutdown): each marks itself failed and retryable. */
  cancelAll(reason: string): number {
    for (const controller of this.#running.values()) controller.abort(new ShutdownError(reason));
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
