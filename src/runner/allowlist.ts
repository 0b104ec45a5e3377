import type { FactoryConfig } from "../config/types.js";

const CI_RUNNERS_ADVICE =
  "or run tasks on the repository's own CI instead with `runner: actions` (GitHub) or `runner: gitlab-ci` (GitLab) in .github/factory.yml";

export const MISSING_AGENT_COMMAND_MESSAGE =
  "Tasks need `agent.command` in .github/factory.yml: the command that runs the coding agent, " +
  'for example `droid exec --auto medium -f "$FACTORY_TASK_FILE"`.';

interface ConfiguredCommand {
  key: string;
  command: string;
}

/**
 * Why the local runner will not run this config's commands, or null when it may.
 * Repository config is written by whoever can push to the default branch, and the local runner
 * executes it on the bot's server, so every command must be allowed by the operator.
 */
export function localRunnerRefusal(config: FactoryConfig, allowedCommands: readonly RegExp[] | null): string | null {
  if (config.agent.command === null) return MISSING_AGENT_COMMAND_MESSAGE;
  if (allowedCommands === null) return allowListUnsetMessage();
  const refused = configuredCommands(config).find(({ command }) => !isAllowed(command, allowedCommands));
  return refused === undefined ? null : notAllowedMessage(refused);
}

function configuredCommands(config: FactoryConfig): ConfiguredCommand[] {
  const agent: ConfiguredCommand = { key: "agent.command", command: config.agent.command ?? "" };
  const tests = config.tests.map((test, index) => ({ key: `tests[${index}].command`, command: test.command }));
  return [agent, ...tests];
}

function isAllowed(command: string, allowedCommands: readonly RegExp[]): boolean {
  // A pattern with the g or y flag keeps lastIndex between calls; reset so each test starts fresh.
  return allowedCommands.some((pattern) => {
    pattern.lastIndex = 0;
    return pattern.test(command);
  });
}

function allowListUnsetMessage(): string {
  return (
    "This bot's local runner runs no commands until its operator sets FACTORY_ALLOWED_COMMANDS, " +
    "because a repository's config would otherwise run arbitrary commands on the bot's server. " +
    "Ask the operator to set FACTORY_ALLOWED_COMMANDS to a JSON array of regular expressions matching the agent and test commands, " +
    `${CI_RUNNERS_ADVICE}.`
  );
}

function notAllowedMessage({ key, command }: ConfiguredCommand): string {
  return (
    `\`${key}\` (\`${command}\`) matches none of the patterns in the bot's FACTORY_ALLOWED_COMMANDS, ` +
    "so the local runner will not run it on the bot's server. " +
    `Ask the operator to allow it, ${CI_RUNNERS_ADVICE}.`
  );
}
