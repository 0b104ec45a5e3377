import { Readable } from "node:stream";
import { handleIssueLabeled } from "../../../src/core/handlers/issue-labeled.js";
import { handleTaskRunCompleted } from "../../../src/core/handlers/task-run-completed.js";
import { checkChangeSet } from "../../../src/core/changeset-check.js";
import { TransientForgeError } from "../../../src/core/errors.js";
import type { TaskRunCompletedEvent } from "../../../src/core/events.js";
import { MARKERS, decodeState } from "../../../src/core/markers.js";
import type { TaskState } from "../../../src/core/task-state.js";
import { FakeForge } from "../../helpers/fake-forge.js";
import { makeConfig } from "../../helpers/config.js";
import { fixedClock, recordingLogger } from "../../helpers/logger.js";

const BASE = "b".repeat(40);
const unusedRunner = { run: async () => Promise.reject(new Error("the local runner must not run")) };

function setup() {
  const forge = new FakeForge();
  forge.config = { status: "ok", config: makeConfig({ runner: "actions", tests: [] }), files: [] };
  forge.permissions.set("alice", "write");
  const deps = {
    forge,
    runner: unusedRunner,
    logger: recordingLogger(),
    clock: fixedClock(),
    configPaths: [".github/factory.yml"],
  };
  const comment = () => forge.commentsOn({ kind: "issue", number: 4 }).find((c) => c.body.includes(MARKERS.task))!;
  return { forge, deps, comment };
}

async function dispatch(s: ReturnType<typeof setup>) {
  await handleIssueLabeled(
    {
      type: "issue.labeled",
      deliveryId: "d-1",
      label: "factory",
      actor: { login: "alice", isBot: false },
      issue: {
        number: 4,
        title: "Fix the footer",
        body: "It overlaps; see `rm -rf /`",
        url: "https://github.test/acme/widgets/issues/4",
        isPullRequest: false,
      },
    },
    s.deps,
  );
}

const runDone = (overrides: Partial<TaskRunCompletedEvent> = {}): TaskRunCompletedEvent => ({
  type: "task-run.completed",
  deliveryId: "d-2",
  actor: { login: "github-actions[bot]", isBot: true },
  issueNumber: 4,
  attempt: 1,
  runId: "900",
  url: "https://github.test/acme/widgets/actions/runs/900",
  succeeded: true,
  workflowPath: ".github/workflows/factory-task.yml",
  ...overrides,
});

const changeSetJson = (overrides: object = {}) =>
  JSON.stringify({
    version: 1,
    base_sha: BASE,
    files: [
      {
        path: "src/footer.css",
        action: "update",
        mode: "100644",
        encoding: "utf8",
        content: "footer { clear: both; }\n",
      },
    ],
    summary: "Cleared the float.",
    tests: [{ name: "unit", command: "npm test", exit_code: 0, duration_ms: 3000, output_tail: "" }],
    agent: { exit_code: 0, timed_out: false, duration_ms: 1000, output_tail: "" },
    ...overrides,
  });

