interface Registration {
  controller: AbortController;
  started: boolean;
}

/** The handle a task keeps while it is registered. */
export interface TaskRegistration {
  signal: AbortSignal;
  /** The runner gave it a slot: from now on it is running, not queued. */
  started(): void;
  done(): void;
}

/**
 * Tasks of this process by key (`repo#issue`), queued or running, so `/factory stop` and shutdown
 * can abort them. Only local runs live here; a CI run is stopped through the task state on the forge.
 */
export class TaskCancellation {
  readonly #tasks = new Map<string, Registration>();
  #marking = 0;
  readonly #waitingToMark: Array<() => void> = [];

  /**
   * At most this many shutdown marks are written at once: on GitHub every write waits in one
   * process-wide line (Octokit's throttling, about one a second), and a task that already has a
   * pull request must still get its final comment through that line.
   */
  constructor(private readonly markingLimit = 4) {}

  /** Runs one shutdown mark (a queued task's "interrupted" comment) within the marking limit. */
  async marking(write: () => Promise<void>): Promise<void> {
    if (this.#marking >= this.markingLimit) await new Promise<void>((resolve) => this.#waitingToMark.push(resolve));
    else this.#marking += 1;
    try {
      await write();
    } finally {
      const next = this.#waitingToMark.shift();
      // The slot passes straight to the next mark, so the count stays the same.
      if (next) next();
      else this.#marking -= 1;
    }
  }

  register(key: string): TaskRegistration {
    const registration: Registration = { controller: new AbortController(), started: false };
    this.#tasks.set(key, registration);
    return {
      signal: registration.controller.signal,
      started: () => void (registration.started = true),
      done: () => this.#tasks.get(key) === registration && this.#tasks.delete(key),
    };
  }

  /** Aborts the task under `key`; true when one was running here. */
  cancel(key: string, reason: string): boolean {
    const registration = this.#tasks.get(key);
    registration?.controller.abort(new Error(reason));
    return registration !== undefined;
  }

  /**
   * Aborts the tasks still waiting for a runner (shutdown: they would not start before the process
   * ends). Each marks itself interrupted and retryable; returns how many there were.
   */
  cancelQueued(reason: string | Error): number {
    const error = typeof reason === "string" ? new ShutdownError(reason) : reason;
    const queued = [...this.#tasks.values()].filter((r) => !r.started);
    for (const { controller } of queued) controller.abort(error);
    return queued.length;
  }

  /**
   * Aborts every task of this process: a shutdown (a string reason) marks each failed and retryable;
   * `TaskHandedBack` gives it back to the shared queue.
   */
  cancelAll(reason: string | Error): number {
    const error = typeof reason === "string" ? new ShutdownError(reason) : reason;
    for (const { controller } of this.#tasks.values()) controller.abort(error);
    return this.#tasks.size;
  }
}

/** The reason a task aborted by shutdown carries (as opposed to `/factory stop`). */
export class ShutdownError extends Error {
  override name = "ShutdownError";
}

export function isShutdown(reason: unknown): boolean {
  return reason instanceof ShutdownError;
}
