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

/**
 * The task of the review-round tests: on a review round (FACTORY_MODE=review) the agent records what
 * its review file held (mode, thread count, the comments it quotes, whether a resolved thread got in).
 */
export const REVIEW_AGENT_COMMAND =
  `if [ "$FACTORY_MODE" = review ]; then ` +
  `printf '%s %s %s %s %s\\n' "$FACTORY_MODE" "$(grep -c '^# Thread' "$FACTORY_REVIEW_FILE")" ` +
  `"$(grep -o 'Call it darkMode.' "$FACTORY_REVIEW_FILE")" "$(grep -o 'Mention the theme here.' "$FACTORY_REVIEW_FILE")" ` +
  `"$(grep -c 'settled' "$FACTORY_REVIEW_FILE")" > review-seen.txt; ` +
  `else ${AGENT_COMMAND}; fi`;
export const REVIEW_TASK_CONFIG = `
agent:
  command: ${JSON.stringify(REVIEW_AGENT_COMMAND)}
  timeout_seconds: 60
tests:
  - name: theme exists
    command: ${TEST_COMMAND}
`;
