import { Readable } from "node:stream";
import { handleIssueLabeled } from "../../../src/core/handlers/issue-labeled.js";
import { handleCiCompleted } from "../../../src/core/handlers/ci-completed.js";
import type { CiJob } from "../../../src/core/forge.js";
import { MARKERS } from "../../../src/core/markers.js";
import type { TaskRunResult, TaskSpec } from "../../../src/core/task-runner.js";
import { FakeForge } from "../../helpers/fake-forge.js";
import { makeConfig } from "../../helpers/config.js";
import { fixedClock, recordingLogger } from "../../helpers/logger.js";

const failingLog =
  "FAIL src/cart.test.ts\n  ● adds tax\n    expect(received).toBe(expected)\n    Expected: 4201\n    Received: 4200\n";
const job = (name: string, state: CiJob["state"]): CiJob => ({
  id: name,
  name,
  url: `https://ci.test/${name}`,
  state,
  openLog: async () => Readable.from([failingLog]),
});

async function factoryPr(fixAttempts = 2, changes: (attempt: number) => boolean = () => true) {
  const forge = new FakeForge();
  forge.config = { status: "ok", config: makeConfig({ ci: { fix_attempts: fixAttempts } }), files: [] };
  forge.permissions.set("alice", "write");
  const specs: TaskSpec[] = [];
  const runner = {
    async run(spec: TaskSpec): Promise<TaskRunResult> {
      specs.push(spec);
      return {
        kind: "completed",
        agent: { exitCode: 0, signal: null, timedOut: false, durationMs: 10, outputTail: "" },
        changeSet: {
          version: 1,
          base_sha: spec.baseSha,
          files: changes(spec.attempt)
            ? [
                {
                  path: "src/cart.ts",
                  action: "update",
                  mode: "100644",
                  encoding: "utf8",
                  content: `// attempt ${spec.attempt}\n`,
                },
              ]
            : [],
          summary: "",
          tests: [],
        },
      };
    },
  };
  const deps = { forge, runner, logger: recordingLogger(), clock: fixedClock() };
  await handleIssueLabeled(
    {
      type: "issue.labeled",
      deliveryId: "d",
      label: "factory",
      actor: { login: "alice", isBot: false },
      issue: { number: 8, title: "Round tax", body: "", url: "https://github.test/i/8", isPullRequest: false },
    },
    { ...deps, configPaths: [".github/factory.yml"] },
  );
  const pr = forge.changeRequests[0]!;
  const head = () => forge.branches.get(pr.headBranch)!;
  const ci = async (jobs: CiJob[], deliveryId = "ci") => {
    pr.headSha = head();
    forge.ciJobs.set(head(), jobs);
    await handleCiCompleted(
      {
        type: "ci.completed",
        deliveryId,
        actor: { login: "ci", isBot: true },
        headSha: head(),
        changeRequestNumbers: [pr.number],
      },
      deps,
    );
  };
  const prComments = (marker: keyof typeof MARKERS) =>
    forge.commentsOn({ kind: "change", number: pr.number }).filter((c) => c.body.includes(MARKERS[marker]));
  return { forge, specs, pr, head, ci, prComments };
}

