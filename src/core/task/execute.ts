import { STATUS_CONTEXTS } from "../markers.js";
import type { FactoryConfig } from "../../config/types.js";
import type { Clock, Logger } from "../deps.js";
import { ForgeError, TaskError, TaskHandedBack } from "../errors.js";
import type { Forge } from "../forge.js";
import type { IssueRef, TaskRunner, TaskSpec } from "../task-runner.js";
import { renderBranchName } from "../templates.js";
import type { TaskProgress } from "./record.js";
import { publishChangeSet, settleHeadStatus } from "./publish.js";
import { ciTaskRunner } from "./ci-runner.js";
import { isShutdown, type TaskCancellation, type TaskRegistration } from "../cancellation.js";
import { approvedPlan, runPlan, showPlan } from "./plan-run.js";
import { planRequired } from "./plan.js";

export interface RunTaskDeps {
  forge: Forge;
  runner: TaskRunner;
  logger: Logger;
  clock: Clock;
  /** Lets `/factory stop` and shutdown abort a running local task. */
  cancellation?: TaskCancellation;
}

export interface RunTaskInput {
  config: FactoryConfig;
  issue: IssueRef;
  progress: TaskProgress;
  attempt: number;
  failureSummary?: string;
  /** The existing task branch (fix attempts): the template could render differently by now. */
  branch?: string;
  /** `plan`: the agent writes a plan and nothing is pushed (docs/plans.md); default `implement`. */
  mode?: "plan" | "implement";
  /** A review round: its number (the commit's trailer) and the review file's Markdown. */
  review?: ReviewInput;
}

export interface ReviewInput {
  round: number;
  markdown: string;
}

/** What a run left: the commit it pushed, or why it pushed none (the agent's summary when it had one). */
export interface RunTaskOutcome {
  commitSha: string | null;
  summary: string;
}

const HANDED_ON = "the run continues elsewhere (CI or another replica)";

/** Runs the agent for a claimed task and publishes what it made; every outcome ends on the comment. */
export async function runTask(input: RunTaskInput, deps: RunTaskDeps): Promise<RunTaskOutcome> {
  return endsOnComment(input.issue.number, input.progress, deps, (task) =>
    modeOf(input) === "plan"
      ? runPlan(input, deps, task.registration?.signal).then(() => ({ commitSha: null, summary: "" }))
      : runAndPublish(input, deps, task),
  );
}

/**
 * Runs a task that a replica took from the shared queue (`REDIS_URL`): the comment already shows
 * it running, so only the run and its publication are left.
 */
export async function resumeQueuedTask(task: TaskSpec, progress: TaskProgress, deps: RunTaskDeps): Promise<void> {
  await endsOnComment(task.issue.number, progress, deps, async (running) => {
    // As in runAndPublish: the status belongs on the task branch's own commits.
    const baseSha = task.startRef === task.branch ? await deps.forge.getBranchSha(task.base) : task.baseSha;
    running.stage.now = "queued";
    return runAndSettle(task, deps.runner, progress, deps, running, baseSha !== task.baseSha);
  });
}

/** Where a task is, so an abort is reported for what it stopped. */
interface Stage {
  now: "preparing" | "queued" | "running" | "publishing";
}

/** A task being run: its stage, and its registration for `/factory stop` and shutdown. */
interface RunningTask {
  stage: Stage;
  registration?: TaskRegistration;
}

/** Whatever happens, the comment ends saying so; a task handed back to the queue is left to its next run. */
async function endsOnComment(
  issueNumber: number,
  progress: TaskProgress,
  deps: RunTaskDeps,
  work: (task: RunningTask) => Promise<RunTaskOutcome>,
): Promise<RunTaskOutcome> {
  const registration = deps.cancellation?.register(`${deps.forge.repo.fullName}#${issueNumber}`);
  const stage: Stage = { now: "preparing" };
  try {
    return await work({ stage, registration });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (registration?.signal.reason instanceof TaskHandedBack) throw registration.signal.reason;
    // Publishing is not stopped by an abort: a task past its run ends with what publishing did.
    if (registration?.signal.aborted && stage.now !== "publishing") {
      const shutdown = isShutdown(registration.signal.reason);
      const show = () =>
        progress.show(
          {
            phase: "failed",
            failure: {
              kind: "refused",
              message:
                stage.now === "queued" && shutdown
                  ? "it was interrupted before it started: the server shut down while the task waited for a " +
                    "free runner; nothing ran. Comment `/factory retry` to run it again."
                  : `it was stopped (${message}); nothing was pushed. Comment \`/factory retry\` to run it again.`,
            },
          },
          { stopped: !shutdown, retryable: shutdown },
        );
      await (stage.now === "queued" && deps.cancellation ? deps.cancellation.marking(show) : show());
      return { commitSha: null, summary: `it was stopped (${message})` };
    }
    if (err instanceof TaskError) {
      await progress.show({ phase: "failed", failure: { kind: "refused", message } });
      return { commitSha: null, summary: message };
    }
    const kind = err instanceof ForgeError ? "forge-error" : "internal";
    deps.logger.error({ err }, "task failed");
    await progress.show({ phase: "failed", failure: { kind, message } }, { retryable: kind === "forge-error" });
    return { commitSha: null, summary: "the run failed; the task comment on the issue says why" };
  } finally {
    registration?.done();
  }
}

