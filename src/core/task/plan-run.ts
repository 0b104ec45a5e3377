import type { FactoryConfig } from "../../config/types.js";
import type { Forge } from "../forge.js";
import type { AgentOutcome, IssueRef, TaskRunner, TaskSpec } from "../task-runner.js";
import type { TaskState } from "../task-state.js";
import { renderBranchName } from "../templates.js";
import { ciTaskRunner } from "./ci-runner.js";
import { cleanPlan, planId, planRequestsMarkdown, withNewPlan } from "./plan.js";
import type { TaskProgress } from "./record.js";

/**
 * A plan run (docs/plans.md): the agent runs in a fresh workspace with `FACTORY_MODE=plan` and
 * writes a plan; whatever it changed is discarded, nothing is pushed, the plan is shown.
 */
export async function runPlan(
  input: { config: FactoryConfig; issue: IssueRef; progress: TaskProgress; attempt: number },
  deps: { forge: Forge; runner: TaskRunner },
  signal?: AbortSignal,
): Promise<void> {
  const { forge } = deps;
  const { config, issue, progress } = input;
  const base = config.pull_request.base ?? (await forge.getDefaultBranch());
  const baseSha = await forge.getBranchSha(base);
  if (!baseSha) {
    await progress.show({
      phase: "failed",
      failure: { kind: "refused", message: `the base branch \`${base}\` does not exist (\`pull_request.base\`)` },
    });
    return;
  }
  const branch = progress.current.branch ?? renderBranchName(config.pull_request.branch, issue);
  const previous = progress.current.plan;
  await progress.show(
    { phase: "running", planning: true },
    {
      mode: "plan",
      branch,
      runner: config.runner,
      title: issue.title,
      url: issue.url,
      attempt: input.attempt,
      plan: previous ? { ...previous, approved: undefined } : { requests: [] },
    },
  );
  const spec: TaskSpec = {
    repoFullName: forge.repo.fullName,
    issue,
    branch,
    base,
    baseSha,
    // Always from the base: a plan is about the repository as it is, not an earlier attempt's branch.
    startRef: base,
    attempt: input.attempt,
    config,
    mode: "plan",
    planRequests: planRequestsMarkdown(progress.current.plan?.requests ?? []),
  };
  const chosen = config.runner === "local" ? deps.runner : ciTaskRunner(forge);
  const result = await chosen.run(spec, {
    downloadArchive: (sha) => forge.downloadArchive(sha),
    signal,
    started: () => progress.show({ phase: "running", planning: true }),
  });
  switch (result.kind) {
    case "queued":
      return; // another replica takes it from the shared queue; resumeQueuedTask shows the plan
    case "dispatched":
      return progress.show({ phase: "running", planning: true, ciUrl: result.url });
    case "planned":
      return showPlan(progress, config, result.plan);
    case "completed":
      return showPlan(progress, config, "");
    case "refused":
      return progress.show({ phase: "failed", failure: { kind: "refused", message: result.message } });
    case "agent-failed":
      return showAgentFailed(progress, config, result.agent);
  }
}

/** A finished plan run's plan: shown with how to go on, or a clear failure when there is none. */
export async function showPlan(progress: TaskProgress, config: FactoryConfig, written: string): Promise<void> {
  const text = cleanPlan(written);
  if (text === "") {
    await progress.show(
      {
        phase: "failed",
        failure: { kind: "plan-missing", reason: "the file named by `FACTORY_PLAN_FILE` is missing or empty" },
      },
      { mode: "implement" },
    );
    return;
  }
  const plan = withNewPlan(progress.current.plan, text, progress.now().toISOString());
  await progress.show({ phase: "planned", plan, needs: config.trigger.min_permission }, { plan, mode: "implement" });
}

export async function showAgentFailed(progress: TaskProgress, config: FactoryConfig, agent: AgentOutcome) {
  await progress.show({
    phase: "failed",
    failure: { kind: "agent-failed", agent, timeoutSeconds: config.agent.timeout_seconds },
  });
}

/** The plan the current implementation carries out, when one was approved and is still the plan shown. */
export function approvedPlan(state: TaskState): { text: string; sha: string; id: string; by: string } | null {
  const plan = state.plan;
  if (!plan?.approved || !plan.text || plan.approved.sha !== plan.sha) return null;
  return { text: plan.text, sha: plan.approved.sha, id: planId(plan.approved.sha), by: plan.approved.by };
}
