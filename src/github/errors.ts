import {
  ConflictError,
  ForbiddenError,
  ForgeError,
  InvalidRequestError,
  NotFoundError,
  TransientForgeError,
  retryAfterMs,
} from "../core/errors.js";

interface OctokitLikeError {
  status?: number;
  message?: string;
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

// GitHub answers 422 for lost races (https://docs.github.com/en/rest/git/refs#update-a-reference).
const CONFLICT_MESSAGES =
  /already exists|not a fast forward|fast-forward|reference update failed|is at .* but expected/i;

function detail(err: OctokitLikeError): string {
  const data = err.response?.data as { message?: string; errors?: Array<{ message?: string }> } | undefined;
  const inner = data?.errors
    ?.map((e) => e.message)
    .filter(Boolean)
    .join("; ");
  return [data?.message ?? err.message ?? "unknown error", inner].filter(Boolean).join(": ");
}

/** Converts an Octokit RequestError into the core's error classes; core never sees Octokit errors. */
export function toForgeError(err: unknown, what: string): ForgeError {
  if (err instanceof ForgeError) return err;
  const e = (err ?? {}) as OctokitLikeError;
  const status = typeof e.status === "number" ? e.status : null;
  const message = `GitHub ${what}: ${detail(e)}`;
  const options = { cause: err };
  if (status === 404) return new NotFoundError(message, status, options);
  if (status === 409) return new ConflictError(message, status, options);
  if (status === 422 && CONFLICT_MESSAGES.test(detail(e))) return new ConflictError(message, status, options);
  if (status === 400 || status === 422) return new InvalidRequestError(message, status, options);
  const wait = retryAfterMs(e.response?.headers?.["retry-after"]);
  if (status === 403 || status === 429) {
    // Secondary rate limits are 403s with Retry-After (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
    const rateLimited =
      status === 429 ||
      wait !== null ||
      e.response?.headers?.["x-ratelimit-remaining"] === "0" ||
      /rate limit/i.test(message);
    return rateLimited
      ? new TransientForgeError(message, status, { ...options, retryAfterMs: wait })
      : new ForbiddenError(message, status, options);
  }
  if (status === null || status >= 500) return new TransientForgeError(message, status, options);
  return new ForgeError(message, status, options);
}

/** Runs one API call and converts its failure. */
export async function github<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toForgeError(err, what);
  }
}
