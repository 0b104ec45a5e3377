import { Readable } from "node:stream";
import { handleCommand } from "../../../src/core/handlers/command.js";
import { handleIssueLabeled } from "../../../src/core/handlers/issue-labeled.js";
import { TaskCancellation } from "../../../src/core/cancellation.js";
import { parseCommand, type CommandEvent } from "../../../src/core/events.js";
import { MARKERS, decodeState } from "../../../src/core/markers.js";
import type { TaskRunResult, TaskSpec } from "../../../src/core/task-runner.js";
import type { TaskState } from "../../../src/core/task-state.js";
import { FakeForge } from "../../helpers/fake-forge.js";
import { makeConfig } from "../../helpers/config.js";
import { fixedClock, recordingLogger } from "../../helpers/logger.js";

function setup(
  result: (spec: TaskSpec, signal?: AbortSignal) => Promise<TaskRunResult> = async (spec) => changed(spec),
) {
  const forge = new FakeForge();
  forge.config = { status: "ok", config: makeConfig({ ci: { fix_attempts: 0 } }), files: [] };
  forge.permissions.set("alice", "write");
  forge.permissions.set("guest", "read");
  const specs: TaskSpec[] = [];
  const runner = {
    run: (spec: TaskSpec, ctx: { signal?: AbortSignal }) => (specs.push(spec), result(spec, ctx.signal)),
  };
  const cancellation = new TaskCancellation();
  const deps = { forge, runner, logger: recordingLogger(), clock: fixedClock(), cancellation };
  const task = () => forge.commentsOn({ kind: "issue", number: 6 }).find((c) => c.body.includes(MARKERS.task));
  return { forge, specs, deps, task, cancellation };
}

function changed(spec: TaskSpec): TaskRunResult {
  return {
    kind: "completed",
    agent: { exitCode: 0, signal: null, timedOut: false, durationMs: 1, outputTail: "" },
    changeSet: {
      version: 1,
      base_sha: spec.baseSha,
      files: [{ path: "a.txt", action: "create", mode: "100644", encoding: "utf8", content: `${spec.attempt}` }],
      summary: "",
      tests: [],
    },
  };
}

const command = (command: CommandEvent["command"], overrides: Partial<CommandEvent> = {}): CommandEvent => ({
  type: "command",
  deliveryId: `c-${Math.random()}`,
  actor: { login: "alice", isBot: false },
  command,
  target: { kind: "issue", number: 6 },
  commentId: 55,
  issue: { number: 6, title: "Add a.txt", body: "", url: "https://github.test/i/6" },
  ...overrides,
});

async function label(s: ReturnType<typeof setup>) {
  await handleIssueLabeled(
    {
      type: "issue.labeled",
      deliveryId: "l",
      label: "factory",
      actor: { login: "alice", isBot: false },
      issue: { number: 6, title: "Add a.txt", body: "", url: "https://github.test/i/6", isPullRequest: false },
    },
    { ...s.deps, configPaths: [".github/factory.yml"] },
  );
}

