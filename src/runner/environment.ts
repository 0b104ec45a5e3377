import type { Logger } from "../core/deps.js";
import { isForbiddenAgentEnv } from "../config/agent-env.js";

/** The only server variables every agent and test command sees. */
export const SERVER_BASICS = ["PATH", "HOME", "LANG", "TMPDIR"] as const;

export const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface EnvironmentSources {
  /** The server's environment; only SERVER_BASICS and agentEnvNames are read from it. */
  serverEnv: NodeJS.ProcessEnv;
  /** FACTORY_AGENT_ENV: server variables for the agent only (its API keys). */
  agentEnvNames: readonly string[];
  /** The config's `agent.env`: non-secret, written by the repository. */
  configEnv: Readonly<Record<string, string>>;
  /** FACTORY_TASK_FILE and the other task variables. */
  taskVariables: Readonly<Record<string, string>>;
}

export interface TaskEnvironments {
  agent: Record<string, string>;
  /** The agent's environment minus the FACTORY_AGENT_ENV secrets: tests need no API keys. */
  tests: Record<string, string>;
}

/**
 * Builds both environments from scratch, so nothing else of the server (the bot's private key,
 * webhook secrets, tokens) reaches a command. The repository's `agent.env` may not replace the
 * server's basics, the operator's agent variables or the task variables: a repository that could
 * set PATH could make an allowed command run something else.
 */
export function buildTaskEnvironments(sources: EnvironmentSources, logger: Logger): TaskEnvironments {
  const basics = pick(sources.serverEnv, SERVER_BASICS);
  const configEnv = withoutReserved(sources.configEnv, sources.agentEnvNames, logger);
  const tests = { ...basics, ...configEnv, ...sanitize(sources.taskVariables) };
  const agent = { ...tests, ...pick(sources.serverEnv, sources.agentEnvNames) };
  return { agent, tests };
}

function pick(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) picked[name] = withoutNul(value);
  }
  return picked;
}

function withoutReserved(
  configEnv: Readonly<Record<string, string>>,
  agentEnvNames: readonly string[],
  logger: Logger,
): Record<string, string> {
  const reserved = new Set<string>([...SERVER_BASICS, ...agentEnvNames]);
  const kept: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(configEnv)) {
    if (reserved.has(name) || name.startsWith("FACTORY_") || !ENVIRONMENT_NAME.test(name) || isForbiddenAgentEnv(name))
      ignored.push(name);
    else kept[name] = withoutNul(String(value));
  }
  if (ignored.length > 0) logger.warn({ ignored }, "agent.env may not set these variables; ignored");
  return kept;
}

function sanitize(variables: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, withoutNul(value)]));
}

/** A NUL byte makes spawn throw; it can only come from hostile input. */
function withoutNul(value: string): string {
  return value.replaceAll("\0", "");
}
