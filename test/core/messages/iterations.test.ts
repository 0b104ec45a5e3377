import type { ChangeSet, IterationRun, IterationsRecord, TestResult } from "../../../src/core/changeset.js";
import { iterationsSentence } from "../../../src/core/messages/iterations.js";
import { buildPullRequestBody } from "../../../src/core/messages/pull-request-body.js";
import { renderTaskComment, type TaskCommentView } from "../../../src/core/messages/task-comment.js";
import type { TaskState } from "../../../src/core/task-state.js";
import { githubWords } from "../../helpers/fake-forge.js";

const unit = (exitCode: number, output = ""): TestResult => ({
  name: "unit",
  command: "npm test",
  exit_code: exitCode,
  duration_ms: 12_000,
  output_tail: output,
});
const lint: TestResult = { name: "lint", command: "npm run lint", exit_code: 0, duration_ms: 3000, output_tail: "" };

function run(iteration: number, tests: TestResult[], agent: Partial<IterationRun["agent"]> = {}): IterationRun {
  const record = { exit_code: 0, timed_out: false, duration_ms: 90_000, output_tail: "", ...agent };
  return { iteration, agent: record, changed: tests.length > 0, tests };
}

function record(stopped: IterationsRecord["stopped"], runs: IterationRun[], publishedRun: number): IterationsRecord {
  return { max_iterations: 3, max_minutes: 60, stopped, published_run: publishedRun, runs };
}

function changeSet(iterations: IterationsRecord): ChangeSet {
  const published = iterations.runs.find((r) => r.iteration === iterations.published_run)!;
  return {
    version: 1,
    base_sha: "b".repeat(40),
    summary: "Fixed the rounding.",
    files: [{ path: "src/price.ts", action: "update", mode: "100644", encoding: "utf8", content: "" }],
    tests: published.tests,
    iterations,
  };
}

const issue = { number: 7, title: "Round prices", url: "https://github.test/a/b/issues/7" };
const fixedOnSecondRun = record(
  "passed",
  [run(1, [unit(1, "Expected 1.5, got 1.49"), lint]), run(2, [unit(0), lint])],
  2,
);
const outOfTime = record(
  "out-of-time",
  [run(1, [unit(1, "FAIL")]), run(2, [unit(1, "FAIL again")]), run(3, [], { exit_code: null, timed_out: true })],
  2,
);

describe("pull request body with iterations", () => {
  it("says it took two runs, the tests passed after run 2, and collapses run 1's table", () => {
    const body = buildPullRequestBody({ issue, words: githubWords, changeSet: changeSet(fixedOnSecondRun) });
    expect(body).toContain("It took 2 agent runs (at most 3, `agent.max_iterations`); the tests passed after run 2.");
    expect(body).toContain("<details><summary>Run 1: 1 of 2 tests failed</summary>");
    expect(body).toMatchSnapshot();
  });

  it("says it ran out of time, which run was stopped and which state is published", () => {
    const body = buildPullRequestBody({ issue, words: githubWords, changeSet: changeSet(outOfTime) });
    expect(body).toContain("stopped: out of time (`agent.max_minutes: 60`");
    expect(body).toContain("run 3 was stopped, so what is published is the state after run 2");
    expect(body).toContain("Run 3: the agent was stopped before it finished; no test ran.");
    expect(body).toMatchSnapshot();
  });
});

describe("why the loop stopped", () => {
  it.each<[string, IterationsRecord]>([
    ["passed at once", record("passed", [run(1, [unit(0)])], 1)],
    ["max iterations", record("max-iterations", [run(1, [unit(1)]), run(2, [unit(1)]), run(3, [unit(1)])], 3)],
    ["no change", record("no-change", [run(1, [unit(1)]), run(2, [])], 1)],
    ["agent failed on a re-run", record("agent-failed", [run(1, [unit(1)]), run(2, [], { exit_code: 2 })], 1)],
    ["out of time during tests", record("out-of-time", [run(1, [unit(1)]), run(2, [unit(1)])], 2)],
  ])("%s", (_, iterations) => {
    expect(iterationsSentence(iterations)).toMatchSnapshot();
  });
});

describe("progress comment with iterations", () => {
  const state: TaskState = {
    phase: "running",
    issue: 7,
    attempt: 1,
    updatedAt: "2026-12-01T10:00:00.000Z",
    deliveryId: "d",
  };
  const running = {
    phase: "running",
    branch: "factory/7-round",
    base: "main",
    baseSha: "0123456789",
    attempt: 1,
  } as const;
  it.each<[string, TaskCommentView]>([
    ["run 1 of 3: tests", { ...running, iteration: { iteration: 1, maxIterations: 3, step: "tests" } }],
    ["run 2 of 3: agent", { ...running, iteration: { iteration: 2, maxIterations: 3, step: "agent" } }],
    [
      "opened after two runs",
      {
        phase: "opened",
        changeRequest: { number: 9, url: "https://github.test/a/b/pull/9", draft: true },
        branch: "factory/7-round",
        updated: false,
        tests: [unit(0), lint],
        iterations: fixedOnSecondRun,
      },
    ],
    [
      "opened out of time with failing tests",
      {
        phase: "opened",
        changeRequest: { number: 9, url: "https://github.test/a/b/pull/9", draft: true },
        branch: "factory/7-round",
        updated: false,
        tests: [unit(1)],
        iterations: outOfTime,
      },
    ],
    [
      "out of time on the first run",
      {
        phase: "failed",
        failure: {
          kind: "agent-failed",
          timeoutSeconds: 1800,
          outOfTime: { maxMinutes: 60 },
          agent: { exitCode: null, signal: "SIGTERM", timedOut: true, durationMs: 3_600_000, outputTail: "thinking…" },
        },
      },
    ],
  ])("%s", (_, view) => {
    expect(renderTaskComment(view, { ...state, phase: view.phase }, githubWords)).toMatchSnapshot();
  });
});
