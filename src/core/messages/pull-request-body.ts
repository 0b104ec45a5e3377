import type { ChangeSet, TestResult } from "../changeset.js";
import type { ForgeWording } from "../forge.js";
import { encodeState } from "../markers.js";
import { codeBlock, formatDuration, inlineCode, tableCell, tail } from "./format.js";
import { iterationsSentence, testsOutcomeText } from "./iterations.js";

export interface PullRequestBodyInput {
  issue: { number: number; title: string; url: string };
  changeSet: ChangeSet;
  words: ForgeWording;
  /** The approved plan this change carries out (`plan.required`), linked where it is shown. */
  plan?: { id: string; by: string; url: string };
}

// GitHub refuses bodies over 65,536 characters; the builder keeps well under it.
const MAX_BODY_CHARS = 60_000;
const MAX_FILES_LISTED = 100;
const MAX_SUMMARY_CHARS = 20_000;
const MAX_FAILURE_TAIL_CHARS = 4_000;

const ACTION_WORDS = { create: "added", update: "modified", delete: "deleted" } as const;

/** The change request body: what changed, why, and which tests passed. Pure. */
export function buildPullRequestBody(input: PullRequestBodyInput): string {
  const { issue, changeSet, words } = input;
  const summary = changeSet.summary.trim()
    ? tail(changeSet.summary.trim(), MAX_SUMMARY_CHARS)
    : `The agent's change for ${words.issueRef(issue.number)}: ${issue.title}`;
  const sections = [
    encodeState({ issue: issue.number }),
    "## What changed",
    summary,
    changedFilesSection(changeSet),
    "## Why",
    `${words.closesIssue(issue.number)}, requested in ${issue.url}.` +
      (input.plan
        ? ` It carries out [plan ${inlineCode(input.plan.id)}](${input.plan.url}), approved by @${input.plan.by}.`
        : ""),
    "## Tests",
    ...(changeSet.iterations ? [iterationsSentence(changeSet.iterations)] : []),
    testsSection(changeSet.tests),
    ...earlierRunsSection(changeSet),
    "<sub>Made by factory-bot from the repository's `agent.command`; tests are the repository's own `tests` " +
      "commands.</sub>",
  ];
  const body = sections.join("\n\n");
  return body.length <= MAX_BODY_CHARS
    ? body
    : body.slice(0, MAX_BODY_CHARS - 40) + "\n\n… (cut to fit the forge's limit)";
}

function changedFilesSection(changeSet: ChangeSet): string {
  const rows = changeSet.files
    .slice(0, MAX_FILES_LISTED)
    .map((f) => `- ${inlineCode(f.path)} (${ACTION_WORDS[f.action]})`);
  const more =
    changeSet.files.length > MAX_FILES_LISTED ? [`- … and ${changeSet.files.length - MAX_FILES_LISTED} more`] : [];
  const list = [...rows, ...more].join("\n");
  return (
    `<details><summary>${changeSet.files.length} changed ` +
    `file${changeSet.files.length === 1 ? "" : "s"}</summary>\n\n${list}\n\n</details>`
  );
}

export function testResultLabel(test: TestResult): string {
  if (test.skipped) return "⏭️ skipped (no changed file matches `paths`)";
  if (test.timed_out) return "⏱️ timed out";
  return test.exit_code === 0 ? "✅ passed" : `❌ failed (exit ${test.exit_code ?? "?"})`;
}

function testTable(tests: readonly TestResult[]): string {
  const header = "| Test | Result | Duration |\n| --- | --- | --- |";
  const rows = tests.map(
    (t) =>
      `| ${tableCell(inlineCode(t.name))} | ${testResultLabel(t)} | ` +
      `${t.skipped ? "–" : formatDuration(t.duration_ms)} |`,
  );
  return [header, ...rows].join("\n");
}

/** The test tables of the other runs, collapsed: the published run's table is what counts. */
function earlierRunsSection(changeSet: ChangeSet): string[] {
  const published = changeSet.iterations?.published_run ?? 0;
  const others = (changeSet.iterations?.runs ?? []).filter((run) => run.iteration !== published);
  return others.map((run) => {
    if (run.tests.length > 0) {
      const summary = `Run ${run.iteration}: ${testsOutcomeText(run.tests)}`;
      return `<details><summary>${summary}</summary>\n\n${testTable(run.tests)}\n\n</details>`;
    }
    if (run.agent.timed_out) return `Run ${run.iteration}: the agent was stopped before it finished; no test ran.`;
    if (run.agent.exit_code !== 0)
      return `Run ${run.iteration}: the agent failed (exit ${run.agent.exit_code ?? "?"}); no test ran.`;
    return `Run ${run.iteration}: the agent changed nothing; no test ran.`;
  });
}

function testsSection(tests: TestResult[]): string {
  if (tests.length === 0) return "No tests are configured (`tests` in the factory config), so none ran.";
  const failures = tests
    .filter((t) => !t.skipped && t.exit_code !== 0)
    .map(
      (t) =>
        `<details><summary>Output of ${inlineCode(t.name)} (${inlineCode(t.command)})</summary>\n\n` +
        `${codeBlock(tail(t.output_tail, MAX_FAILURE_TAIL_CHARS) || "(no output)")}\n\n</details>`,
    );
  return testTable(tests) + (failures.length ? "\n\n" + failures.join("\n\n") : "");
}
