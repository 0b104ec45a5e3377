import type { FactoryConfig } from "../../src/config/types.js";
import { defaultConfig } from "../../src/config/index.js";

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K];
};

/** The schema's defaults plus a working agent command, overridable per test. */
export function makeConfig(overrides: DeepPartial<FactoryConfig> = {}): FactoryConfig {
  const base: FactoryConfig = { ...defaultConfig(), agent: { ...defaultConfig().agent, command: "make-change" } };
  return {
    ...base,
    ...overrides,
    trigger: { ...base.trigger, ...overrides.trigger },
    agent: { ...base.agent, ...overrides.agent } as FactoryConfig["agent"],
    pull_request: { ...base.pull_request, ...overrides.pull_request } as FactoryConfig["pull_request"],
    ci: { ...base.ci, ...overrides.ci },
  } as FactoryConfig;
}
