import type { ChangeSetFile, IterationRun, IterationStop, TestResult } from "../core/changeset.js";
import type { Clock } from "../core/deps.js";
import type { AgentOutcome, IterationProgress } from "../core/task-runner.js";

/**
 * What one iteration does, injected so the loop's stop conditions can be tested without processes
 * (docs/iterations.md).
 */
export interface IterationSteps {
  /** Runs the agent for the 1-based `iteration`, stopped after `timeoutMs`. */
  agent(iteration: number, timeoutMs: number): Promise<AgentOutcome>;
  /** The workspace's changes against the base, sorted by path. */
  changes(): Promise<ChangeSetFile[]>;
  /** Runs the tests; none may run past `remainingMs()`. */
  tests(changedPaths: string[], remainingMs: () => number): Promise<TestResult[]>;
  /** Whatever the run left for the pull request (FACTORY_SUMMARY_FILE). */
  summary(): Promise<string>;
  /** Gets the workspace ready for run `next`: the failure file for the agent. */
  prepareRerun(next: number, failed: TestResult[]): Promise<void>;
  progress?(step: IterationProgress): Promise<void>;
}

export interface IterationLimits {
  /** `agent.max_iterations`. */
  maxIterations: number;
  /** `agent.max_minutes`, in milliseconds. */
  budgetMs: number;
  /** `agent.timeout_seconds`, in milliseconds: the cap of one agent run. */
  agentTimeoutMs: number;
  clock: Clock;
}

/** The last run that finished with its tests: what is published. */
export interface CompleteState {
  iteration: number;
  agent: AgentOutcome;
  files: ChangeSetFile[];
  tests: TestResult[];
  summary: string;
}

export interface IterationOutcome {
  stopped: IterationStop;
  runs: IterationRun[];
  /** Null when the first run failed or was stopped: there is nothing to publish. */
  last: CompleteState | null;
  /** The run that ended the loop by failing or being stopped, when one did. */
  failedAgent: AgentOutcome | null;
}

/**
 * Runs the agent, then the tests, and again while a test fails, fewer than `maxIterations` runs
 * were made and the budget is not spent. Stops as well when a run changes nothing (the agent
 * would see the same failures again). Each process gets at most what is left of the budget, so a
 * run still going when it is spent is stopped; its half-made changes are not what is published.
 */
export async function iterate(steps: IterationSteps, limits: IterationLimits): Promise<IterationOutcome> {
  const deadline = limits.clock.now().getTime() + limits.budgetMs;
  const remainingMs = () => deadline - limits.clock.now().getTime();
  const runs: IterationRun[] = [];
  let last: CompleteState | null = null;
  const end = (stopped: IterationStop, failedAgent: AgentOutcome | null = null): IterationOutcome => ({
    stopped,
    runs,
    last,
    failedAgent,
  });
  for (let iteration = 1; ; iteration++) {
    const step = (name: IterationProgress["step"]) =>
      steps.progress?.({ iteration, maxIterations: limits.maxIterations, step: name });
    if (iteration > 1) await step("agent");
    const left = remainingMs();
    const budgetBound = left < limits.agentTimeoutMs;
    const agent = await steps.agent(iteration, Math.max(0, Math.min(limits.agentTimeoutMs, left)));
    if (agent.timedOut || agent.exitCode !== 0) {
      runs.push({ iteration, agent: agentRecord(agent), changed: false, tests: [] });
      return end(agent.timedOut && budgetBound ? "out-of-time" : "agent-failed", agent);
    }
    const files = await steps.changes();
    const changed = !sameFiles(files, last?.files ?? []);
    if (iteration > 1 && !changed) {
      runs.push({ iteration, agent: agentRecord(agent), changed, tests: [] });
      return end("no-change");
    }
    await step("tests");
    const tests = await steps.tests(
      files.map((file) => file.path),
      remainingMs,
    );
    runs.push({ iteration, agent: agentRecord(agent), changed, tests });
    last = { iteration, agent, files, tests, summary: await steps.summary() };
    const failed = failedTests(tests);
    if (failed.length === 0) return end("passed");
    if (remainingMs() <= 0) return end("out-of-time");
    if (iteration >= limits.maxIterations) return end("max-iterations");
    if (!changed) return end("no-change");
    await steps.prepareRerun(iteration + 1, failed);
  }
}

/** Tests that ran and did not pass (a stopped test counts as failed). */
export function failedTests(tests: readonly TestResult[]): TestResult[] {
  return tests.filter((test) => !test.skipped && test.exit_code !== 0);
}

/** Two ChangeSets' files are the same change: same paths, actions, modes and contents. */
export function sameFiles(a: readonly ChangeSetFile[], b: readonly ChangeSetFile[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((file, index) => {
    const other = b[index]!;
    return (
      file.path === other.path &&
      file.action === other.action &&
      file.mode === other.mode &&
      file.encoding === other.encoding &&
      file.content === other.content
    );
  });
}

export function agentRecord(agent: AgentOutcome) {
  return {
    exit_code: agent.exitCode,
    timed_out: agent.timedOut,
    duration_ms: agent.durationMs,
    output_tail: agent.outputTail,
  };
}
