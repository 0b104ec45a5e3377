import { ProbotOctokit } from "probot";
import type { ForgeRequestObserver } from "../core/tracing.js";

// Probot 14 already stacks plugin-throttling and plugin-retry; configure them, do not add them again.
const MAX_RATE_LIMIT_RETRIES = 2;
const MAX_RATE_LIMIT_WAIT_SECONDS = 120;

interface ThrottledRequest {
  method: string;
  url: string;
  request: { retryCount: number };
}

interface LoggingOctokit {
  log: { warn(msg: string): void };
}

/** Waits out short rate limits a couple of times; a longer one fails the operation, which is reported. */
function retryShortRateLimits(kind: string) {
  return (retryAfter: number, options: ThrottledRequest, octokit: LoggingOctokit): boolean => {
    const retry = options.request.retryCount < MAX_RATE_LIMIT_RETRIES && retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS;
    octokit.log.warn(
      `${kind} rate limit on ${options.method} ${options.url}: ${retry ? `retrying in ${retryAfter}s` : "giving up"}`,
    );
    return retry;
  };
}

/** The Octokit class of the app; with `REDIS_URL`, `clustered` gives the throttle's shared limiters. */
export function factoryOctokit(clustered?: () => object) {
  return ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    throttle: {
      ...(options.throttle as object | undefined),
      ...clustered?.(),
      onRateLimit: retryShortRateLimits("primary"),
      onSecondaryRateLimit: retryShortRateLimits("secondary"),
    },
    // plugin-retry retries 5xx and network errors, never 4xx; requests that create things opt out per call.
    retry: { retries: 3, ...(options.retry as object | undefined) },
  }));
}

export const FactoryOctokit = factoryOctokit();

/** Per-request option for creates that are not idempotent: a retried POST after a lost 5xx duplicates. */
export const NO_RETRY = { request: { retries: 0 } } as const;

/** The Octokit class with every request reported to `observe` (the server's metrics). */
export function withRequestObserver(Base: typeof FactoryOctokit, observe: ForgeRequestObserver): typeof FactoryOctokit {
  return Base.plugin((octokit) => {
    octokit.hook.wrap("request", async (request, options) => {
      try {
        const response = await request(options);
        observe(options.method, response.status);
        return response;
      } catch (err) {
        const status = (err as { status?: unknown }).status;
        observe(options.method, typeof status === "number" ? status : "error");
        throw err;
      }
    });
  });
}
