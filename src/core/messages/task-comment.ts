import type { ForgeWording, PermissionLevel } from "../forge.js";
import type { AgentOutcome, IterationProgress } from "../task-runner.js";
import type { IterationsRecord, TestResult } from "../changeset.js";
import { MARKERS, encodeState } from "../markers.js";
import type { PlanState, TaskState } from "../task-state.js";
import type { MinPermission } from "../../config/types.js";
import { planHistory, plannedText } from "./plan.js";
import { codeBlock, formatDuration, inlineCode, plural, shortSha, tail } from "./format.js";
import { iterationProgressText, iterationsSentence } from "./iterations.js";

/** Why a task ended without a change request, with what the person can do about it. */
export type TaskFailure =
  | {
      kind: "agent-failed";
      agent: AgentOutcome;
      timeoutSeconds: number;
      /** Set when the task's time budget (`agent.max_minutes`) stopped it, not the agent's own timeout. */
      outOfTime?: { maxMinutes: number };
    }
  | { kind: "refused"; message: string }
  | { kind: "protected-paths"; paths: string[] }
  | { kind: "branch-moved"; branch: string }
  | { kind: "forge-error"; message: string }
  | { kind: "ci-run-failed"; url: string; excerpt: string[] }
  | { kind: "bad-artifact"; url: string; problem: string }
  | { kind: "internal"; message: string }
  /** A plan run (`plan.required`) ended without a plan in `FACTORY_PLAN_FILE`. */
  | { kind: "plan-missing"; reason: string };

export type TaskCommentView =
  | { phase: "queued" }
  /** A plan run: the agent writes a plan; nothing is pushed (docs/plans.md). */
  | { phase: "running"; planning: true; ciUrl?: string | null }
  | { phase: "planned"; plan: PlanState; needs: MinPermission }
  | {
      phase: "running";
      branch: string;
      base: string;
      baseSha: string;
      attempt: number;
      ciUrl?: string | null;
      /** The iteration in progress, once the first run's tests start. */
      iteration?: IterationProgress;
    }
  | {
      phase: "opened";
      changeRequest: { number: number; url: string; draft: boolean };
      branch: string;
      tests: TestResult[];
      updated: boolean;
      iterations?: IterationsRecord;
    }
  | { phase: "failed"; failure: TaskFailure }
  | { phase: "no-changes"; changeRequest?: { number: number; url: string } }
  | { phase: "denied"; user: string; has: PermissionLevel; needs: PermissionLevel; label: string }
  | {
      phase: "needs-config";
      reason: "missing-command" | "invalid";
      problems: string[];
      configPaths: readonly string[];
    };

const MAX_TAIL_CHARS = 3000;

export function renderTaskComment(view: TaskCommentView, state: TaskState, words: ForgeWording): string {
  const history = planHistory(state.plan, view.phase);
  return [MARKERS.task, encodeState(state), taskCommentText(view, words), ...(history ? [history] : [])].join("\n");
}

function taskCommentText(view: TaskCommentView, words: ForgeWording): string {
  switch (view.phase) {
    case "queued":
      return (
        "⏳ **factory** picked up this issue; the task is queued and will start shortly. This comment is " +
        "updated as it goes."
      );
    case "planned":
      return plannedText(view.plan, view.needs, words);
    case "running":
      if ("planning" in view) return planningText(view.ciUrl);
      if (view.ciUrl !== undefined) {
        return (
          `🏗️ **factory** handed this issue to CI${view.attempt > 1 ? ` (attempt ${view.attempt})` : ""}: the ` +
          `agent runs there on ` +
          `${inlineCode(view.branch)}, based on ` +
          `${inlineCode(view.base)}${view.ciUrl ? ` ([the run](${view.ciUrl}))` : ""}. ` +
          "This comment is updated when the run finishes."
        );
      }
      return (
        `🏗️ **factory** is working on this issue${view.attempt > 1 ? ` (attempt ${view.attempt})` : ""}: the ` +
        `agent runs on ` +
        `${inlineCode(view.branch)}, based on ${inlineCode(view.base)} at ${inlineCode(shortSha(view.baseSha))}. ` +
        "This comment is updated when it finishes." +
        (view.iteration ? `\n\n${iterationProgressText(view.iteration)}` : "")
      );
    case "opened":
      return openedText(view, words);
    case "failed":
      return failureText(view.failure);
    case "no-changes":
      if (view.changeRequest) {
        return (
          `ℹ️ The agent's new run changed nothing further, so ${words.changeRequest} ` +
          `${words.changeRequestRef(view.changeRequest.number)} (${view.changeRequest.url}) stays as it is.`
        );
      }
      return (
        `ℹ️ The agent finished without changing any file, so there is no ${words.changeRequest}. ` +
        "Add detail to the issue (what to change, where, how to check it), then remove and re-add the label " +
        "to try again."
      );
    case "denied":
      return (
        `👋 Thanks @${view.user}. Tasks can be started only by people with ` +
        `**${words.permissionName(view.needs)}** permission or higher ` +
        `on this repository (\`trigger.min_permission\`), and you have **${words.permissionName(view.has)}**. ` +
        `A maintainer can add the ${inlineCode(view.label)} label to start one.`
      );
    case "needs-config":
      return needsConfigText(view);
  }
}

