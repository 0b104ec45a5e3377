import type { TestResult } from "../core/changeset.js";
import { codeBlock, formatDuration, inlineCode } from "../core/messages/format.js";
import { redactSecrets, summarizeText } from "../summarize/index.js";

/** A failed test and the lines of its output that explain the failure. */
export interface ExplainedFailure {
  test: TestResult;
  excerpt: string[];
}

/**
 * The summarizer's pick from each failed test's output (the same as for CI logs), or its last
 * lines when nothing in it looks like a cause. The output was redacted when it was read; the
 * excerpt is redacted again since it goes to the agent, which may quote it in a pull request.
 */
export async function explainFailures(
  failed: readonly { result: TestResult; output: string }[],
  maxLines: number,
): Promise<ExplainedFailure[]> {
  return Promise.all(
    failed.map(async ({ result, output }) => {
      const summary = await summarizeText(output, { maxLines });
      const excerpt =
        summary.excerpt.length > 0 ? summary.excerpt : result.output_tail.split("\n").slice(-maxLines).filter(Boolean);
      return { test: result, excerpt: excerpt.map((line) => redactSecrets(line)) };
    }),
  );
}

/**
 * `FACTORY_TEST_FAILURE_FILE`: for the agent's next run, each test that failed after run
 * `iteration`: its name, command, exit code and the lines that explain the failure. Pure.
 */
export function renderTestFailureMarkdown(input: {
  iteration: number;
  maxIterations: number;
  failures: readonly ExplainedFailure[];
}): string {
  const { iteration, maxIterations, failures } = input;
  const sections = [
    `# Failing tests after run ${iteration} of ${maxIterations}`,
    `Your changes so far are still in the workspace. ${failures.length === 1 ? "This test fails" : `These ${failures.length} tests fail`}; ` +
      "change the code so that they pass (do not weaken the tests).",
    ...failures.map(failureSection),
  ];
  return `${sections.join("\n\n")}\n`;
}

function failureSection({ test, excerpt }: ExplainedFailure): string {
  const how = test.timed_out
    ? `stopped after ${formatDuration(test.duration_ms)} (timed out)`
    : `exit code ${test.exit_code ?? "?"}`;
  return [
    `## ${inlineCode(test.name)}`,
    `- command: ${inlineCode(test.command)}\n- result: ${how}`,
    excerpt.length > 0 ? `What explains the failure:\n\n${codeBlock(excerpt.join("\n"))}` : "It printed nothing.",
  ].join("\n\n");
}
