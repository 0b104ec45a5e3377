/**
 * Forge API errors are converted to these at the adapter boundary; core code catches only these.
 */
export class ForgeError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
/** The object does not exist (or the bot cannot see it). */
export class NotFoundError extends ForgeError {}
/** A write lost a race or would not fast-forward: ref exists, branch moved, etc. */
export class ConflictError extends ForgeError {}
/** The bot lacks a permission (GitHub "Resource not accessible by integration", GitLab 403). */
export class ForbiddenError extends ForgeError {}
/** The forge refused the input (422/400 other than conflicts). */
export class InvalidRequestError extends ForgeError {}
/** Rate limit, timeout or 5xx that survived the client's own retries: safe to retry later. */
export class TransientForgeError extends ForgeError {
  /** How long the forge asked to wait (`Retry-After`), when it said. */
  readonly retryAfterMs: number | null;

  constructor(
    message: string,
    status: number | null = null,
    options?: { cause?: unknown; retryAfterMs?: number | null },
  ) {
    super(message, status, options);
    this.retryAfterMs = options?.retryAfterMs ?? null;
  }
}

/** `Retry-After` in seconds (or an HTTP date) as milliseconds from `now`, or null. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** A task could not be done for a reason the person can act on; the message is written for them. */
export class TaskError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The abort reason when a replica shuts down with the shared queue (`REDIS_URL`): the task goes
 * back to the queue for another replica instead of being marked failed.
 */
export class TaskHandedBack extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
