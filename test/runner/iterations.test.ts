import type { ChangeSetFile, TestResult } from "../../src/core/changeset.js";
import type { AgentOutcome, IterationProgress } from "../../src/core/task-runner.js";
import { iterate, sameFiles, type IterationLimits, type IterationSteps } from "../../src/runner/iterations.js";

const MINUTE = 60_000;

/** A clock that moves only when a fake step says time passed. */
function manualClock() {
  let now = Date.parse("2026-12-01T09:00:00Z");
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

interface Script {
  /** Minutes each agent run takes; a run longer than its timeout is stopped at the timeout. */
  agentMinutes?: number;
  testMinutes?: number;
  /** The workspace's content after run N (same content = no change). */
  contentAfter: (iteration: number) => string;
  /** Whether the test passes after run N. */
  passesAfter: (iteration: number) => boolean;
  exitCodeOf?: (iteration: number) => number;
}

function fakeSteps(script: Script, clock: ReturnType<typeof manualClock>) {
  const calls = { agent: [] as { iteration: number; timeoutMs: number }[], tests: 0, reruns: [] as number[] };
  const progress: IterationProgress[] = [];
  let content = "";
  const steps: IterationSteps = {
    agent: async (iteration, timeoutMs) => {
      calls.agent.push({ iteration, timeoutMs });
      const wants = (script.agentMinutes ?? 1) * MINUTE;
      const timedOut = wants > timeoutMs;
      clock.advance(Math.min(wants, timeoutMs));
      if (!timedOut) content = script.contentAfter(iteration);
      const exitCode = timedOut ? null : (script.exitCodeOf?.(iteration) ?? 0);
      return { exitCode, signal: timedOut ? "SIGTERM" : null, timedOut, durationMs: 0, outputTail: "" } as AgentOutcome;
    },
    changes: async () =>
      content === "" ? [] : [{ path: "a.ts", action: "create", mode: "100644", encoding: "utf8", content }],
    tests: async (_paths, remainingMs) => {
      calls.tests++;
      if (remainingMs() <= 0) return [{ ...testResult(1), exit_code: null, timed_out: true }];
      clock.advance((script.testMinutes ?? 1) * MINUTE);
      const iteration = calls.agent.at(-1)!.iteration;
      return [testResult(script.passesAfter(iteration) ? 0 : 1)];
    },
    summary: async () => `summary after ${calls.agent.at(-1)!.iteration}`,
    prepareRerun: async (next) => {
      calls.reruns.push(next);
    },
    progress: async (step) => {
      progress.push(step);
    },
  };
  return { steps, calls, progress };
}

function testResult(exitCode: number): TestResult {
  return { name: "unit", command: "npm test", exit_code: exitCode, duration_ms: MINUTE, output_tail: "" };
}

function limits(clock: ReturnType<typeof manualClock>, overrides: Partial<IterationLimits> = {}): IterationLimits {
  return { maxIterations: 3, budgetMs: 60 * MINUTE, agentTimeoutMs: 30 * MINUTE, clock, ...overrides };
}

test("tests that pass after the first run stop the loop at once", async () => {
  const clock = manualClock();
  const { steps, calls, progress } = fakeSteps({ contentAfter: () => "v1", passesAfter: () => true }, clock);

  const outcome = await iterate(steps, limits(clock));

  expect(outcome.stopped).toBe("passed");
  expect(outcome.runs.map((run) => run.iteration)).toEqual([1]);
  expect(outcome.last).toMatchObject({ iteration: 1, summary: "summary after 1" });
  expect(calls.reruns).toEqual([]);
  expect(progress).toEqual([{ iteration: 1, maxIterations: 3, step: "tests" }]);
});

test("a failing test makes the agent run again, and the run that fixes it is the one published", async () => {
  const clock = manualClock();
  const { steps, calls, progress } = fakeSteps({ contentAfter: (i) => `v${i}`, passesAfter: (i) => i === 2 }, clock);

  const outcome = await iterate(steps, limits(clock));

  expect(outcome.stopped).toBe("passed");
  expect(calls.reruns).toEqual([2]);
  expect(outcome.runs.map((run) => [run.iteration, run.changed, run.tests[0]?.exit_code])).toEqual([
    [1, true, 1],
    [2, true, 0],
  ]);
  expect(outcome.last?.files[0]?.content).toBe("v2");
  expect(progress.map((p) => `${p.iteration}:${p.step}`)).toEqual(["1:tests", "2:agent", "2:tests"]);
});

test("max_iterations runs at most: the last state is published with its failing tests", async () => {
  const clock = manualClock();
  const { steps, calls } = fakeSteps({ contentAfter: (i) => `v${i}`, passesAfter: () => false }, clock);

  const outcome = await iterate(steps, limits(clock, { maxIterations: 3 }));

  expect(outcome.stopped).toBe("max-iterations");
  expect(calls.agent.map((call) => call.iteration)).toEqual([1, 2, 3]);
  expect(outcome.last).toMatchObject({ iteration: 3, files: [expect.objectContaining({ content: "v3" })] });
});

test("max_iterations 1 never re-runs the agent", async () => {
  const clock = manualClock();
  const { steps, calls } = fakeSteps({ contentAfter: (i) => `v${i}`, passesAfter: () => false }, clock);

  const outcome = await iterate(steps, limits(clock, { maxIterations: 1 }));

  expect(outcome.stopped).toBe("max-iterations");
  expect(calls.agent).toHaveLength(1);
});

test("a re-run that changes nothing stops the loop without running the tests again", async () => {
  const clock = manualClock();
  const { steps, calls } = fakeSteps({ contentAfter: () => "same", passesAfter: () => false }, clock);

  const outcome = await iterate(steps, limits(clock));

  expect(outcome.stopped).toBe("no-change");
  expect(calls.agent).toHaveLength(2);
  expect(calls.tests).toBe(1);
  expect(outcome.runs[1]).toMatchObject({ iteration: 2, changed: false, tests: [] });
  expect(outcome.last?.iteration).toBe(1);
});

test("a first run that changes nothing is not repeated either", async () => {
  const clock = manualClock();
  const { steps, calls } = fakeSteps({ contentAfter: () => "", passesAfter: () => false }, clock);

  const outcome = await iterate(steps, limits(clock));

  expect(outcome.stopped).toBe("no-change");
  expect(calls.agent).toHaveLength(1);
  expect(outcome.last?.files).toEqual([]);
});

test("the budget bounds each run: the run still going when it is spent is stopped, the last complete state kept", async () => {
  const clock = manualClock();
  // Each run takes 25 minutes and its tests 1: the third run has 8 minutes left of 60.
  const { steps, calls } = fakeSteps(
    { agentMinutes: 25, contentAfter: (i) => `v${i}`, passesAfter: () => false },
    clock,
  );

  const outcome = await iterate(steps, limits(clock));

  expect(calls.agent.map((call) => call.timeoutMs)).toEqual([30 * MINUTE, 30 * MINUTE, 8 * MINUTE]);
  expect(outcome.stopped).toBe("out-of-time");
  expect(outcome.failedAgent?.timedOut).toBe(true);
  expect(outcome.last).toMatchObject({ iteration: 2, files: [expect.objectContaining({ content: "v2" })] });
  expect(outcome.runs.map((run) => run.iteration)).toEqual([1, 2, 3]);
});

test("a budget spent by the tests ends the loop before another run", async () => {
  const clock = manualClock();
  const { steps, calls } = fakeSteps(
    { agentMinutes: 10, testMinutes: 55, contentAfter: (i) => `v${i}`, passesAfter: () => false },
    clock,
  );

  const outcome = await iterate(steps, limits(clock));

  expect(outcome.stopped).toBe("out-of-time");
  expect(calls.agent).toHaveLength(1);
  expect(outcome.last?.iteration).toBe(1);
});

test("a first run stopped at the budget leaves nothing to publish, and says it ran out of time", async () => {
  const clock = manualClock();
  const { steps } = fakeSteps({ agentMinutes: 20, contentAfter: () => "v", passesAfter: () => true }, clock);

  const outcome = await iterate(steps, limits(clock, { budgetMs: 15 * MINUTE }));

  expect(outcome.stopped).toBe("out-of-time");
  expect(outcome.last).toBeNull();
});

test("an agent that times out on its own timeout (not the budget) is a failed agent", async () => {
  const clock = manualClock();
  const { steps } = fakeSteps({ agentMinutes: 40, contentAfter: () => "v", passesAfter: () => true }, clock);

  const outcome = await iterate(steps, limits(clock));

  expect(outcome.stopped).toBe("agent-failed");
  expect(outcome.last).toBeNull();
});

test("a re-run that fails keeps the state of the run before it", async () => {
  const clock = manualClock();
  const { steps } = fakeSteps(
    { contentAfter: (i) => `v${i}`, passesAfter: () => false, exitCodeOf: (i) => (i === 2 ? 3 : 0) },
    clock,
  );

  const outcome = await iterate(steps, limits(clock));

  expect(outcome.stopped).toBe("agent-failed");
  expect(outcome.failedAgent?.exitCode).toBe(3);
  expect(outcome.last).toMatchObject({ iteration: 1, files: [expect.objectContaining({ content: "v1" })] });
});

test("sameFiles compares paths, actions, modes and contents", () => {
  const file: ChangeSetFile = { path: "a", action: "create", mode: "100644", encoding: "utf8", content: "x" };
  expect(sameFiles([file], [{ ...file }])).toBe(true);
  expect(sameFiles([file], [{ ...file, content: "y" }])).toBe(false);
  expect(sameFiles([file], [{ ...file, mode: "100755" }])).toBe(false);
  expect(sameFiles([file], [])).toBe(false);
});
