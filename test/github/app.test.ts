import { readFileSync } from "node:fs";
import nock from "nock";
import { Probot } from "probot";
import { factoryGitHubApp } from "../../src/github/app.js";
import { BackgroundJobs, inBackground } from "../../src/entry/background-jobs.js";
import { MARKERS } from "../../src/core/markers.js";
import type { Logger } from "../../src/core/deps.js";
import { githubApi, type GitHubApi } from "../helpers/github-openapi.js";
import { TestOctokit } from "../helpers/octokit.js";
import { githubExample } from "../helpers/webhooks.js";
import { fixedClock, recordingLogger } from "../helpers/logger.js";
import { allowLoopbackOnly } from "../helpers/net.js";

const SHA = "3484a3fb816e0859fd6e1cea078d76385ff50625";
const REPO = "/repos/octo-org/octo-repo";
const JOB_ID = 399444496;
const LOG_HOST = "https://pipelines.actions.githubusercontent.test";
const TSC_LOG = readFileSync(new URL("../fixtures/ci-logs/tsc-errors.log", import.meta.url), "utf8");
const PLANTED = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2";

function setup() {
  const logger = recordingLogger();
  const jobs = new BackgroundJobs(logger as Logger);
  const probot = new Probot({
    githubToken: "ghs_test",
    Octokit: TestOctokit,
    log: { ...logger, child: () => logger } as never,
  });
  probot.load(
    factoryGitHubApp({
      deliver: inBackground(jobs, {
        runner: { run: async () => ({ kind: "refused", message: "unused" }) },
        clock: fixedClock(),
      }),
    }),
  );
  return { probot, jobs, logger };
}

function workflowRun(overrides: { conclusion?: string; pullNumbers?: number[]; sha?: string } = {}) {
  const payload = githubExample(
    "workflow_run",
    "completed",
    (p) => (p.workflow_run as { pull_requests: unknown[] }).pull_requests.length > 0,
  );
  payload.installation = { id: 1, node_id: "x" };
  payload.workflow_run.conclusion = overrides.conclusion ?? "failure";
  payload.workflow_run.head_sha = overrides.sha ?? SHA;
  if (overrides.pullNumbers)
    payload.workflow_run.pull_requests = overrides.pullNumbers.map((number) => ({
      ...payload.workflow_run.pull_requests[0],
      number,
    }));
  return payload;
}

function pull(number: number, headSha = SHA) {
  return {
    number,
    html_url: `https://github.com/octo-org/octo-repo/pull/${number}`,
    title: "Update README",
    body: "",
    draft: false,
    state: "open",
    merged_at: null,
    head: { ref: "changes", sha: headSha },
    base: { ref: "main" },
    user: { login: "octocat" },
    labels: [],
  };
}

function checkRun(conclusion: string, overrides: Record<string, unknown> = {}) {
  return {
    id: JOB_ID,
    name: "build (ubuntu-latest)",
    status: "completed",
    conclusion,
    head_sha: SHA,
    html_url: `https://github.com/octo-org/octo-repo/actions/runs/1/job/${JOB_ID}`,
    details_url: "",
    app: { slug: "github-actions" },
    output: { title: null, summary: null, text: null, annotations_count: 0 },
    ...overrides,
  };
}

function mockCommon(api: GitHubApi, runs: unknown[], options: { botLoginKnown?: boolean } = {}) {
  // The app's login is looked up once per process.
  if (!options.botLoginKnown) api.get("/app").reply(200, { id: 1, slug: "factory-bot", name: "factory-bot" });
  api.get(`${REPO}/contents/.github%2Ffactory.yml`).reply(404, { message: "Not Found" });
  api.get("/repos/octo-org/.github/contents/.github%2Ffactory.yml").reply(404, { message: "Not Found" });
  api.get(`${REPO}/commits/${SHA}/check-runs`).reply(200, { total_count: runs.length, check_runs: runs });
  api.get(`${REPO}/commits/${SHA}/status`).reply(200, { state: "failure", statuses: [], sha: SHA, total_count: 0 });
}

