import { STATUS_CONTEXTS } from "../markers.js";
import type { FactoryConfig } from "../../config/types.js";
import type { Clock, Logger } from "../deps.js";
import { ForgeError, TaskError } from "../errors.js";
import type { Forge } from "../forge.js";
import type { IssueRef, TaskRunner } from "../task-runner.js";
import { renderBranchName } from "../templates.js";
import type { TaskProgress } from "./record.js";
import { publishChangeSet, settleHeadStatus } from "./publish.js";
import { ciTaskRunner } from "./ci-runner.js";
import { isShutdown, type TaskCancellation } from "../cancellation.js";

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

/** Runs the agent for a claimed task and publishes what it made; every outcome ends on the comment. */
export async function runTask(input: RunTaskInput, deps: RunTaskDeps): Promise<RunTaskOutcome> {
  const { progress } = input;
  const registration = deps.cancellation?.register(`${deps.forge.repo.fullName}#${input.issue.number}`);
  try {
    return await runAndPublish(input, deps, registration?.signal);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (registration?.signal.aborted) {
      const shutdown = isShutdown(registration.signal.reason);
      await progress.show(
        {
          phase: "failed",
          failure: {
            kind: "refused",
            message: `it was stopped (${message}); nothing was pushed. Comment \`/factory retry\` to run it again.`,
          },
        },
        { stopped: !shutdown, retryable: shutdown },
      );
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

async function runAndPublish(input: RunTaskInput, deps: RunTaskDeps, signal?: AbortSignal): Promise<RunTaskOutcome> {
  const { forge, runner } = deps;
  const { config, issue, progress } = input;
  const base = config.pull_request.base ?? (await forge.getDefaultBranch());
  const branch = input.branch ?? renderBranchName(config.pull_request.branch, issue);
  const baseSha = await forge.getBranchSha(base);
  if (!baseSha) throw new ForgeError(`the base branch \`${base}\` does not exist (\`pull_request.base\`)`);
  // A retry continues the existing branch (fast-forward), so it starts from the branch head.
  const branchSha = await forge.getBranchSha(branch);
  const startSha = branchSha ?? baseSha;
  await progress.show(
    { phase: "running", branch, base, baseSha: startSha, attempt: input.attempt },
    { branch, runner: config.runner, title: issue.title, url: issue.url, attempt: input.attempt },
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
  const result = await chosen.run(
    {
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
    },
    {
      downloadArchive: (sha) => forge.downloadArchive(sha),
      signal,
      // Time spent waiting for a free runner does not count toward "interrupted".
      started: () => progress.show({ phase: "running", branch, base, baseSha: startSha, attempt: input.attempt }),
      progress: (iteration) =>
        progress.show({ phase: "running", branch, base, baseSha: startSha, attempt: input.attempt, iteration }),
    },
  );
  if (result.kind === "dispatched") {
    await progress.show(
      { phase: "running", branch, base, baseSha: startSha, attempt: input.attempt, ciUrl: result.url },
      { branch, runner: config.runner },
    );
    return { commitSha: null, summary: "the run was handed to CI" }; // published by handleTaskRunCompleted
  }
  let changeSet = null;
  let summary = "the agent failed; the task comment on the issue says why";
  if (result.kind === "completed") {
    changeSet = result.changeSet;
    summary = changeSet.summary.trim() || "the agent left no summary";
    const published = await publishChangeSet({
      forge,
      config,
      issue,
      branch,
      base,
      attempt: input.attempt,
      changeSet,
      progress,
      logger: deps.logger,
      reviewRound: input.review?.round,
    });
    if (published === "published") return { commitSha: progress.current.lastCommit ?? null, summary };
  } else if (result.kind === "refused") {
    summary = result.message;
    await progress.show({ phase: "failed", failure: { kind: "refused", message: result.message } });
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
  if (ownsBranchHead) await settleHeadStatus(forge, branchSha, changeSet);
  return { commitSha: null, summary };
}