async function runAndPublish(input: RunTaskInput, deps: RunTaskDeps, running: RunningTask): Promise<RunTaskOutcome> {
  const { forge, runner } = deps;
  const { config, issue, progress } = input;
  const base = config.pull_request.base ?? (await forge.getDefaultBranch());
  const branch = input.branch ?? renderBranchName(config.pull_request.branch, issue);
  const baseSha = await forge.getBranchSha(base);
  if (!baseSha) throw new ForgeError(`the base branch \`${base}\` does not exist (\`pull_request.base\`)`);
  // A retry continues the existing branch (fast-forward), so it starts from the branch head.
  const branchSha = await forge.getBranchSha(branch);
  const startSha = branchSha ?? baseSha;
  // A local task waits for a free runner: it says "queued" until it gets one, never "running" early.
  const local = config.runner === "local";
  running.stage.now = local ? "queued" : "running";
  await progress.show(
    local ? { phase: "queued" } : { phase: "running", branch, base, baseSha: startSha, attempt: input.attempt },
    { branch, runner: config.runner, title: issue.title, url: issue.url, attempt: input.attempt, mode: "implement" },
  );
  // The status belongs on the task branch's own commits, never on the base branch's.
  const ownsBranchHead = branchSha !== null && branchSha !== baseSha;
  if (ownsBranchHead) {
    await forge.setCommitStatus(branchSha, {
      context: STATUS_CONTEXTS.task,
      state: "pending",
      description: "The agent is running",
    });
  }
  // Never fall back to the server for a repository that asked for its own CI.
  const chosen = config.runner === "local" ? runner : ciTaskRunner(forge);
  const task: TaskSpec = {
    repoFullName: forge.repo.fullName,
    issue,
    branch,
    base,
    baseSha: startSha,
    startRef: branchSha ? branch : base,
    attempt: input.attempt,
    failureSummary: input.failureSummary,
    ...(input.review ? { review: input.review } : {}),
    config,
    mode: "implement",
    ...approvedPlanSpec(progress),
  };
  return runAndSettle(task, chosen, progress, deps, running, ownsBranchHead);
}

async function runAndSettle(
  task: TaskSpec,
  runner: TaskRunner,
  progress: TaskProgress,
  deps: RunTaskDeps,
  running: RunningTask,
  ownsBranchHead: boolean,
): Promise<RunTaskOutcome> {
  const { stage, registration } = running;
  const { forge } = deps;
  const { config, issue, branch, base, baseSha, attempt } = task;
  const result = await runner.run(task, {
    downloadArchive: (sha) => forge.downloadArchive(sha),
    signal: registration?.signal,
    // Time spent waiting for a free runner does not count toward "interrupted".
    started: () => {
      stage.now = "running";
      registration?.started();
      return progress.show({ phase: "running", branch, base, baseSha, attempt });
    },
    progress: (iteration) => progress.show({ phase: "running", branch, base, baseSha, attempt, iteration }),
  });
  stage.now = "publishing";
  if (result.kind === "queued") return { commitSha: null, summary: HANDED_ON }; // the replica that takes it publishes it
  if (result.kind === "dispatched") {
    await progress.show(
      { phase: "running", branch, base, baseSha, attempt, ciUrl: result.url },
      { branch, runner: config.runner },
    );
    return { commitSha: null, summary: HANDED_ON }; // the finished run is published by handleTaskRunCompleted
  }
  let changeSet = null;
  let summary = "the agent failed; the task comment on the issue says why";
  if (result.kind === "completed") {
    changeSet = result.changeSet;
    summary = changeSet.summary.trim() || "the agent left no summary";
    const outcome = await publishChangeSet({
      forge,
      config,
      issue,
      branch,
      base,
      attempt,
      changeSet,
      progress,
      logger: deps.logger,
      reviewRound: task.review?.round,
    });
    if (outcome === "published") return { commitSha: progress.current.lastCommit ?? null, summary };
  } else if (result.kind === "refused") {
    summary = result.message;
    await progress.show({ phase: "failed", failure: { kind: "refused", message: result.message } });
  } else if (result.kind === "planned") {
    // A plan run taken from the shared queue by this replica (`resumeQueuedTask`) ends here.
    await showPlan(progress, config, result.plan);
    return { commitSha: null, summary: "" };
  } else {
    await progress.show({
      phase: "failed",
      failure: {
        kind: "agent-failed",
        agent: result.agent,
        timeoutSeconds: config.agent.timeout_seconds,
        ...(result.outOfTime ? { outOfTime: { maxMinutes: config.agent.max_minutes } } : {}),
      },
    });
  }
  if (ownsBranchHead) await settleHeadStatus(forge, baseSha, changeSet);
  return { commitSha: null, summary };
}

/** With `plan.required`, implementation runs carry out the approved plan; it reaches the agent in FACTORY_PLAN_FILE. */
function approvedPlanSpec(progress: TaskProgress): { approvedPlan?: string } {
  const plan = approvedPlan(progress.current);
  return plan ? { approvedPlan: plan.text } : {};
}

/** With `plan.required` nothing is implemented before a plan was approved: such a run plans instead. */
function modeOf(input: RunTaskInput): "plan" | "implement" {
  if (input.mode) return input.mode;
  const unapproved = planRequired(input.config) && approvedPlan(input.progress.current) === null;
  return unapproved && input.attempt === 1 ? "plan" : "implement";
}
