import type { FactoryConfig } from "./types.js";
import { validateConfig } from "./validate.js";

/** The config of a repository without a config file: every default, tasks off (no `agent.command`). */
export function defaultConfig(): FactoryConfig {
  const validation = validateConfig({}, []);
  if (validation.status !== "ok") throw new Error("schema.json: the defaults do not validate");
  return validation.config;
}
