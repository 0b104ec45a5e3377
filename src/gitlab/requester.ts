import {
  createRequesterFn,
  getMatchingRateLimiter,
  GitbeakerRequestError,
  GitbeakerRetryError,
  GitbeakerTimeoutError,
  type RequestOptions,
} from "@gitbeaker/requester-utils";
import type { ForgeRequestObserver } from "../core/tracing.js";

// gitbeaker's own handler retries every method on 429/502
// (https://github.com/jdalrymple/gitbeaker/blob/main/packages/rest/src/Requester.ts): a POST that
// succeeded behind a 502 would then create a second note, commit or pipeline. Reads only here.
const RETRYABLE = new Set([429, 502, 503, 504]);
const READ_ATTEMPTS = 5;
const SAFE_METHODS = new Set(["GET", "HEAD"]);
const MAX_RETRY_AFTER_MS = 60_000;

type HandlerOptions = RequestOptions & {
  rateLimiters?: Parameters<typeof getMatchingRateLimiter>[1];
  asStream?: boolean;
  prefixUrl?: string;
  searchParams?: string;
  agent?: unknown;
};

async function requestHandler(endpoint: string, options?: HandlerOptions) {
  const {
    rateLimiters,
    asStream,
    prefixUrl,
    searchParams,
    method = "GET",
    agent: _agent,
    ...init
  } = options ?? ({} as HandlerOptions);
  const rateLimit = getMatchingRateLimiter(endpoint, rateLimiters, method);
  const url = new URL(endpoint, prefixUrl?.endsWith("/") ? prefixUrl : `${prefixUrl ?? ""}/`);
  url.search = searchParams ?? "";
  const attempts = SAFE_METHODS.has(method.toUpperCase()) ? READ_ATTEMPTS : 1;
  let lastStatus = 0;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const request = new Request(url, { ...(init as RequestInit), method });
    await rateLimit();
    const response = await fetch(request).catch((err: Error) => {
      if (err.name === "TimeoutError" || err.name === "AbortError")
        throw new GitbeakerTimeoutError("Query timeout was reached");
      throw err;
    });
    if (response.ok) return parse(response, asStream);
    lastStatus = response.status;
    if (!RETRYABLE.has(response.status) || attempt === attempts - 1) await fail(request, response);
    // GitLab says how long a rate limit lasts (https://docs.gitlab.com/administration/settings/user_and_ip_rate_limits/#response-headers).
    const asked = Number(response.headers.get("retry-after"));
    const wait = Number.isFinite(asked) && asked > 0 ? Math.min(asked * 1000, MAX_RETRY_AFTER_MS) : 0;
    await new Promise((resolve) => setTimeout(resolve, Math.max(wait, 250 * 2 ** attempt)));
  }
  throw new GitbeakerRetryError(
    `Could not complete this request after ${attempts} attempts, last status code: ${lastStatus}.`,
  );
}

async function parse(response: Response, asStream = false) {
  const headers = Object.fromEntries(response.headers.entries());
  if (asStream) return { body: response.body, headers, status: response.status };
  if (response.status === 204) return { body: null, headers, status: response.status };
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim();
  const body =
    type === "application/json"
      ? ((await response.json()) ?? {})
      : type.startsWith("text/")
        ? await response.text()
        : await response.blob();
  return { body, headers, status: response.status };
}

async function fail(request: Request, response: Response): Promise<never> {
  const content = await response.text();
  let description = content;
  if (response.headers.get("content-type")?.includes("application/json")) {
    try {
      const output = JSON.parse(content) as { error?: unknown; message?: unknown };
      const property = output?.error ?? output?.message ?? "";
      description = typeof property === "string" ? property : JSON.stringify(property);
    } catch {
      // keep the raw text
    }
  }
  throw new GitbeakerRequestError(description, { cause: { description, request, response } });
}

/** The requester every gitbeaker resource of the bot uses. */
export const requesterFn = createRequesterFn((_, options) => Promise.resolve(options), requestHandler as never);

/** The same requester, telling `observe` each request's method and final status (the server's metrics). */
export function observedRequesterFn(observe: ForgeRequestObserver): typeof requesterFn {
  const observed = async (endpoint: string, options?: HandlerOptions) => {
    const method = options?.method ?? "GET";
    try {
      const response = await requestHandler(endpoint, options);
      observe(method, response.status);
      return response;
    } catch (err) {
      const response = (err as { cause?: { response?: Response } }).cause?.response;
      observe(method, response instanceof Response ? response.status : "error");
      throw err;
    }
  };
  return createRequesterFn((_, options) => Promise.resolve(options), observed as never);
}
