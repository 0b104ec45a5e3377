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
 * The iterating task of both end-to-end iteration tests: a stand-in agent, checked into the
 * repository, whose first run gets the answer wrong and whose second run fixes it only if the
 * failure file says what the test expected. It keeps what it saw under `seen/`, so the commit shows it.
 */
export const ITERATING_AGENT_SCRIPT = `#!/bin/sh
set -e
mkdir -p seen
{
  echo "FACTORY_ITERATION=$FACTORY_ITERATION"
  echo "FACTORY_MODE=$FACTORY_MODE"
  echo "FACTORY_TEST_FAILURE_FILE set: \${FACTORY_TEST_FAILURE_FILE:+yes}"
} > "seen/env-$FACTORY_ITERATION.txt"
if [ -n "$FACTORY_TEST_FAILURE_FILE" ] && grep -q "expected answer=42" "$FACTORY_TEST_FAILURE_FILE"; then
  cp "$FACTORY_TEST_FAILURE_FILE" "seen/failure-$FACTORY_ITERATION.md"
  echo answer=42 > answer.txt
  printf 'Fixed the answer after reading the failing test.' > "$FACTORY_SUMMARY_FILE"
else
  echo answer=41 > answer.txt
  printf 'Wrote an answer.' > "$FACTORY_SUMMARY_FILE"
fi
`;
export const ITERATING_AGENT_COMMAND = "sh tools/agent.sh";
export const ITERATING_TEST_COMMAND =
  'grep -qx answer=42 answer.txt || { echo "AssertionError: expected answer=42, got $(cat answer.txt)"; exit 1; }';
export const ITERATING_FILES = {
  ".github/factory.yml": `
agent:
  command: ${JSON.stringify(ITERATING_AGENT_COMMAND)}
  timeout_seconds: 60
  max_iterations: 3
tests:
  - name: answer
    command: ${JSON.stringify(ITERATING_TEST_COMMAND)}
`,
  "tools/agent.sh": ITERATING_AGENT_SCRIPT,
  "README.md": "# widgets\n",
};

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

/**
 * The plan e2e tests' agent: with FACTORY_MODE=plan it writes a plan naming how many refinements
 * its task file holds (and leaves a stray file, which must be discarded); otherwise it makes the
 * change and keeps the approved plan it was given next to it.
 */
export const PLAN_AGENT_COMMAND =
  `if [ "$FACTORY_MODE" = plan ]; then ` +
  `printf '## Plan\\n\\nAdd theme.ts (refinements: %s).\\n' "$(grep -c '^## Refinement ' "$FACTORY_TASK_FILE")" > "$FACTORY_PLAN_FILE"; ` +
  `printf 'stray' > stray.txt; ` +
  `else printf 'export const dark = true;\\n' > theme.ts && cp "$FACTORY_PLAN_FILE" plan-used.md; fi`;
export const PLAN_TASK_CONFIG = `
agent:
  command: ${JSON.stringify(PLAN_AGENT_COMMAND)}
  timeout_seconds: 60
tests:
  - name: theme exists
    command: ${TEST_COMMAND}
plan:
  required: true
`;
/** The plans PLAN_AGENT_COMMAND writes: first, and after one `/factory plan <text>`. */
export const FIRST_PLAN = "## Plan\n\nAdd theme.ts (refinements: 0).";
export const SECOND_PLAN = "## Plan\n\nAdd theme.ts (refinements: 1).";
