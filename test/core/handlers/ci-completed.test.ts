import { Readable } from "node:stream";
import { handleCiCompleted } from "../../../src/core/handlers/ci-completed.js";
import type { CiCompletedEvent } from "../../../src/core/events.js";
import type { ChangeRequest, CiJob } from "../../../src/core/forge.js";
import { MARKERS, decodeState } from "../../../src/core/markers.js";
import type { CiSummaryState } from "../../../src/core/messages/ci-summary.js";
import { FakeForge } from "../../helpers/fake-forge.js";
import { makeConfig } from "../../helpers/config.js";
import { fixedClock, recordingLogger } from "../../helpers/logger.js";

const HEAD = "a".repeat(40);
const NEXT = "c".repeat(40);

const TSC_LOG = [
  "2026-11-21T10:00:00.0000000Z ##[group]Run npm run build",
  "2026-11-21T10:00:01.0000000Z > tsc -p .",
  "2026-11-21T10:00:02.0000000Z src/cart.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.",
  "2026-11-21T10:00:03.0000000Z ##[error]Process completed with exit code 2.",
].join("\n");

function job(name: string, state: CiJob["state"], log: string | null = TSC_LOG, extra: Partial<CiJob> = {}): CiJob {
  return {
    id: name,
    name,
    url: `https://ci.test/${encodeURIComponent(name)}`,
    state,
    openLog: async () => (log === null ? null : Readable.from([log])),
    ...extra,
  };
}

function pr(overrides: Partial<ChangeRequest> = {}): ChangeRequest {
  return {
    number: 5,
    url: "https://github.test/acme/widgets/pull/5",
    title: "t",
    body: "",
    headBranch: "feature",
    headSha: HEAD,
    baseBranch: "main",
    draft: false,
    state: "open",
    author: "alice",
    labels: [],
    ...overrides,
  };
}

function event(overrides: Partial<CiCompletedEvent> = {}): CiCompletedEvent {
  return {
    type: "ci.completed",
    deliveryId: "d-1",
    actor: { login: "github-actions[bot]", isBot: true },
    headSha: HEAD,
    changeRequestNumbers: [5],
    ...overrides,
  };
}

function setup() {
  const forge = new FakeForge();
  forge.changeRequests.push(pr());
  const deps = { forge, logger: recordingLogger(), clock: fixedClock() };
  const summaries = () =>
    forge.commentsOn({ kind: "change", number: 5 }).filter((c) => c.body.includes(MARKERS.ciSummary));
  return { forge, deps, summaries };
}

