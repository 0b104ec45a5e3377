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
import { isShutdown, type TaskCancellation, type TaskRegistration } from "../cancellation.js";

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
}

/** Runs the agent for a claimed task and publishes what it made; every outcome ends on the comment. */
export async function runTask(input: RunTaskInput, deps: RunTaskDeps): Promise<void> {
  const { progress } = input;
  const registration = deps.cancellation?.register(`${deps.forge.repo.fullName}#${input.issue.number}`);
  const stage: Stage = { now: "preparing" };
  try {
    await runAndPublish(input, deps, stage, registration);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
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
      return;
    }
    if (err instanceof TaskError) {
      await progress.show({ phase: "failed", failure: { kind: "refused", message } });
      return;
    }
    const kind = err instanceof ForgeError ? "forge-error" : "internal";
    deps.logger.error({ err }, "task failed");
    await progress.show({ phase: "failed", failure: { kind, message } }, { retryable: kind === "forge-error" });
  } finally {
    registration?.done();
  }
}

/** Where a task is, so an abort is reported for what it stopped. */
interface Stage {
  now: "preparing" | "queued" | "running" | "publishing";
}

async function runAndPublish(
  input: RunTaskInput,
  deps: RunTaskDeps,
  stage: Stage,
  registration?: TaskRegistration,
): Promise<void> {
  const signal = registration?.signal;
  const { forge, runner } = deps;
  const { config, issue, progress } = input;
  const base = config.pull_request.base ?? (await forge.getDefaultBranch());
  const branch = input.branch ?? renderBranchName(config.pull_request.branch, issue);
  const baseSha = await forge.getBranchSha(base);
  if (!baseSha) throw new ForgeError(`the base branch \`${base}\` does not exist (\`pull_request.base\`)`);
  // A retry continues the existing branch (fast-forward), so it starts from the branch head.
  const branchSha = await forge.getBranchSha(branch);
  const startSha = branchSha ?? baseSha;
  const running = { phase: "running" as const, branch, base, baseSha: startSha, attempt: input.attempt };
  // A local task waits for a free runner: it says "queued" until it gets one, never "running" early.
  const local = config.runner === "local";
  stage.now = local ? "queued" : "running";
  await progress.show(local ? { phase: "queued" } : running, {
    branch,
    runner: config.runner,
    title: issue.title,
    url: issue.url,
    attempt: input.attempt,
  });
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
      config,
    },
    {
      downloadArchive: (sha) => forge.downloadArchive(sha),
      signal,
      // Time spent waiting for a free runner does not count toward "interrupted".
      started: () => {
        stage.now = "running";
        registration?.started();
        return progress.show(running);
      },
    },
  );
  stage.now = "publishing";
  if (result.kind === "dispatched") {
    await progress.show({ ...running, ciUrl: result.url }, { branch, runner: config.runner });
    return; // the finished run is published by handleTaskRunCompleted
  }
  let changeSet = null;
  if (result.kind === "completed") {
    changeSet = result.changeSet;
    const outcome = await publishChangeSet({
      forge,
      config,
      issue,
      branch,
      base,
      attempt: input.attempt,
      changeSet,
      progress,
      logger: deps.logger,
    });
    if (outcome === "published") return;
  } else if (result.kind === "refused") {
    await progress.show({ phase: "failed", failure: { kind: "refused", message: result.message } });
  } else {
    await progress.show({
      phase: "failed",
      failure: { kind: "agent-failed", agent: result.agent, timeoutSeconds: config.agent.timeout_seconds },
    });
  }
  if (ownsBranchHead) await settleHeadStatus(forge, branchSha, changeSet);
}
