import { jobsFor, type Delivery } from "../../src/core/dispatch.js";
import type { CoreEvent } from "../../src/core/events.js";
import { MARKERS } from "../../src/core/markers.js";
import { FakeForge } from "../helpers/fake-forge.js";
import { makeConfig } from "../helpers/config.js";
import { fixedClock, recordingLogger } from "../helpers/logger.js";

const SHA = "a".repeat(40);
const alice = { login: "alice", isBot: false };
const unusedRunner = { run: async () => Promise.reject(new Error("the runner must not run here")) };

const labeled = (actor = alice): CoreEvent => ({
  type: "issue.labeled",
  deliveryId: "d-1",
  label: "factory",
  actor,
  issue: {
    number: 4,
    title: "Fix the footer",
    body: "",
    url: "https://github.test/acme/widgets/issues/4",
    isPullRequest: false,
  },
});

const EVENTS: CoreEvent[] = [
  labeled(),
  { type: "ci.completed", deliveryId: "d-1", actor: alice, headSha: SHA, changeRequestNumbers: [] },
  {
    type: "task-run.completed",
    deliveryId: "d-1",
    actor: alice,
    issueNumber: 12,
    attempt: 1,
    runId: "9",
    url: "",
    succeeded: true,
  },
  { type: "change.updated", deliveryId: "d-1", actor: alice, number: 3, headSha: SHA },
  {
    type: "command",
    deliveryId: "d-1",
    actor: alice,
    command: "stop",
    target: { kind: "issue", number: 4 },
    commentId: 1,
  },
];

function delivery(events: CoreEvent[], forge: FakeForge, logger = recordingLogger()): Delivery {
  return {
    deliveryId: "d-1",
    repoKey: "github:acme/widgets",
    events,
    logger,
    configPaths: [".github/factory.yml"],
    forge: async () => forge,
  };
}

const deps = { runner: unusedRunner, clock: fixedClock() };

describe("dispatch", () => {
  it("names each event's job and serializes CI, task runs and config checks per commit, issue and change", () => {
    const jobs = jobsFor(delivery(EVENTS, new FakeForge()), deps);
    expect(jobs.map(({ name, key }) => ({ name, key }))).toEqual([
      { name: "task", key: undefined },
      { name: "ci-summary", key: `github:acme/widgets@${SHA}` },
      { name: "task-run", key: "github:acme/widgets#12" },
      { name: "config-check", key: "github:acme/widgets!3" },
      { name: "command", key: undefined },
    ]);
  });

  it("starts no people's work for bots, before the forge is asked anything, but still summarizes their CI", () => {
    const bot = { login: "renovate[bot]", isBot: true };
    let forgeAsked = false;
    const events = EVENTS.map((event) => ({ ...event, actor: bot }));
    const jobs = jobsFor(
      {
        ...delivery(events, new FakeForge()),
        forge: async () => {
          forgeAsked = true;
          return new FakeForge();
        },
      },
      deps,
    );
    expect(jobs.map((j) => j.name)).toEqual(["ci-summary", "task-run", "config-check"]);
    expect(forgeAsked).toBe(false);
  });

  it("runs nothing for an event the app itself caused, and says so", async () => {
    const forge = new FakeForge();
    forge.config = { status: "ok", config: makeConfig(), files: [] };
    const logger = recordingLogger();
    const [job] = jobsFor(delivery([labeled({ login: forge.botLogin, isBot: false })], forge, logger), deps);
    await job!.run();
    expect(forge.commentsOn({ kind: "issue", number: 4 })).toEqual([]);
    expect(logger.lines).toContainEqual(expect.objectContaining({ msg: "events caused by the bot start nothing" }));
  });

  it.each([
    ["a bot", { login: "dependabot[bot]", isBot: true }],
    ["the app itself", { login: new FakeForge().botLogin, isBot: false }],
  ])("lets %s start no task and run no command: no runner call, no write", async (_, actor) => {
    const forge = new FakeForge();
    forge.config = { status: "ok", config: makeConfig(), files: [] };
    const specs: unknown[] = [];
    const runner = { run: async (spec: unknown) => (specs.push(spec), Promise.reject(new Error("must not run"))) };
    const command: CoreEvent = { ...EVENTS[4]!, actor } as CoreEvent;
    const jobs = jobsFor(delivery([labeled(actor), command], forge), { ...deps, runner });
    for (const job of jobs) await job.run();
    expect(specs).toEqual([]);
    expect(forge.writes).toEqual([]);
    expect(forge.acknowledged).toEqual([]);
  });

  it("hands the handler an audited forge: each write logs one line with the delivery id", async () => {
    const forge = new FakeForge();
    forge.config = { status: "ok", config: makeConfig(), files: [] };
    forge.permissions.set("alice", "read");
    const logger = recordingLogger();
    const [job] = jobsFor(delivery([labeled()], forge, logger), deps);
    await job!.run();
    expect(forge.commentsOn({ kind: "issue", number: 4 }).some((c) => c.body.includes(MARKERS.task))).toBe(true);
    expect(logger.lines.filter((l) => (l as { audit?: boolean }).audit)).toContainEqual(
      expect.objectContaining({ action: "createComment", actor: "alice", deliveryId: "d-1", outcome: "ok" }),
    );
  });
});