describe("CI summary comment", () => {
  it("creates one comment quoting the root error with a link, then edits it for a new head", async () => {
    const { forge, deps, summaries } = setup();
    forge.ciJobs.set(HEAD, [job("build", "failure"), job("lint", "success")]);
    await handleCiCompleted(event(), deps);
    expect(summaries()).toHaveLength(1);
    const first = summaries()[0]!.body;
    expect(first).toContain("error TS2322: Type 'string' is not assignable to type 'number'.");
    expect(first).toContain("[`build`](https://ci.test/build)");
    expect(first).toContain("1 check failed at aaaaaaa");
    expect(first).not.toContain("2026-11-21T10:00:02"); // timestamps stripped

    forge.changeRequests[0]!.headSha = NEXT;
    forge.ciJobs.set(NEXT, [
      job("test", "failure", "FAIL src/cart.test.ts\n  ● adds tax\n    expect(received).toBe(expected)\n"),
    ]);
    await handleCiCompleted(event({ headSha: NEXT }), deps);
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]!.body).toContain("at ccccccc");
    expect(summaries()[0]!.body).not.toContain("TS2322");
  });

  it("turns green when the head passes, keeping the last failure collapsed", async () => {
    const { forge, deps, summaries } = setup();
    forge.ciJobs.set(HEAD, [job("build", "failure")]);
    await handleCiCompleted(event(), deps);
    forge.changeRequests[0]!.headSha = NEXT;
    forge.ciJobs.set(NEXT, [job("build", "success")]);
    await handleCiCompleted(event({ headSha: NEXT }), deps);
    const body = summaries()[0]!.body;
    expect(body).toContain("✅ All checks pass at ccccccc");
    expect(body).toMatch(/<details><summary>Last failure, at aaaaaaa<\/summary>[\s\S]*TS2322[\s\S]*<\/details>/);
    expect(decodeState<CiSummaryState>(body)).toEqual({ sha: NEXT, failing: false });
    const writes = forge.writes.length;
    await handleCiCompleted(event({ headSha: NEXT }), deps); // another green event: no edit
    expect(forge.writes).toHaveLength(writes);
  });

  it("posts nothing for a green head that never failed, or while checks are still running", async () => {
    const { forge, deps } = setup();
    forge.ciJobs.set(HEAD, [job("build", "success"), job("e2e", "pending")]);
    await handleCiCompleted(event(), deps);
    forge.ciJobs.set(HEAD, [job("build", "success")]);
    await handleCiCompleted(event(), deps);
    expect(forge.writes).toEqual([]);
  });

  it("ignores a run for a commit that is no longer the head", async () => {
    const { forge, deps } = setup();
    forge.ciJobs.set(NEXT, [job("build", "failure")]);
    await handleCiCompleted(event({ headSha: NEXT }), deps);
    expect(forge.writes).toEqual([]);
    expect(forge.calls).not.toContain("listCiJobs");
  });

  it("finds fork PRs by head SHA when the event names none", async () => {
    const { forge, deps, summaries } = setup();
    forge.branches.set("feature", HEAD);
    forge.ciJobs.set(HEAD, [job("build", "failure")]);
    await handleCiCompleted(event({ changeRequestNumbers: [] }), deps);
    expect(summaries()).toHaveLength(1);
  });

  it("shows matrix jobs failing the same way once, with all their names", async () => {
    const { forge, deps, summaries } = setup();
    forge.ciJobs.set(HEAD, [
      job("test (node 20)", "failure"),
      job("test (node 22)", "failure"),
      job("lint", "failure", "src/a.ts:1:1: error  Unexpected any  no-explicit-any\n"),
    ]);
    await handleCiCompleted(event(), deps);
    const body = summaries()[0]!.body;
    expect(body).toContain(
      "[`test (node 20)`](https://ci.test/test%20(node%2020)), [`test (node 22)`](https://ci.test/test%20(node%2022))",
    );
    expect(body.match(/TS2322/g)).toHaveLength(1);
    expect(body).toContain("3 checks failed");
  });

  it("respects ci.comments: off and factory", async () => {
    const off = setup();
    off.forge.config = { status: "ok", config: makeConfig({ ci: { comments: "off" } }), files: [] };
    off.forge.ciJobs.set(HEAD, [job("build", "failure")]);
    await handleCiCompleted(event(), off.deps);
    expect(off.forge.writes).toEqual([]);

    const factoryOnly = setup();
    factoryOnly.forge.config = { status: "ok", config: makeConfig({ ci: { comments: "factory" } }), files: [] };
    factoryOnly.forge.ciJobs.set(HEAD, [job("build", "failure")]);
    await handleCiCompleted(event(), factoryOnly.deps);
    expect(factoryOnly.forge.writes).toEqual([]);
    factoryOnly.forge.changeRequests[0]!.author = factoryOnly.forge.botLogin;
    await handleCiCompleted(event(), factoryOnly.deps);
    expect(factoryOnly.summaries()).toHaveLength(1);
  });

  it("stays under the 65,536-character limit, trimming excerpts and then dropping jobs", async () => {
    const { forge, deps, summaries } = setup();
    const noisyLog = (i: number) =>
      Array.from({ length: 200 }, (_, l) => `src/f${i}.c:${l}:1: error: ${"x".repeat(900)} ${i}-${l}`).join("\n");
    forge.config = { status: "ok", config: makeConfig({ ci: { max_lines: 200 } }), files: [] };
    forge.ciJobs.set(
      HEAD,
      Array.from({ length: 120 }, (_, i) => job(`job ${i}`, "failure", noisyLog(i))),
    );
    await handleCiCompleted(event(), deps);
    const body = summaries()[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toMatch(/more failing jobs? not shown/);
  });

  it("never posts a secret that was in the log", async () => {
    const { forge, deps, summaries } = setup();
    const token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    forge.ciJobs.set(HEAD, [
      job(
        "deploy",
        "failure",
        `curl -H "Authorization: Bearer ${token}" https://api.test\nError: deploy failed with ${token}\n`,
      ),
    ]);
    await handleCiCompleted(event(), deps);
    expect(summaries()[0]!.body).not.toContain(token);
    expect(summaries()[0]!.body).toContain("deploy failed");
  });

  it("uses the check's reported text when there is no log, and survives an unreadable log", async () => {
    const { forge, deps, summaries } = setup();
    forge.ciJobs.set(HEAD, [
      job("codecov", "failure", null, { reportedText: "Coverage dropped: 71% is below the 80% target" }),
      job("flaky", "failure", null, { openLog: async () => Promise.reject(new Error("log expired")) }),
    ]);
    await handleCiCompleted(event(), deps);
    const body = summaries()[0]!.body;
    expect(body).toContain("Coverage dropped: 71% is below the 80% target");
    expect(body).toContain("[`flaky`](https://ci.test/flaky)");
  });

  it("writes job names as code, so a name like @org/team pings nobody", async () => {
    const { forge, deps, summaries } = setup();
    forge.ciJobs.set(HEAD, [job("@acme/security [required]", "failure")]);
    await handleCiCompleted(event(), deps);
    expect(summaries()[0]!.body).toContain("[`@acme/security [required]`](https://ci.test/");
  });

  it("ignores the bot's own factory/* statuses", async () => {
    const { forge, deps } = setup();
    forge.ciJobs.set(HEAD, [job("factory/task", "failure")]);
    await handleCiCompleted(event(), deps);
    expect(forge.writes).toEqual([]);
  });
});