function openedText(view: Extract<TaskCommentView, { phase: "opened" }>, words: ForgeWording): string {
  const ran = view.tests.filter((t) => !t.skipped);
  const failed = ran.filter((t) => t.exit_code !== 0);
  const ref = `${words.changeRequest} ${words.changeRequestRef(view.changeRequest.number)}`;
  const verb = view.updated ? "Updated" : "Opened";
  const draft = view.changeRequest.draft ? "draft " : "";
  const runs = view.iterations && view.iterations.runs.length > 1 ? ` ${iterationsSentence(view.iterations)}` : "";
  if (failed.length === 0) {
    const tests = ran.length === 0 ? "No tests were configured to run." : `${plural(ran.length, "test")} passed.`;
    return `✅ ${verb} ${draft}${ref} (${view.changeRequest.url}) from ${inlineCode(view.branch)}. ${tests}${runs}`;
  }
  const names = failed.map((t) => `${inlineCode(t.name)} (exit ${t.exit_code ?? "?"})`).join(", ");
  return (
    `⚠️ ${verb} ${draft}${ref} (${view.changeRequest.url}) from ${inlineCode(view.branch)}, but ` +
    `${failed.length} of ${plural(ran.length, "test")} failed: ${names}.` +
    `${view.iterations ? ` ${iterationsSentence(view.iterations)}` : ""} ` +
    `The failures are quoted in the ${words.changeRequestShort}; a person or the fix loop ` +
    `(\`ci.fix_attempts\`) can take it from there.`
  );
}

function failureText(failure: TaskFailure): string {
  switch (failure.kind) {
    case "agent-failed":
      return failure.outOfTime
        ? outOfTimeText(failure.agent, failure.outOfTime.maxMinutes)
        : agentFailedText(failure.agent, failure.timeoutSeconds);
    case "refused":
      return `⛔ The task stopped: ${failure.message}`;
    case "protected-paths":
      return (
        `⛔ The agent changed protected paths, so nothing was ` +
        `pushed:\n\n${failure.paths.map((p) => `- ${inlineCode(p)}`).join("\n")}\n\n` +
        "`protected_paths` in the factory config lists paths tasks may not change. Edit the issue to keep the " +
        "change out of them, " +
        "then remove and re-add the label."
      );
    case "branch-moved":
      return (
        `⛔ The branch ${inlineCode(failure.branch)} changed while the agent ran, so its result was not pushed ` +
        "(the bot never force-pushes). Remove and re-add the label to run again on the new head."
      );
    case "forge-error":
      return (
        `❌ The task stopped on an error from the forge: ${failure.message}. Remove and re-add the label ` +
        `to retry; if it persists, run \`factory-bot doctor\` on the server.`
      );
    case "internal":
      return `❌ The task stopped on an unexpected error: ${failure.message}. Remove and re-add the label to retry.`;
    case "ci-run-failed":
      return (
        `❌ [The task's CI run](${failure.url}) failed before it produced a change` +
        (failure.excerpt.length ? `:\n\n${codeBlock(failure.excerpt.join("\n"))}\n\n` : ". ") +
        "Check the workflow and the agent's secrets, then remove and re-add the label (or comment `/factory retry`)."
      );
    case "plan-missing":
      return (
        `❌ The agent wrote no plan: ${failure.reason}. With \`plan.required\` the agent's first run must write ` +
        "its plan (Markdown) to the file named by `FACTORY_PLAN_FILE`; nothing was changed. Check that " +
        "`agent.command` does so when `FACTORY_MODE` is `plan`, then comment `/factory retry`."
      );
    case "bad-artifact":
      return (
        `⛔ [The task's CI run](${failure.url}) left a \`changeset.json\` the bot will not use: ${failure.problem}. ` +
        "Nothing was pushed. Check that the workflow runs `factory-bot task` unchanged and uploads its output."
      );
  }
}

