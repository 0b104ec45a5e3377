import { constants as fsConstants } from "node:fs";
import { open, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TaskSpec } from "../core/task-runner.js";
import { redactSecrets } from "../summarize/redact.js";
import { untrustedSection, visibleText } from "../core/untrusted-text.js";

/** Files that carry issue text to the agent, kept outside the workspace so they never enter a ChangeSet. */
export interface TaskFiles {
  taskFile: string;
  summaryFile: string;
  /** Present on fix attempts only. */
  failureFile: string | null;
  /** Plan runs: where the agent writes its plan; implementation runs of an approved plan: the plan. */
  planFile: string | null;
  /** Present on review rounds only. */
  reviewFile: string | null;
}

export async function writeTaskFiles(directory: string, task: TaskSpec): Promise<TaskFiles> {
  const taskFile = path.join(directory, "task.md");
  await writeFile(taskFile, renderTaskMarkdown(task));
  let failureFile: string | null = null;
  if (task.failureSummary !== undefined) {
    failureFile = path.join(directory, "ci-failure.md");
    await writeFile(failureFile, task.failureSummary);
  }
  let reviewFile: string | null = null;
  if (task.review !== undefined) {
    reviewFile = path.join(directory, "review.md");
    await writeFile(reviewFile, task.review.markdown);
  }
  const planFile = task.mode === "plan" || task.approvedPlan !== undefined ? path.join(directory, "plan.md") : null;
  if (planFile !== null && task.approvedPlan !== undefined) await writeFile(planFile, task.approvedPlan);
  return { taskFile, summaryFile: path.join(directory, "summary.md"), failureFile, reviewFile, planFile };
}

/** The task variables (docs/configuration.md, "What the agent gets"); issue text goes only here, never into a command line. */
export function taskVariables(task: TaskSpec, files: TaskFiles): Record<string, string> {
  return {
    FACTORY_TASK_FILE: files.taskFile,
    FACTORY_SUMMARY_FILE: files.summaryFile,
    FACTORY_ISSUE_NUMBER: String(task.issue.number),
    FACTORY_ISSUE_TITLE: task.issue.title,
    FACTORY_BRANCH: task.branch,
    FACTORY_BASE: task.base,
    // Without `plan.required` every run implements (docs/plans.md).
    FACTORY_MODE: task.mode ?? "implement",
    ...(files.planFile === null ? {} : { FACTORY_PLAN_FILE: files.planFile }),
    ...(files.failureFile === null ? {} : { FACTORY_CI_FAILURE_FILE: files.failureFile }),
    // A review round answers review threads (docs/review-rounds.md).
    ...(files.reviewFile === null ? {} : { FACTORY_MODE: "review", FACTORY_REVIEW_FILE: files.reviewFile }),
  };
}

export function renderTaskMarkdown(task: TaskSpec): string {
  const author = task.issue.author ?? null;
  const sections = [
    `# Issue #${task.issue.number}: ${visibleText(task.issue.title).replace(/\n/g, " ")}`,
    task.issue.url,
    untrustedSection(
      "Issue text",
      author,
      visibleText(task.issue.body).trim() === "" ? "(The issue has no description.)" : task.issue.body,
    ),
  ];
  if (task.failureSummary !== undefined) {
    sections.push(
      `## CI failure (fix attempt ${task.attempt})`,
      "CI failed on the pull request made for this issue. Fix what made it fail:",
      task.failureSummary,
    );
  }
  if (task.review !== undefined) {
    sections.push(
      `## Review round ${task.review.round}`,
      "Reviewers asked for changes on the pull request made for this issue. Their unresolved threads are in the " +
        "file named by the FACTORY_REVIEW_FILE environment variable; address them.",
    );
  }
  sections.push(...planSections(task));
  return `${sections.join("\n\n")}\n`;
}

/** What the agent is asked to do: write a plan (`FACTORY_MODE=plan`), or make the change (docs/plans.md). */
function planSections(task: TaskSpec): string[] {
  if (task.mode === "plan") {
    return [
      ...(task.planRequests ? [task.planRequests] : []),
      "---",
      "Do not change the repository: write a plan for this issue, in Markdown, to the file named by the " +
        "FACTORY_PLAN_FILE environment variable. Name the files to touch, the possible impacts, and the test " +
        "suites to run. A person reads the plan and approves it (or asks for changes) before anything is made; " +
        "whatever you change in the current directory is discarded.",
    ];
  }
  const approved =
    task.approvedPlan === undefined
      ? []
      : [
          "## Approved plan",
          "A person approved this plan (also in the file named by FACTORY_PLAN_FILE). Carry it out:",
          task.approvedPlan,
        ];
  return [
    ...approved,
    "---",
    "Make the change in the current directory. You may write a short summary of what you changed, " +
      "for the pull request, to the file named by the FACTORY_SUMMARY_FILE environment variable.",
  ];
}

/** Variables of one agent run: which run it is and, from the second on, why it runs again. */
export function iterationVariables(iteration: number, testFailureFile: string | null): Record<string, string> {
  return {
    FACTORY_ITERATION: String(iteration),
    ...(testFailureFile === null ? {} : { FACTORY_TEST_FAILURE_FILE: testFailureFile }),
  };
}

/**
 * Before a re-run: the failures go to their own file, and the task file gains them too, since
 * many agent commands read only `FACTORY_TASK_FILE`.
 */
export async function writeTestFailure(
  directory: string,
  task: TaskSpec,
  files: TaskFiles,
  failureMarkdown: string,
): Promise<string> {
  const failureFile = path.join(directory, "test-failure.md");
  await writeFile(failureFile, failureMarkdown);
  await writeFile(
    files.taskFile,
    `${renderTaskMarkdown(task)}
${failureMarkdown}`,
  );
  return failureFile;
}

/**
 * The agent's summary, capped and redacted; empty when it wrote none. Only a regular file is read:
 * a summary that is a symlink could smuggle any file of the server into a pull request.
 */
export async function readSummary(file: string, maxChars: number): Promise<string> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO left at this path must not wait for a writer forever.
    handle = await open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch {
    return "";
  }
  try {
    if (!(await handle.stat()).isFile()) return "";
    // UTF-8 takes at most 4 bytes a character.
    const buffer = Buffer.alloc(maxChars * 4);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return capSummary(redactSecrets(buffer.subarray(0, bytesRead).toString("utf8")).trim(), maxChars);
  } finally {
    await handle.close();
  }
}

function capSummary(summary: string, maxChars: number): string {
  return summary.length <= maxChars ? summary : `${summary.slice(0, maxChars).trimEnd()}\n\n(summary truncated)`;
}