describe("parseCommand", () => {
  it.each([
    ["/factory retry", "retry"],
    ["  /FACTORY Fix please", "fix"],
    ["/factory stop\nbecause", "stop"],
    ["/factory dance", { unknown: "dance" }],
    ["/factory", { unknown: "" }],
    ["please /factory retry", null],
    ["> /factory retry", null],
  ])("%j → %j", (body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe("/factory commands", () => {
  it("retry runs the task again on the same branch and PR, and acknowledges the comment", async () => {
    const s = setup();
    await label(s);
    await handleCommand(command("retry"), s.deps);
    expect(s.specs).toHaveLength(2);
    expect(s.forge.changeRequests).toHaveLength(1);
    expect(s.forge.commits[1]!.parent).toBe(s.forge.commits[0]!.sha);
    expect(s.forge.acknowledged).toEqual([55]);
  });

  it("runs a redelivered command once", async () => {
    const s = setup();
    await label(s);
    const once = command("retry", { deliveryId: "same-delivery" });
    await handleCommand(once, s.deps);
    await handleCommand(once, s.deps);
    expect(s.specs).toHaveLength(2);
  });

  it("a re-label after /factory stop starts a run that is not marked stopped", async () => {
    const s = setup();
    await label(s);
    await handleCommand(command("stop"), s.deps);
    await handleIssueLabeled(
      {
        type: "issue.labeled",
        deliveryId: "relabel",
        label: "factory",
        actor: { login: "alice", isBot: false },
        issue: { number: 6, title: "Add a.txt", body: "", url: "u", isPullRequest: false },
      },
      { ...s.deps, configPaths: [".github/factory.yml"] },
    );
    expect(s.specs).toHaveLength(2);
    expect(decodeState<TaskState>(s.task()!.body)).toMatchObject({ stopped: false });
  });

  it("retry works from the PR too", async () => {
    const s = setup();
    await label(s);
    await handleCommand(
      command("retry", { target: { kind: "change", number: s.forge.changeRequests[0]!.number }, issue: undefined }),
      s.deps,
    );
    expect(s.specs).toHaveLength(2);
    expect(s.specs[1]!.issue.title).toBe("Add a.txt");
  });

  it("answers people below min_permission once and does nothing else", async () => {
    const s = setup();
    await handleCommand(command("retry", { actor: { login: "guest", isBot: false } }), s.deps);
    expect(s.specs).toHaveLength(0);
    expect(s.forge.acknowledged).toEqual([]);
    const replies = s.forge.commentsOn({ kind: "issue", number: 6 });
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("@guest Only people with **write** permission");
  });

  it("stop aborts a running local task and stops the fix loop on its PR", async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const s = setup(
      (_spec, signal) =>
        new Promise((_resolve, reject) => {
          started();
          signal?.addEventListener("abort", () => reject(signal.reason));
        }),
    );
    const labeling = label(s);
    await running;
    await handleCommand(command("stop"), s.deps);
    await labeling;
    expect(s.forge.commits).toEqual([]);
    const state = decodeState<TaskState>(s.task()!.body)!;
    expect(state).toMatchObject({ phase: "failed", stopped: true });
    expect(s.task()!.body).toContain("@alice ran `/factory stop`");
  });

  it("fix makes one attempt beyond the budget on a red factory PR", async () => {
    const s = setup();
    await label(s);
    const pr = s.forge.changeRequests[0]!;
    pr.headSha = s.forge.branches.get(pr.headBranch)!;
    s.forge.ciJobs.set(pr.headSha, [
      { id: "t", name: "test", url: "u", state: "failure", openLog: async () => Readable.from(["Error: boom\n"]) },
    ]);
    await handleCommand(command("fix", { target: { kind: "change", number: pr.number }, issue: undefined }), s.deps);
    expect(s.specs.map((x) => x.attempt)).toEqual([1, 2]);
  });

  it("explains an unknown command and a PR that is not the bot's", async () => {
    const s = setup();
    await handleCommand(command({ unknown: "dance" }), s.deps);
    expect(s.forge.commentsOn({ kind: "issue", number: 6 })[0]!.body).toContain("I don't know `/factory dance`");
    s.forge.changeRequests.push({
      number: 70,
      url: "",
      title: "",
      body: "",
      headBranch: "x",
      headSha: "",
      baseBranch: "main",
      draft: false,
      state: "open",
      author: "bob",
      labels: [],
    });
    await handleCommand(command("fix", { target: { kind: "change", number: 70 }, issue: undefined }), s.deps);
    expect(s.forge.commentsOn({ kind: "change", number: 70 })[0]!.body).toContain("was not opened by factory-bot");
  });
});

describe("interrupted work", () => {
  it("marks a task that stayed running past its timeout as failed, then /factory retry runs it", async () => {
    const s = setup();
    await label(s);
    const comment = s.task()!;
    const state = decodeState<TaskState>(comment.body)!;
    // As if the server died mid-run an hour ago.
    comment.body = comment.body.replace(
      /<!-- factory:state .* -->/,
      `<!-- factory:state ${JSON.stringify({ ...state, phase: "running", updatedAt: "2026-11-21T08:00:00.000Z" })} -->`,
    );
    await handleCommand(command("retry"), s.deps);
    expect(s.specs).toHaveLength(2);
    expect(s.forge.statuses.some((x) => x.state === "error" && x.description.includes("Interrupted"))).toBe(true);
    expect(decodeState<TaskState>(s.task()!.body)?.phase).toBe("opened");
  });
});