function planningText(ciUrl: string | null | undefined): string {
  const where = ciUrl === undefined ? "" : ` in CI${ciUrl ? ` ([the run](${ciUrl}))` : ""}`;
  return (
    `📝 **factory** is having the agent write a plan for this issue${where}. Nothing will be pushed until ` +
    "a person approves the plan. This comment shows the plan when it is ready."
  );
}

function agentFailedText(agent: AgentOutcome, timeoutSeconds: number): string {
  const how = agent.timedOut
    ? `timed out after ${formatDuration(timeoutSeconds * 1000)} (\`agent.timeout_seconds: ` +
      `${timeoutSeconds}\`) and was stopped`
    : agent.signal
      ? `was killed by ${agent.signal} after ${formatDuration(agent.durationMs)}`
      : `failed with exit code ${agent.exitCode} after ${formatDuration(agent.durationMs)}`;
  const output = outputOf(agent);
  const fix = agent.timedOut
    ? "Raise `agent.timeout_seconds` or narrow the issue, then remove and re-add the label."
    : "Check `agent.command` and the agent's credentials (`FACTORY_AGENT_ENV`), then remove and re-add the label.";
  return `❌ The agent command ${how}; nothing was pushed.${output}\n\n${fix}`;
}

function outOfTimeText(agent: AgentOutcome, maxMinutes: number): string {
  return (
    `⏱️ The task ran out of time: \`agent.max_minutes: ${maxMinutes}\` is the budget of every agent run and test run together, ` +
    "and it was spent while the agent's first run was still going, so it was stopped; nothing was pushed." +
    outputOf(agent) +
    "\n\nRaise `agent.max_minutes` or narrow the issue, then remove and re-add the label."
  );
}

function outputOf(agent: AgentOutcome): string {
  return agent.outputTail.trim()
    ? `\n\nLast lines of its output:\n\n${codeBlock(tail(agent.outputTail, MAX_TAIL_CHARS))}`
    : "\n\nIt printed nothing.";
}

// Comments are limited to 65,536 characters (GitHub); a config with hundreds of problems would
// exceed it and get no comment at all, so the list stops after the first few.
const MAX_LISTED_PROBLEMS = 20;
const MAX_PROBLEM_CHARS = 500;

function problemList(problems: readonly string[]): string {
  const listed = problems
    .slice(0, MAX_LISTED_PROBLEMS)
    .map((p) => `- ${p.length <= MAX_PROBLEM_CHARS ? p : `${p.slice(0, MAX_PROBLEM_CHARS - 1)}…`}`);
  const rest = problems.length - listed.length;
  if (rest > 0) listed.push(`- …and ${plural(rest, "more problem")}`);
  return listed.join("\n");
}

function needsConfigText(view: Extract<TaskCommentView, { phase: "needs-config" }>): string {
  if (view.reason === "missing-command") {
    return (
      `⚙️ Tasks are off for this repository: ${view.configPaths.map(inlineCode).join(" or ")} on the default ` +
      `branch sets no \`agent.command\` (or does not exist). ` +
      "Add one (see factory-bot's docs/configuration.md), then remove and re-add the label."
    );
  }
  const list = problemList(view.problems);
  return (
    `⚙️ The task cannot start because the factory config on the default branch has problems:\n\n${list}\n\n` +
    "Fix them (check locally with `npx factory-bot validate`), then remove and re-add the label."
  );
}
