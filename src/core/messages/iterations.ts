import type { IterationsRecord, TestResult } from "../changeset.js";
import type { IterationProgress } from "../task-runner.js";
import { plural } from "./format.js";

/** "run 2 of 3: tests", for the progress comment while a task runs. Pure. */
export function iterationProgressText(step: IterationProgress): string {
  const where = `run ${step.iteration} of ${step.maxIterations}: ${step.step}`;
  if (step.step === "tests") return `Now: **${where}** (the repository's tests check the agent's changes).`;
  return (
    `Now: **${where}** (the tests failed after run ${step.iteration - 1}, ` +
    "so the agent runs again on its own changes, with the failures in `FACTORY_TEST_FAILURE_FILE`)."
  );
}

/**
 * How many runs the task took and why it stopped, in one sentence, for the pull request body and
 * the progress comment. Pure.
 */
export function iterationsSentence(iterations: IterationsRecord): string {
  const made = iterations.runs.length;
  const runs = `${plural(made, "agent run")} (at most ${iterations.max_iterations}, \`agent.max_iterations\`)`;
  return `It took ${runs}; ${stopReasonText(iterations)}.`;
}

function stopReasonText(iterations: IterationsRecord): string {
  const made = iterations.runs.length;
  const published = iterations.published_run;
  const lastTests = iterations.runs.find((run) => run.iteration === published)?.tests ?? [];
  const kept = published < made ? `, so what is published is the state after run ${published}` : "";
  switch (iterations.stopped) {
    case "passed":
      return lastTests.some((test) => !test.skipped)
        ? `the tests passed after run ${published}`
        : "no test ran, so it stopped there";
    case "max-iterations":
      return `stopped: the tests still failed after run ${made}, the last one allowed`;
    case "out-of-time":
      return (
        `stopped: out of time (\`agent.max_minutes: ${iterations.max_minutes}\`, every agent and test run together)` +
        (published < made ? `; run ${made} was stopped${kept}` : ` during the tests of run ${made}`)
      );
    case "no-change":
      return made === 1
        ? "stopped: the agent's run changed nothing"
        : `stopped: run ${made} changed nothing, so another run would see the same failures`;
    case "agent-failed": {
      const agent = iterations.runs.at(-1)?.agent;
      const how = agent?.timed_out ? "timed out (`agent.timeout_seconds`)" : `failed (exit ${agent?.exit_code ?? "?"})`;
      return `stopped: run ${made} of the agent ${how}${kept}`;
    }
  }
}

/** "1 of 2 tests failed" / "2 tests passed", for a collapsed earlier run. */
export function testsOutcomeText(tests: readonly TestResult[]): string {
  const ran = tests.filter((test) => !test.skipped);
  const failed = ran.filter((test) => test.exit_code !== 0);
  if (ran.length === 0) return "no test ran";
  return failed.length === 0
    ? `${plural(ran.length, "test")} passed`
    : `${failed.length} of ${plural(ran.length, "test")} failed`;
}
