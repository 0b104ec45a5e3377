import { BackgroundJobs } from "../../src/entry/background-jobs.js";
import { shutDown } from "../../src/entry/shutdown.js";
import { TaskCancellation } from "../../src/core/cancellation.js";
import { jobsFor } from "../../src/core/dispatch.js";
import type { ChangeRequest, ChangeRequestInput, CommentTarget } from "../../src/core/forge.js";
import type { CoreEvent } from "../../src/core/events.js";
import { decodeState, MARKERS } from "../../src/core/markers.js";
import type { TaskRunResult, TaskRunner, TaskRunnerContext, TaskSpec } from "../../src/core/task-runner.js";
import type { TaskState } from "../../src/core/task-state.js";
import { TaskQueue } from "../../src/runner/queue.js";
import { FakeForge } from "../helpers/fake-forge.js";
import { makeConfig } from "../helpers/config.js";
import { fixedClock, recordingLogger } from "../helpers/logger.js";

const ISSUES = 40;
const publishes = 1; // issue 1: its agent is done, its PR is being opened when the server stops
const runs = 2; // issue 2 (and 3, which takes the slot issue 1 left): agents still running
const started = 3;

/** Writes take a moment (as GitHub's one-write-a-second line does) and are counted while in flight. */
class SlowWritesForge extends FakeForge {
  inFlight = 0;
  peakMarks = 0;
  openPr!: () => void;
  readonly prGate = new Promise<void>((resolve) => (this.openPr = resolve));

  override async updateComment(target: CommentTarget, id: number, body: string): Promise<void> {
    const marking = body.includes("interrupted before it started");
    if (marking) this.peakMarks = Math.max(this.peakMarks, ++this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (marking) this.inFlight -= 1;
    return super.updateComment(target, id, body);
  }

  override async createChangeRequest(input: ChangeRequestInput): Promise<ChangeRequest> {
    await this.prGate;
    return super.createChangeRequest(input);
  }
}

/** The local runner's contract: wait for a slot (leave the line when aborted), say started, run. */
class QueuedRunner implements TaskRunner {
  readonly queue = new TaskQueue(2);
  constructor(private readonly baseSha: () => string) {}
  run(spec: TaskSpec, ctx: TaskRunnerContext): Promise<TaskRunResult> {
    return this.queue.run(async () => {
      await ctx.started?.();
      if (spec.issue.number !== publishes) {
        await new Promise((_, reject) => ctx.signal!.addEventListener("abort", () => reject(ctx.signal!.reason)));
      }
      return {
        kind: "completed",
        agent: { exitCode: 0, signal: null, timedOut: false, durationMs: 1, outputTail: "" },
        changeSet: {
          version: 1,
          base_sha: this.baseSha(),
          files: [{ path: "a.txt", action: "create", mode: "100644", encoding: "utf8", content: "a\n" }],
          summary: "done",
          tests: [],
        },
      };
    }, ctx.signal);
  }
}

const labeled = (number: number): CoreEvent => ({
  type: "issue.labeled",
  deliveryId: `d-${number}`,
  actor: { login: "alice", isBot: false },
  label: "factory",
  issue: {
    number,
    title: `Task ${number}`,
    body: "",
    url: `https://github.test/acme/widgets/issues/${number}`,
    isPullRequest: false,
  },
});

function taskState(forge: FakeForge, issue: number): TaskState | null {
  const comment = forge.commentsOn({ kind: "issue", number: issue }).find((c) => c.body.includes(MARKERS.task));
  return comment ? decodeState<TaskState>(comment.body) : null;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i === 400) throw new Error("never happened");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("shutdown with many queued local tasks", () => {
  it("shows queued tasks as queued, marks them interrupted a few at a time, and lets a publishing task end with its PR", async () => {
    const forge = new SlowWritesForge();
    forge.config = { status: "ok", config: makeConfig(), files: [".github/factory.yml"] };
    forge.permissions.set("alice", "write");
    const logger = recordingLogger();
    const jobs = new BackgroundJobs(logger);
    const cancellation = new TaskCancellation();
    const runner = new QueuedRunner(() => forge.branches.get("main")!);
    const deps = { runner, clock: fixedClock(), cancellation };
    const delivery = (number: number) => ({
      deliveryId: `d-${number}`,
      repoKey: "github:acme/widgets",
      events: [labeled(number)],
      logger,
      configPaths: [".github/factory.yml"],
      forge: async () => forge,
    });
    for (let issue = 1; issue <= ISSUES; issue++)
      for (const job of jobsFor(delivery(issue), deps)) jobs.start(job.name, job.run, job.logger, job.key);
    await until(
      () =>
        runner.queue.pending === ISSUES - started &&
        taskState(forge, ISSUES)?.phase === "queued" &&
        taskState(forge, runs)?.phase === "running" &&
        taskState(forge, started)?.phase === "running" &&
        forge.commits.length === 1,
    );

    // Waiting for a runner is not running: nothing has to be corrected if the process dies now.
    const phases = Array.from({ length: ISSUES }, (_, i) => taskState(forge, i + 1)?.phase);
    expect(phases.filter((p) => p === "queued")).toHaveLength(ISSUES - started);
    expect(phases[runs - 1]).toBe("running");
    expect(phases[publishes - 1]).not.toBe("queued");

    const stopping = shutDown({ stopAccepting: async () => undefined, jobs, cancellation, logger }, 50);
    setTimeout(forge.openPr, 100); // the PR is opened after the running task was aborted
    await stopping;

    for (let issue = started + 1; issue <= ISSUES; issue++) {
      expect(taskState(forge, issue)).toMatchObject({ phase: "failed", retryable: true });
      const body = forge.commentsOn({ kind: "issue", number: issue })[0]!.body;
      expect(body).toContain("interrupted before it started");
      expect(body).toContain("/factory retry");
    }
    expect(forge.peakMarks).toBeGreaterThan(1);
    expect(forge.peakMarks).toBeLessThanOrEqual(4);
    expect(taskState(forge, runs)).toMatchObject({ phase: "failed", retryable: true });
    expect(taskState(forge, started)).toMatchObject({ phase: "failed", retryable: true });
    expect(taskState(forge, publishes)).toMatchObject({
      phase: "opened",
      changeRequest: forge.changeRequests[0]!.number,
    });
    expect(forge.changeRequests).toHaveLength(1);
    expect(logger.lines).toContainEqual(expect.objectContaining({ queued: ISSUES - started }));
    expect(jobs.size).toBe(0);
  });
});