function mockJobLog(api: GitHubApi, text: string) {
  // The logs endpoint redirects to blob storage; Octokit's fetch follows it.
  api.get(`${REPO}/actions/jobs/${JOB_ID}/logs`).reply(302, "", { location: `${LOG_HOST}/logs/${JOB_ID}.txt` });
  nock(LOG_HOST).get(`/logs/${JOB_ID}.txt`).reply(200, text);
}

beforeEach(() => nock.disableNetConnect());
// Loopback servers in later test files of this worker must stay reachable.
afterAll(() => allowLoopbackOnly());
afterEach(() => nock.cleanAll());

describe("GitHub CI summary", () => {
  it("comments once with the root error lines of a failed Actions job, then edits the same comment", async () => {
    const { probot, jobs } = setup();
    const api = githubApi();
    mockCommon(api, [checkRun("failure")]);
    api.get(`${REPO}/pulls/2`).reply(200, pull(2));
    mockJobLog(api, TSC_LOG + `\nexport TOKEN=${PLANTED}\n`);
    let posted = "";
    api.get(`${REPO}/issues/2/comments`).reply(200, []);
    api.post(`${REPO}/issues/2/comments`).reply(201, (_uri: string, body: unknown) => {
      posted = (body as { body: string }).body;
      return { id: 77, body: posted, user: { login: "factory-bot[bot]" }, created_at: "2026-11-21T10:00:00Z" };
    });
    api
      .get(`${REPO}/issues/2/comments`)
      .reply(200, () => [
        { id: 77, body: posted, user: { login: "factory-bot[bot]" }, created_at: "2026-11-21T10:00:00Z" },
      ]);
    await probot.receive({ name: "workflow_run", id: "d-1", payload: workflowRun() as never });
    await jobs.drain();
    api.done();
    expect(posted).toContain(MARKERS.ciSummary);
    expect(posted).toContain("error TS7006: Parameter 'y' implicitly has an 'any' type.");
    expect(posted).toContain(
      `[\`build (ubuntu-latest)\`](https://github.com/octo-org/octo-repo/actions/runs/1/job/${JOB_ID})`,
    );
    expect(posted).not.toContain(PLANTED);

    // The next failing run on the same head edits the comment instead of adding one.
    const second = githubApi();
    mockCommon(second, [checkRun("failure")], { botLoginKnown: true });
    second.get(`${REPO}/pulls/2`).reply(200, pull(2));
    mockJobLog(
      second,
      "2026-11-21T10:00:00.0000000Z npm ERR! code ELIFECYCLE\n2026-11-21T10:00:00.0000000Z Error: Cannot find module 'left-pad'\n",
    );
    second
      .get(`${REPO}/issues/2/comments`)
      .reply(200, [{ id: 77, body: posted, user: { login: "factory-bot[bot]" }, created_at: "2026-11-21T10:00:00Z" }]);
    let edited = "";
    second.patch(`${REPO}/issues/comments/77`).reply(200, (_uri: string, body: unknown) => {
      edited = (body as { body: string }).body;
      return { id: 77, body: edited };
    });
    await probot.receive({ name: "workflow_run", id: "d-2", payload: workflowRun() as never });
    await jobs.drain();
    second.done();
    expect(edited).toContain("Cannot find module 'left-pad'");
  });

  it("finds a fork PR by head SHA when pull_requests is empty", async () => {
    const { probot, jobs } = setup();
    const api = githubApi();
    mockCommon(api, [checkRun("failure")]);
    api.get(`${REPO}/commits/${SHA}/pulls`).reply(200, []);
    api.get(`${REPO}/pulls`).reply(200, [pull(5, "0".repeat(40)), pull(9)]);
    mockJobLog(api, TSC_LOG);
    api.get(`${REPO}/issues/9/comments`).reply(200, []);
    api
      .post(`${REPO}/issues/9/comments`)
      .reply(201, { id: 5, body: "x", user: { login: "factory-bot[bot]" }, created_at: "t" });
    api
      .get(`${REPO}/issues/9/comments`)
      .reply(200, [{ id: 5, body: MARKERS.ciSummary, user: { login: "factory-bot[bot]" }, created_at: "t" }]);
    await probot.receive({ name: "workflow_run", id: "d-3", payload: workflowRun({ pullNumbers: [] }) as never });
    await jobs.drain();
    api.done();
  });

  it("ignores a run whose head SHA is no longer the PR head", async () => {
    const { probot, jobs } = setup();
    const api = githubApi();
    api.get("/app").reply(200, { id: 1, slug: "factory-bot", name: "factory-bot" });
    api.get(`${REPO}/contents/.github%2Ffactory.yml`).reply(404, { message: "Not Found" });
    api.get("/repos/octo-org/.github/contents/.github%2Ffactory.yml").reply(404, { message: "Not Found" });
    api.get(`${REPO}/pulls/2`).reply(200, pull(2, "f".repeat(40)));
    await probot.receive({ name: "workflow_run", id: "d-4", payload: workflowRun() as never });
    await jobs.drain();
    api.done(); // and nothing else was requested: nock refuses unmatched requests
  });

  it("does not summarize GitHub Actions check runs a second time, nor check suites", async () => {
    const { probot, jobs, logger } = setup();
    const seen: string[] = [];
    nock.emitter.on("no match", (req: { path?: string }) => seen.push(String(req.path)));
    const actionsRun = githubExample(
      "check_run",
      "completed",
      (p) => (p.check_run as { app?: { slug?: string } }).app?.slug === "github-actions",
    );
    const suite = githubExample("check_suite", "completed");
    for (const p of [actionsRun, suite]) p.installation = { id: 1, node_id: "x" };
    await probot.receive({ name: "check_run", id: "d-5", payload: actionsRun as never });
    await probot.receive({ name: "check_suite", id: "d-6", payload: suite as never });
    await jobs.drain();
    nock.emitter.removeAllListeners("no match");
    expect(seen).toEqual([]);
    expect(logger.lines.filter((l) => l.level === "error")).toEqual([]);
  });

  it("summarizes another check app's failure from its output and annotations", async () => {
    const { probot, jobs } = setup();
    const payload = githubExample(
      "check_run",
      "completed",
      (p) => (p.check_run as { app?: { slug?: string } }).app?.slug !== "github-actions",
    );
    payload.installation = { id: 1, node_id: "x" };
    payload.repository.name = "octo-repo";
    payload.repository.full_name = "octo-org/octo-repo";
    payload.repository.owner.login = "octo-org";
    payload.check_run.conclusion = "failure";
    payload.check_run.head_sha = SHA;
    payload.check_run.pull_requests = [{ number: 2 }];
    payload.check_run.app = { ...payload.check_run.app, slug: "lint-bot" };
    const api = githubApi();
    mockCommon(api, [
      checkRun("failure", {
        id: 55,
        name: "lint-bot",
        app: { slug: "lint-bot" },
        output: { title: "2 problems", summary: "ESLint found problems", text: null, annotations_count: 1 },
      }),
    ]);
    api.get(`${REPO}/pulls/2`).reply(200, pull(2));
    api.get(`${REPO}/check-runs/55/annotations`).reply(200, [
      {
        path: "src/a.ts",
        start_line: 3,
        end_line: 3,
        annotation_level: "failure",
        title: "no-unused-vars",
        message: "'x' is assigned a value but never used.",
        blob_href: "",
        raw_details: null,
        start_column: null,
        end_column: null,
      },
    ]);
    let posted = "";
    api.get(`${REPO}/issues/2/comments`).reply(200, []);
    api.post(`${REPO}/issues/2/comments`).reply(201, (_uri: string, body: unknown) => {
      posted = (body as { body: string }).body;
      return { id: 3, body: posted, user: { login: "factory-bot[bot]" }, created_at: "t" };
    });
    api
      .get(`${REPO}/issues/2/comments`)
      .reply(200, () => [{ id: 3, body: posted, user: { login: "factory-bot[bot]" }, created_at: "t" }]);
    await probot.receive({ name: "check_run", id: "d-7", payload: payload as never });
    await jobs.drain();
    api.done();
    expect(posted).toContain("'x' is assigned a value but never used.");
  });
});
