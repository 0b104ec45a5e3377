import { handleCommand } from "../../../src/core/handlers/command.js";
import { handleIssueLabeled } from "../../../src/core/handlers/issue-labeled.js";
import { commandArgument, parseCommand, type CommandEvent } from "../../../src/core/events.js";
import { MARKERS, decodeState } from "../../../src/core/markers.js";
import type { TaskRunResult, TaskSpec } from "../../../src/core/task-runner.js";
import type { TaskState } from "../../../src/core/task-state.js";
import { planId, planSha } from "../../../src/core/task/plan.js";
import { FakeForge } from "../../helpers/fake-forge.js";
import { makeConfig } from "../../helpers/config.js";
import { recordingLogger } from "../../helpers/logger.js";

const AGENT = { exitCode: 0, signal: null, timedOut: false, durationMs: 1, outputTail: "" };

function setup(plans: string[] = ["## Plan\n\nTouch `a.txt`."], required = true) {
  const forge = new FakeForge();
  forge.config = { status: "ok", config: makeConfig({ plan: { required } }), files: [] };
  forge.permissions.set("alice", "write");
  forge.permissions.set("guest", "read");
  const specs: TaskSpec[] = [];
  let next = 0;
  const runner = {
    run: async (spec: TaskSpec): Promise<TaskRunResult> => {
      specs.push(spec);
      if (spec.mode === "plan") return { kind: "planned", agent: AGENT, plan: plans[next++] ?? "" };
      return {
        kind: "completed",
        agent: AGENT,
        changeSet: {
          version: 1,
          base_sha: spec.baseSha,
          files: [{ path: "a.txt", action: "create", mode: "100644", encoding: "utf8", content: "a" }],
          summary: "",
          tests: [],
        },
      };
    },
  };
  const time = { t: Date.parse("2026-12-01T10:00:00Z") };
  const clock = { now: () => new Date(time.t) };
  const deps = { forge, runner, logger: recordingLogger(), clock };
  const task = () => forge.commentsOn({ kind: "issue", number: 6 }).find((c) => c.body.includes(MARKERS.task))!;
  const state = () => decodeState<TaskState>(task().body)!;
  const replies = () => forge.commentsOn({ kind: "issue", number: 6 }).filter((c) => !c.body.includes(MARKERS.task));
  return { forge, specs, deps, task, state, replies, time };
}

type Setup = ReturnType<typeof setup>;

