import { renderTaskComment, type TaskCommentView } from "../../src/core/messages/task-comment.js";
import { buildPullRequestBody } from "../../src/core/messages/pull-request-body.js";
import { codeBlock, inlineCode } from "../../src/core/messages/format.js";
import type { TaskState } from "../../src/core/task-state.js";
import { githubWords } from "../helpers/fake-forge.js";

const state: TaskState = {
  phase: "queued",
  issue: 7,
  attempt: 1,
  updatedAt: "2026-11-21T10:00:00.000Z",
  deliveryId: "d-1",
};

const views: Array<[string, TaskCommentView]> = [
  ["queued", { phase: "queued" }],
  ["running", { phase: "running", branch: "factory/7-x", base: "main", baseSha: "0123456789abcdef", attempt: 2 }],
  [
    "opened, tests passed",
    {
      phase: "opened",
      changeRequest: { number: 9, url: "https://github.test/a/b/pull/9", draft: false },
      branch: "factory/7-x",
      updated: false,
      tests: [{ name: "unit", command: "npm test", exit_code: 0, duration_ms: 10, output_tail: "" }],
    },
  ],
  [
    "opened, tests failed",
    {
      phase: "opened",
      changeRequest: { number: 9, url: "https://github.test/a/b/pull/9", draft: true },
      branch: "factory/7-x",
      updated: true,
      tests: [
        { name: "unit", command: "npm test", exit_code: 1, duration_ms: 10, output_tail: "boom" },
        { name: "lint", command: "npm run lint", exit_code: null, duration_ms: 0, output_tail: "", skipped: true },
      ],
    },
  ],
  [
    "agent failed",
    {
      phase: "failed",
      failure: {
        kind: "agent-failed",
        timeoutSeconds: 1800,
        agent: { exitCode: 3, signal: null, timedOut: false, durationMs: 4000, outputTail: "```\nnested fence\n```" },
      },
    },
  ],
  ["protected paths", { phase: "failed", failure: { kind: "protected-paths", paths: [".github/workflows/ci.yml"] } }],
  ["no changes", { phase: "no-changes" }],
  ["denied", { phase: "denied", user: "mallory", has: "read", needs: "write", label: "factory" }],
  [
    "missing command",
    { phase: "needs-config", reason: "missing-command", problems: [], configPaths: [".github/factory.yml"] },
  ],
];

describe("progress comment", () => {
  it.each(views)("%s", (_, view) => {
    expect(renderTaskComment(view, { ...state, phase: view.phase }, githubWords)).toMatchSnapshot();
  });
});

describe("pull request body", () => {
  it("says what changed, why and which tests ran", () => {
    const body = buildPullRequestBody({
      issue: { number: 7, title: "Dark mode", url: "https://github.test/a/b/issues/7" },
      words: githubWords,
      changeSet: {
        version: 1,
        base_sha: "b".repeat(40),
        summary: "Added a toggle.",
        files: [
          { path: "src/a.ts", action: "update", mode: "100644", encoding: "utf8", content: "" },
          { path: "old.txt", action: "delete", mode: "", encoding: "utf8", content: "" },
        ],
        tests: [
          { name: "unit", command: "npm test", exit_code: 1, duration_ms: 61_000, output_tail: "FAIL a.test.ts" },
          { name: "docs|lint", command: "make docs", exit_code: null, duration_ms: 0, output_tail: "", skipped: true },
        ],
      },
    });
    expect(body).toMatchSnapshot();
  });

  it("stays under the forge's size limit with a huge summary and many files", () => {
    const files = Array.from({ length: 5000 }, (_, i) => ({
      path: `f${i}.txt`,
      action: "create" as const,
      mode: "100644" as const,
      encoding: "utf8" as const,
      content: "",
    }));
    const body = buildPullRequestBody({
      issue: { number: 1, title: "t", url: "u" },
      words: githubWords,
      changeSet: { version: 1, base_sha: "b", summary: "x".repeat(200_000), files, tests: [] },
    });
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain("… and 4900 more");
  });
});

describe("format helpers", () => {
  it("fences code so backticks inside cannot close the block", () => {
    expect(codeBlock("a ``` b")).toBe("````\na ``` b\n````");
    expect(inlineCode("a`b")).toBe("``a`b``");
  });
});
