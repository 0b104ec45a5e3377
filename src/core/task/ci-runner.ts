import type { Forge, TaskRunInputs } from "../forge.js";
import type { TaskRunner, TaskSpec } from "../task-runner.js";

// workflow_dispatch inputs share a 65,535-character budget; keep the summary well inside it.
const MAX_FAILURE_INPUT = 20_000;
const MAX_TITLE_INPUT = 1_000;
const MAX_BODY_INPUT = 20_000;
const MAX_PLAN_INPUT = 20_000;

/** Hands the task to the repository's own CI; the result comes back as a finished run. */
export function ciTaskRunner(forge: Forge): TaskRunner {
  return {
    async run(task) {
      const wanted = forge.ciRunner;
      if (task.config.runner !== wanted) {
        const name = forge.words.forgeName;
        return {
          kind: "refused",
          message:
            `\`runner: ${task.config.runner}\` does not exist on ${name}; use \`runner: ${wanted}\` or ` +
            `\`runner: local\`.`,
        };
      }
      const { url } = await forge.dispatchTaskRun({
        workflow: task.config.runner_workflow,
        ref: task.startRef ?? task.base,
        inputs: taskRunInputs(task),
      });
      return { kind: "dispatched", url };
    },
  };
}

export function taskRunInputs(task: TaskSpec): TaskRunInputs {
  return {
    issue: String(task.issue.number),
    title: task.issue.title.slice(0, MAX_TITLE_INPUT),
    url: task.issue.url,
    body: task.issue.body.slice(0, MAX_BODY_INPUT),
    branch: task.branch,
    base: task.base,
    attempt: String(task.attempt),
    failure: (task.failureSummary ?? "").slice(-MAX_FAILURE_INPUT),
    // Only with `plan.required`: a workflow without these inputs refuses a dispatch that sends them.
    ...(task.config.plan.required
      ? {
          mode: task.mode ?? "implement",
          plan: ((task.mode === "plan" ? task.planRequests : task.approvedPlan) ?? "").slice(0, MAX_PLAN_INPUT),
        }
      : {}),
  };
}

/** The run name the shipped workflow gives a task run; how a finished run finds its issue. */
export const TASK_RUN_NAME = /^factory task #(\d+) \(attempt (\d+)\)$/;
