import {
  ConflictError,
  ForbiddenError,
  ForgeError,
  InvalidRequestError,
  NotFoundError,
  TransientForgeError,
  retryAfterMs,
} from "../core/errors.js";

/** What a gitbeaker error carries: `GitbeakerRequestError` has the fetch Response in `cause`. */
interface GitbeakerLikeError {
  name?: string;
  message?: string;
  cause?: { description?: string; response?: { status?: number; headers?: { get?(name: string): string | null } } };
}

// GitLab answers 400, not 409, when a commit would create a branch that already exists or a file
// changed meanwhile (app/services/commits/create_service.rb); 409 for a second MR on one branch.
const CONFLICT_MESSAGES = /already exists|has changed since you started editing/i;

// Re-posting a commit status in the state it already has is refused with 400
// (https://gitlab.com/gitlab-org/gitlab-foss/-/issues/25807).
const SAME_STATUS_MESSAGE = /cannot transition status via/i;

// Thrown by gitbeaker itself after its own retries (429/502) or its query timeout.
const TRANSIENT_ERROR_NAMES = new Set(["GitbeakerRetryError", "GitbeakerTimeoutError", "TimeoutError", "AbortError"]);

function statusOf(err: GitbeakerLikeError): number | null {
  const status = err.cause?.response?.status;
  return typeof status === "number" ? status : null;
}

/** Converts a gitbeaker error into the core's error classes; core never sees gitbeaker errors. */
export function toForgeError(err: unknown, what: string): ForgeError {
  if (err instanceof ForgeError) return err;
  const e = (err ?? {}) as GitbeakerLikeError;
  const status = statusOf(e);
  const detail = e.cause?.description || e.message || "unknown error";
  const message = `GitLab ${what}: ${detail}`;
  const options = { cause: err };
  if (status === 404) return new NotFoundError(message, status, options);
  if (status === 409) return new ConflictError(message, status, options);
  if ((status === 400 || status === 422) && CONFLICT_MESSAGES.test(detail))
    return new ConflictError(message, status, options);
  if (status === 400 || status === 422) return new InvalidRequestError(message, status, options);
  const wait = retryAfterMs(e.cause?.response?.headers?.get?.("retry-after"));
  // A 403 that says when to come back is a rate limit (a proxy's or GitLab's), not a missing permission.
  if (status === 429 || (status === 403 && wait !== null))
    return new TransientForgeError(message, status, { ...options, retryAfterMs: wait });
  if (status === 401 || status === 403) return new ForbiddenError(message, status, options);
  if (status !== null && status >= 500) return new TransientForgeError(message, status, options);
  // No status: a network failure (fetch throws TypeError) or gitbeaker's retry/timeout errors.
  if (
    status === null &&
    (TRANSIENT_ERROR_NAMES.has(e.name ?? "") || err instanceof TypeError || e.name === "TypeError")
  ) {
    return new TransientForgeError(message, null, options);
  }
  return new ForgeError(message, status, options);
}

/** Runs one API call, converts its failure, and types the fields the caller reads. */
export async function gitlabCall<T>(what: string, call: () => Promise<unknown>): Promise<T> {
  try {
    return (await call()) as T;
  } catch (err) {
    throw toForgeError(err, what);
  }
}

/** True for GitLab's refusal to set a commit status to the state it already has. */
export function isUnchangedStatus(err: unknown): boolean {
  return err instanceof InvalidRequestError && SAME_STATUS_MESSAGE.test(err.message);
}
