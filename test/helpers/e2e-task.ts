/**
 * The task both end-to-end tests run: a real agent command (it writes a file and the PR summary)
 * and a real test command, allowed exactly on the server.
 */
export const AGENT_COMMAND = `printf 'export const dark = true;\\n' > theme.ts && printf 'Added a dark theme flag.' > "$FACTORY_SUMMARY_FILE"`;
export const TEST_COMMAND = "test -f theme.ts";
export const TASK_CONFIG = `
agent:
  command: ${JSON.stringify(AGENT_COMMAND)}
  timeout_seconds: 60
tests:
  - name: theme exists
    command: ${TEST_COMMAND}
pull_request:
  labels: [factory, automated]
`;
