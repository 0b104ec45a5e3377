import type { FactoryConfig } from "../../src/config/types.js";

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/** A config with DESIGN.md section 2 defaults and a working agent command, overridable per test. */
export function makeConfig(overrides: DeepPartial<FactoryConfig> = {}): FactoryConfig {
  const base: FactoryConfig = {
    trigger: { label: "factory", min_permission: "write" },
    agent: { command: "make-change", timeout_seconds: 1800, env: {} },
    runner: "local",
    runner_workflow: "factory-task.yml",
    tests: [],
    pull_request: {
      base: null,
      branch: "factory/{number}-{slug}",
      title: "[Factory] #{number}: {title}",
      labels: ["factory"],
      draft: true,
      ready_when_green: true,
      reviewers: [],
    },
    protected_paths: [".github/workflows/**"],
    ci: { comments: "all", max_lines: 20, fix_attempts: 0 },
  };
  return {
    ...base,
    ...overrides,
    trigger: { ...base.trigger, ...overrides.trigger },
    agent: { ...base.agent, ...overrides.agent } as FactoryConfig["agent"],
    pull_request: { ...base.pull_request, ...overrides.pull_request } as FactoryConfig["pull_request"],
    ci: { ...base.ci, ...overrides.ci },
  } as FactoryConfig;
}