describe("fix loop", () => {
  it("runs the agent again on a red factory PR with the failure summary, as a new fast-forward commit", async () => {
    const { forge, specs, head, ci } = await factoryPr();
    forge.issues.set(8, {
      number: 8,
      title: "Round tax",
      body: "Round half up, per the EU invoice rules.",
      url: "https://github.test/i/8",
    });
    const firstHead = head();
    await ci([job("test", "failure"), job("lint", "success")]);
    expect(specs[1]!.issue.body).toBe("Round half up, per the EU invoice rules.");
    expect(specs).toHaveLength(2);
    expect(specs[1]).toMatchObject({ attempt: 2, baseSha: firstHead, branch: "factory/8-round-tax" });
    expect(specs[1]!.failureSummary).toContain("Received: 4200");
    expect(forge.commits[1]).toMatchObject({ parent: firstHead });
    expect(forge.commits[1]!.message).toContain("Factory-Attempt: 2");
    expect(forge.changeRequests).toHaveLength(1);
    expect(forge.statuses.filter((s) => s.state === "pending").map((s) => s.sha)).toEqual([firstHead]);
  });

  it("spends at most ci.fix_attempts, then hands the PR to a person once", async () => {
    const { specs, ci, prComments } = await factoryPr(2);
    await ci([job("test", "failure")], "ci-1");
    await ci([job("test", "failure")], "ci-2");
    await ci([job("test", "failure")], "ci-3");
    await ci([job("test", "failure")], "ci-4");
    expect(specs.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(prComments("handover")).toHaveLength(1);
    expect(prComments("handover")[0]!.body).toContain("made 2 fix attempts");
  });

  it("makes one attempt per failing head, however many CI events report it", async () => {
    const { forge, specs, head, ci } = await factoryPr();
    const failing = [job("test", "failure")];
    await ci(failing, "a");
    // The fix produced a commit; later events about the old head are stale and ignored.
    forge.ciJobs.set(head(), [job("test", "pending")]);
    await ci([job("test", "pending")], "b");
    expect(specs).toHaveLength(2);
  });

  it("hands over once when a fix attempt pushed nothing, instead of trying that head again", async () => {
    const { specs, ci, prComments } = await factoryPr(3, (attempt) => attempt === 1);
    await ci([job("test", "failure")], "first");
    expect(specs.map((s) => s.attempt)).toEqual([1, 2]); // attempt 2 changed nothing: same head
    await ci([job("test", "failure")], "second");
    await ci([job("test", "failure")], "third");
    expect(specs).toHaveLength(2);
    expect(prComments("handover")).toHaveLength(1);
  });

  it("counts attempts from the branch after a restart: nothing is remembered in the process", async () => {
    const { forge, specs, pr, head, ci } = await factoryPr(2);
    await ci([job("test", "failure")], "before-restart");
    expect(specs.map((s) => s.attempt)).toEqual([1, 2]);
    // A new process: fresh dependencies, only the forge's state survives.
    const restarted = {
      forge,
      logger: recordingLogger(),
      clock: fixedClock(),
      runner: {
        run: async (spec: TaskSpec) => (
          specs.push(spec),
          {
            kind: "completed" as const,
            agent: { exitCode: 0, signal: null, timedOut: false, durationMs: 1, outputTail: "" },
            changeSet: {
              version: 1 as const,
              base_sha: spec.baseSha,
              files: [
                {
                  path: "x",
                  action: "create" as const,
                  mode: "100644" as const,
                  encoding: "utf8" as const,
                  content: "3",
                },
              ],
              summary: "",
              tests: [],
            },
          }
        ),
      },
    };
    pr.headSha = head();
    forge.ciJobs.set(head(), [job("test", "failure")]);
    await handleCiCompleted(
      {
        type: "ci.completed",
        deliveryId: "after-restart",
        actor: { login: "ci", isBot: true },
        headSha: head(),
        changeRequestNumbers: [pr.number],
      },
      restarted,
    );
    expect(specs.map((s) => s.attempt)).toEqual([1, 2, 3]);
    pr.headSha = head();
    forge.ciJobs.set(head(), [job("test", "failure")]);
    await handleCiCompleted(
      {
        type: "ci.completed",
        deliveryId: "after-restart-2",
        actor: { login: "ci", isBot: true },
        headSha: head(),
        changeRequestNumbers: [pr.number],
      },
      restarted,
    );
    expect(specs).toHaveLength(3); // budget of 2 fix attempts spent
  });

  it("waits until every check has finished", async () => {
    const { specs, ci } = await factoryPr();
    await ci([job("test", "failure"), job("e2e", "pending")]);
    expect(specs).toHaveLength(1);
  });

  it("stops when a person pushed to the branch", async () => {
    const { forge, specs, pr, ci } = await factoryPr();
    const human = "e".repeat(40);
    forge.commits.push({ sha: human, parent: forge.branches.get(pr.headBranch)!, message: "tweak by hand", files: [] });
    forge.branches.set(pr.headBranch, human);
    await ci([job("test", "failure")]);
    expect(specs).toHaveLength(1);
  });

  it("says so instead of spending an attempt when the base branch fails the same way", async () => {
    const { forge, specs, ci, prComments } = await factoryPr();
    forge.ciJobs.set(forge.branches.get("main")!, [job("test", "failure")]);
    await ci([job("test", "failure")]);
    expect(specs).toHaveLength(1);
    expect(prComments("baseAlsoFails")[0]!.body).toContain("`test` also fails on `main`");
  });

  it("marks a green draft PR ready for review", async () => {
    const { forge, pr, ci } = await factoryPr();
    expect(pr.draft).toBe(true);
    await ci([job("test", "success"), { ...job("factory/task", "success") }]);
    expect(forge.changeRequests[0]!.draft).toBe(false);
  });

  it("keeps fixing and readying factory PRs when ci.comments is off", async () => {
    const { forge, specs, pr, ci } = await factoryPr();
    forge.config = { status: "ok", config: makeConfig({ ci: { comments: "off", fix_attempts: 2 } }), files: [] };
    await ci([job("test", "failure")]);
    expect(specs.map((s) => s.attempt)).toEqual([1, 2]);
    expect(specs[1]!.failureSummary).toContain("Received: 4200");
    expect(
      forge.commentsOn({ kind: "change", number: pr.number }).filter((c) => c.body.includes(MARKERS.ciSummary)),
    ).toEqual([]);
  });

  it("leaves other people's PRs alone", async () => {
    const { forge, specs, pr, ci } = await factoryPr();
    pr.author = "alice";
    await ci([job("test", "failure")]);
    expect(specs).toHaveLength(1);
    expect(forge.calls).not.toContain("markReadyForReview");
  });
});