describe("runner: actions", () => {
  it("dispatches the workflow on the base branch with the task as inputs, and waits", async () => {
    const s = setup();
    await dispatch(s);
    expect(s.forge.dispatched).toEqual([
      {
        workflow: "factory-task.yml",
        ref: "main",
        inputs: {
          issue: "4",
          title: "Fix the footer",
          url: "https://github.test/acme/widgets/issues/4",
          body: "It overlaps; see `rm -rf /`",
          branch: "factory/4-fix-the-footer",
          base: "main",
          attempt: "1",
          failure: "",
        },
      },
    ]);
    expect(s.forge.commits).toEqual([]);
    expect(s.comment().body).toContain("handed this issue to CI");
    expect(s.comment().body).toContain("https://github.test/acme/widgets/actions/runs/1");
    expect(decodeState<TaskState>(s.comment().body)).toMatchObject({
      phase: "running",
      runner: "actions",
      attempt: 1,
      title: "Fix the footer",
    });
  });

  it("commits the run's ChangeSet as the app and opens the PR, once however often the run is reported", async () => {
    const s = setup();
    await dispatch(s);
    s.forge.taskArtifacts.set("900", changeSetJson());
    await handleTaskRunCompleted(runDone(), s.deps);
    await handleTaskRunCompleted(runDone({ deliveryId: "d-3" }), s.deps);
    expect(s.forge.commits).toHaveLength(1);
    expect(s.forge.commits[0]).toMatchObject({ parent: BASE, files: [{ path: "src/footer.css" }] });
    expect(s.forge.changeRequests).toHaveLength(1);
    expect(s.forge.changeRequests[0]!.title).toBe("[Factory] #4: Fix the footer");
    expect(s.forge.changeRequests[0]!.body).toContain("Cleared the float.");
    expect(s.forge.statuses).toEqual([expect.objectContaining({ context: "factory/task", state: "success" })]);
    expect(decodeState<TaskState>(s.comment().body)?.phase).toBe("opened");
  });

  it("finishes a publish that crashed after its commit, without a second commit", async () => {
    const s = setup();
    await dispatch(s);
    s.forge.taskArtifacts.set("900", changeSetJson());
    const runningBody = s.comment().body;
    const create = s.forge.createChangeRequest.bind(s.forge);
    s.forge.createChangeRequest = async () =>
      Promise.reject(new TransientForgeError("GitHub pull request creation: 502", 502));
    await handleTaskRunCompleted(runDone(), s.deps);
    expect(s.comment().body).toContain("error from the forge");
    // As if the process had died before it could write that: the queue delivers the run again.
    s.comment().body = runningBody;
    s.forge.createChangeRequest = create;
    await handleTaskRunCompleted(runDone({ deliveryId: "d-redelivered" }), s.deps);
    expect(s.forge.commits).toHaveLength(1);
    expect(s.forge.changeRequests).toHaveLength(1);
    expect(decodeState<TaskState>(s.comment().body)?.phase).toBe("opened");
  });

  it("publishes a CI run's iterations: the PR body says how many runs it took and why it stopped", async () => {
    const s = setup();
    await dispatch(s);
    const failing = { name: "unit", command: "npm test", exit_code: 1, duration_ms: 3000, output_tail: "1 failed" };
    const passing = { ...failing, exit_code: 0, output_tail: "" };
    const agent = { exit_code: 0, timed_out: false, duration_ms: 1000, output_tail: "" };
    const iterations = {
      max_iterations: 3,
      max_minutes: 60,
      stopped: "passed",
      published_run: 2,
      runs: [
        { iteration: 1, agent, changed: true, tests: [failing] },
        { iteration: 2, agent, changed: true, tests: [passing] },
      ],
    };
    s.forge.taskArtifacts.set("900", changeSetJson({ tests: [passing], iterations }));
    await handleTaskRunCompleted(runDone(), s.deps);
    const body = s.forge.changeRequests[0]!.body;
    expect(body).toContain("It took 2 agent runs (at most 3, `agent.max_iterations`); the tests passed after run 2.");
    expect(body).toContain("<details><summary>Run 1: 1 of 1 test failed</summary>");
    expect(s.comment().body).toContain("It took 2 agent runs");
  });

  it("says a CI run ran out of time when its first agent run was stopped at agent.max_minutes", async () => {
    const s = setup();
    await dispatch(s);
    const agent = { exit_code: null, timed_out: true, duration_ms: 3_600_000, output_tail: "still thinking" };
    const iterations = {
      max_iterations: 3,
      max_minutes: 45,
      stopped: "out-of-time",
      published_run: 0,
      runs: [{ iteration: 1, agent, changed: false, tests: [] }],
    };
    s.forge.taskArtifacts.set("900", changeSetJson({ files: [], tests: [], agent, iterations }));
    await handleTaskRunCompleted(runDone(), s.deps);
    expect(s.forge.commits).toEqual([]);
    expect(s.comment().body).toContain("The task ran out of time: `agent.max_minutes: 45`");
    expect(s.comment().body).toContain("still thinking");
  });

  it.each([
    [
      "a path outside the repository",
      changeSetJson({
        files: [{ path: "../../etc/passwd", action: "create", mode: "100644", encoding: "utf8", content: "x" }],
      }),
      "not a relative path inside the repository",
    ],
    [
      "a write into .git",
      changeSetJson({
        files: [{ path: ".git/hooks/post-checkout", action: "create", mode: "100755", encoding: "utf8", content: "x" }],
      }),
      "not a relative path",
    ],
    ["an unknown version", changeSetJson({ version: 2 }), "version 2 is not supported"],
    ["something that is not JSON", "PK\u0003\u0004", "not valid JSON"],
  ])("refuses an artifact with %s, with a clear comment, and pushes nothing", async (_, text, problem) => {
    const s = setup();
    await dispatch(s);
    s.forge.taskArtifacts.set("900", text);
    await handleTaskRunCompleted(runDone(), s.deps);
    expect(s.forge.commits).toEqual([]);
    expect(s.comment().body).toContain(problem);
    expect(s.comment().body).toContain("Nothing was pushed");
  });

  it("reports a run without an artifact, and a failed run with its log's root lines", async () => {
    const missing = setup();
    await dispatch(missing);
    await handleTaskRunCompleted(runDone(), missing.deps);
    expect(missing.comment().body).toContain("uploaded no `changeset.json` artifact");

    const failed = setup();
    await dispatch(failed);
    failed.forge.taskRunJobs.set("900", [
      {
        id: "1",
        name: "task",
        url: "u",
        state: "failure",
        openLog: async () =>
          Readable.from([
            "Run npx factory-bot task\nError: ANTHROPIC_API_KEY is not set\n##[error]Process completed with exit code 1.\n",
          ]),
      },
    ]);
    await handleTaskRunCompleted(runDone({ succeeded: false }), failed.deps);
    expect(failed.comment().body).toContain("ANTHROPIC_API_KEY is not set");
    expect(failed.forge.commits).toEqual([]);
  });

  it("shows an agent failure recorded in the ChangeSet", async () => {
    const s = setup();
    await dispatch(s);
    s.forge.taskArtifacts.set(
      "900",
      changeSetJson({
        files: [],
        agent: { exit_code: 2, timed_out: false, duration_ms: 5000, output_tail: "rate limited" },
      }),
    );
    await handleTaskRunCompleted(runDone(), s.deps);
    expect(s.comment().body).toContain("failed with exit code 2");
    expect(s.comment().body).toContain("rate limited");
  });

  it("ignores runs no task is waiting for: another attempt, another workflow, no task at all", async () => {
    const s = setup();
    await handleTaskRunCompleted(runDone(), s.deps);
    await dispatch(s);
    s.forge.taskArtifacts.set("900", changeSetJson());
    await handleTaskRunCompleted(runDone({ attempt: 2 }), s.deps);
    await handleTaskRunCompleted(runDone({ workflowPath: ".github/workflows/other.yml" }), s.deps);
    expect(s.forge.commits).toEqual([]);
    expect(decodeState<TaskState>(s.comment().body)?.phase).toBe("running");
  });
});

describe("checkChangeSet", () => {
  it("redacts the free text it will post: summary and output tails", () => {
    const token = "ghp_" + "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8";
    const result = checkChangeSet(
      changeSetJson({
        summary: `done with ${token}`,
        agent: { exit_code: 1, timed_out: false, duration_ms: 1, output_tail: token },
        tests: [{ name: "t", command: "c", exit_code: 1, duration_ms: 1, output_tail: token }],
      }),
    );
    expect(result.ok && JSON.stringify(result.changeSet)).not.toContain(token);
  });

  it("accepts a valid ChangeSet and caps free text", () => {
    const result = checkChangeSet(changeSetJson({ summary: "s".repeat(50_000) }));
    expect(result.ok && result.changeSet.summary.length).toBe(20_000);
  });
  it.each(["a/./b", "a//b", "/abs", "a\\b", "", "dir/"])("refuses the path %j", (path) => {
    const result = checkChangeSet(
      changeSetJson({ files: [{ path, action: "create", mode: "100644", encoding: "utf8", content: "" }] }),
    );
    expect(result.ok).toBe(false);
  });
});
