import { ProbotOctokit } from "probot";
import type { Octokit } from "../../src/github/forge.js";

/** Throttling and retries off (the function form: the object form does not turn throttling off). */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { enabled: false },
  retry: { enabled: false },
}));

export function testOctokit(): Octokit {
  return new TestOctokit({ auth: "ghs_test" }) as Octokit;
}
