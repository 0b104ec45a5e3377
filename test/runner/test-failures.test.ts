import { readFileSync } from "node:fs";
import type { TestResult } from "../../src/core/changeset.js";
import { explainFailures, renderTestFailureMarkdown } from "../../src/runner/test-failures.js";

// Jest's own output for async failures (test/fixtures/ci-logs/README.md gives its source).
const JEST_OUTPUT = readFileSync(new URL("../fixtures/ci-logs/jest-async-failures.log", import.meta.url), "utf8");

function failed(overrides: Partial<TestResult> = {}): TestResult {
  return { name: "unit", command: "npx jest", exit_code: 1, duration_ms: 4200, output_tail: "", ...overrides };
}

test("the failure file names each failed test, its command, exit code and the summarizer's lines", async () => {
  const failures = await explainFailures(
    [
      { result: failed(), output: JEST_OUTPUT },
      {
        result: failed({
          name: "lint",
          command: "npm run lint",
          exit_code: null,
          timed_out: true,
          duration_ms: 600_000,
        }),
        output: "",
      },
    ],
    20,
  );
  const markdown = renderTestFailureMarkdown({ iteration: 1, maxIterations: 3, failures });

  expect(failures[0]!.excerpt.join("\n")).toContain("resolve, but fail");
  expect(failures[0]!.excerpt.length).toBeLessThanOrEqual(20);
  expect(markdown).toMatchSnapshot();
});

test("a secret in a test's output never reaches the agent", async () => {
  const token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
  const [failure] = await explainFailures(
    [
      {
        result: failed({ output_tail: `Error: auth failed with ${token}` }),
        output: `Error: auth failed with ${token}`,
      },
    ],
    20,
  );
  const markdown = renderTestFailureMarkdown({ iteration: 2, maxIterations: 3, failures: [failure!] });

  expect(markdown).toContain("Error: auth failed with");
  expect(markdown).not.toContain(token);
});

test("output with no recognisable cause falls back to its last lines", async () => {
  const tail = Array.from({ length: 30 }, (_, i) => `step ${i}`).join("\n");
  const [failure] = await explainFailures([{ result: failed({ output_tail: tail }), output: "" }], 5);

  expect(failure!.excerpt).toEqual(["step 25", "step 26", "step 27", "step 28", "step 29"]);
});