async function label(s: Setup) {
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

let nextComment = 500;
function comment(s: Setup, body: string, over: Partial<CommandEvent> = {}): CommandEvent {
  return {
    type: "command",
    deliveryId: `c-${nextComment}`,
    actor: { login: "alice", isBot: false },
    command: parseCommand(body) as CommandEvent["command"],
    argument: commandArgument(body),
    writtenAt: new Date(s.time.t).toISOString(),
    target: { kind: "issue", number: 6 },
    commentId: nextComment++,
    issue: { number: 6, title: "Add a.txt", body: "", url: "https://github.test/i/6" },
    ...over,
  };
}

describe("plans (plan.required)", () => {
  it("parses /factory approve and /factory plan with their text", () => {
    expect(parseCommand("/factory approve")).toBe("approve");
    expect(parseCommand("/factory plan also update the docs")).toBe("plan");
    expect(commandArgument("/factory plan also update\nthe docs ")).toBe("also update\nthe docs");
    expect(commandArgument("/factory approve 0123456789ab")).toBe("0123456789ab");
    expect(commandArgument("/factory approve")).toBe("");
  });

  it("a label makes a plan run: the plan is shown with what to do next, and nothing is pushed", async () => {
    const s = setup();
    await label(s);
    expect(s.specs).toHaveLength(1);
    expect(s.specs[0]!.mode).toBe("plan");
    expect(s.forge.commits).toEqual([]);
    expect(s.forge.changeRequests).toEqual([]);
    expect(s.forge.branches.size).toBe(1);
    const body = s.task().body;
    const id = planId(planSha("## Plan\n\nTouch `a.txt`."));
    expect(body).toContain("Touch `a.txt`.");
    expect(body).toContain(`/factory approve ${id}`);
    expect(body).toContain("/factory plan <what to change>");
    expect(s.state()).toMatchObject({ phase: "planned", plan: { sha: planSha("## Plan\n\nTouch `a.txt`.") } });
  });

  it("an empty plan is a clear failure on the progress comment", async () => {
    const s = setup(["  \n"]);
    await label(s);
    expect(s.state().phase).toBe("failed");
    expect(s.task().body).toContain("The agent wrote no plan");
    expect(s.task().body).toContain("FACTORY_PLAN_FILE");
  });

  it("a read-only user's approve is refused with one polite reply and starts nothing", async () => {
    const s = setup();
    await label(s);
    await handleCommand(comment(s, "/factory approve", { actor: { login: "guest", isBot: false } }), s.deps);
    expect(s.specs).toHaveLength(1);
    expect(s.replies()).toHaveLength(1);
    expect(s.replies()[0]!.body).toContain("@guest Only people with **write** permission");
    expect(s.state().phase).toBe("planned");
  });

  it("a writer's approve implements exactly that plan: FACTORY_PLAN_FILE's text, the trailer, the PR's link", async () => {
    const s = setup();
    await label(s);
    s.time.t += 60_000;
    const approval = comment(s, "/factory approve");
    await handleCommand(approval, s.deps);
    await handleCommand(approval, s.deps); // redelivered: same delivery
    await handleCommand({ ...approval, deliveryId: "other-delivery" }, s.deps); // the same comment, another delivery
    const implement = s.specs.filter((spec) => spec.mode === "implement");
    expect(implement).toHaveLength(1);
    expect(implement[0]!.approvedPlan).toBe("## Plan\n\nTouch `a.txt`.");
    const id = planId(planSha("## Plan\n\nTouch `a.txt`."));
    expect(s.forge.commits).toHaveLength(1);
    expect(s.forge.commits[0]!.message).toMatch(new RegExp(`\\nFactory-Plan: ${id}$`));
    expect(s.forge.changeRequests).toHaveLength(1);
    const taskUrl = `https://github.test/i/6#issuecomment-${s.task().id}`;
    expect(s.forge.changeRequests[0]!.body).toContain(`[plan \`${id}\`](${taskUrl}), approved by @alice`);
    expect(s.task().body).toContain(`Approved plan \`${id}\` (by @alice)`);
    expect(s.replies()).toEqual([]);
  });

  it("after a re-plan, an approval of the old plan (by id, or written before) is refused; the new one needs its own", async () => {
    const s = setup(["Plan A", "Plan B"]);
    await label(s);
    s.time.t += 60_000;
    const early = comment(s, "/factory approve"); // written while plan A was shown, delivered late
    s.time.t += 60_000;
    await handleCommand(comment(s, "/factory plan also cover b.txt"), s.deps);
    expect(s.specs[1]!.mode).toBe("plan");
    expect(s.specs[1]!.planRequests).toContain("also cover b.txt");
    expect(s.specs[1]!.planRequests).toContain("untrusted input from @alice");
    expect(s.state().plan).toMatchObject({ sha: planSha("Plan B"), earlier: [planId(planSha("Plan A"))] });
    expect(s.task().body).toContain("Refinement history (1 request)");
    s.time.t += 60_000;
    await handleCommand(comment(s, `/factory approve ${planId(planSha("Plan A"))}`), s.deps);
    await handleCommand(early, s.deps);
    expect(s.specs.filter((spec) => spec.mode === "implement")).toEqual([]);
    expect(s.replies().map((r) => r.body)).toEqual([
      expect.stringContaining(`the plan shown now is \`${planId(planSha("Plan B"))}\``),
      expect.stringContaining("written before the plan shown now"),
    ]);
    await handleCommand(comment(s, `/factory approve ${planId(planSha("Plan B"))}`), s.deps);
    expect(s.specs.filter((spec) => spec.mode === "implement").map((spec) => spec.approvedPlan)).toEqual(["Plan B"]);
  });

  it("without plan.required runs implement at once, and the plan commands say plans are off", async () => {
    const s = setup([], false);
    await label(s);
    expect(s.specs.map((spec) => spec.mode)).toEqual(["implement"]);
    expect(s.forge.commits[0]!.message).not.toContain("Factory-Plan");
    await handleCommand(comment(s, "/factory approve"), s.deps);
    expect(s.replies()).toHaveLength(1);
    expect(s.replies()[0]!.body).toContain("`plan.required` is off");
  });
});
