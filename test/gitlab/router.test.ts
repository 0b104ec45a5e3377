import { jest } from "@jest/globals";
import nock from "nock";
import { BackgroundJobs, inBackground } from "../../src/entry/background-jobs.js";
import { MARKERS } from "../../src/core/markers.js";
import type { TaskRunner } from "../../src/core/task-runner.js";
import { createGitLabApi } from "../../src/gitlab/client.js";
import { RecentKeys } from "../../src/gitlab/recent-keys.js";
import { handleGitLabDelivery, type GitLabWebhookDeps } from "../../src/gitlab/node-handler.js";
import { cachedBotUser } from "../../src/gitlab/router.js";
import { fixedClock, recordingLogger } from "../helpers/logger.js";
import {
  gitlabHeaders,
  gitlabPayload,
  gitlabTrace,
  issueLabelsChanged,
  pipelineFinished,
  TSC_OUTPUT,
  type ProjectFields,
} from "./helpers.js";
import { allowLoopbackOnly } from "../helpers/net.js";

const SECRET = "gitlab-hook-secret";
const BASE = "https://gitlab.example.com";
const SHA = "d".repeat(40);
const BOT = { id: 99, username: "factory-bot" };

interface Harness {
  deps: GitLabWebhookDeps;
  jobs: BackgroundJobs;
  logger: ReturnType<typeof recordingLogger>;
  runner: jest.Mocked<TaskRunner>;
  project: ProjectFields;
  /** The API root the forge calls, path prefix included. */
  api: string;
}

function harness(url = BASE): Harness {
  const logger = recordingLogger();
  const clock = fixedClock();
  const api = createGitLabApi({ url, token: "glpat-test" });
  const runner = { run: jest.fn() } as jest.Mocked<TaskRunner>;
  const jobs = new BackgroundJobs(logger);
  const deps: GitLabWebhookDeps = {
    webhookSecret: SECRET,
    api,
    deliver: inBackground(jobs, { runner, clock }),
    logger,
    botUser: cachedBotUser(api),
    recentDeliveries: new RecentKeys({ capacity: 100, ttlMs: 60_000, clock }),
  };
  return {
    deps,
    jobs,
    logger,
    runner,
    project: { id: 7, path: "acme/widgets", webUrl: `${url}/acme/widgets` },
    api: `${new URL(url).pathname.replace(/\/$/, "")}/api/v4`,
  };
}

async function deliver(
  h: Harness,
  event: string,
  payload: unknown,
  headers: { token?: string | null; idempotencyKey?: string } = {},
) {
  const response = await handleGitLabDelivery(
    gitlabHeaders({
      event,
      token: headers.token === undefined ? SECRET : headers.token,
      ...(headers.idempotencyKey ? { idempotencyKey: headers.idempotencyKey } : {}),
    }),
    async () => (typeof payload === "string" ? payload : JSON.stringify(payload)),
    h.deps,
  );
  await h.jobs.drain();
  return { status: response.status, body: JSON.parse(response.body) as Record<string, unknown> };
}

const errorsLogged = (h: Harness) => h.logger.lines.filter((l) => l.level === "error");

/** Notes of one issue or MR kept in memory behind nock, as GitLab would keep them. */
function notesOn(h: Harness, scope: nock.Scope, path: string, initial: Array<{ id: number; body: string }> = []) {
  const notes = initial.map((n) => ({
    ...n,
    system: false,
    author: { username: BOT.username },
    created_at: "2026-11-21T10:00:00Z",
  }));
  let nextId = 900;
  scope
    .persist()
    .get(`${h.api}/projects/7/${path}/notes`)
    .query(true)
    .reply(() => [200, notes])
    .post(`${h.api}/projects/7/${path}/notes`)
    .reply((_uri, body) => {
      const note = {
        id: nextId++,
        body: (body as { body: string }).body,
        system: false,
        author: { username: BOT.username },
        created_at: "2026-11-21T10:00:00Z",
      };
      notes.push(note);
      return [201, note];
    })
    .put(new RegExp(`${h.api}/projects/7/${path}/notes/\\d+$`))
    .reply((uri, body) => {
      const note = notes.find((n) => uri.endsWith(`/${n.id}`));
      if (!note) return [404, { message: "404 Not found" }];
      note.body = (body as { body: string }).body;
      return [200, note];
    });
  return notes;
}

/** What every task delivery reads first: the bot's identity, then the config (`null`: no file at all). */
function nockTaskStart(h: Harness, config: string | null, origin = BASE): nock.Scope {
  const scope = nock(origin).get(`${h.api}/user`).reply(200, BOT);
  if (config === null) {
    return scope
      .get(/\/repository\/files\/\.(github|gitlab)%2Ffactory\.yml\/raw/)
      .query({ ref: "main" })
      .times(2)
      .reply(404, { message: "404 File Not Found" });
  }
  return scope
    .get(`${h.api}/projects/7/repository/files/.github%2Ffactory.yml/raw`)
    .query({ ref: "main" })
    .reply(200, config, { "content-type": "text/plain" });
}

/** The permission lookup: username to id, then the membership including inherited ones. */
function nockMember(
  h: Harness,
  scope: nock.Scope,
  user: { id: number; username: string },
  accessLevel: number,
): nock.Scope {
  return scope
    .get(`${h.api}/users`)
    .query({ username: user.username })
    .reply(200, [user])
    .get(`${h.api}/projects/7/members/all/${user.id}`)
    .reply(200, { ...user, access_level: accessLevel, state: "active" });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => allowLoopbackOnly());

describe("GitLab webhook verification", () => {
  it("refuses a wrong or missing X-Gitlab-Token with 401, before parsing anything or calling GitLab", async () => {
    const h = harness();
    const user = nock(BASE).get("/api/v4/user").reply(200, BOT);
    const payload = issueLabelsChanged({
      project: h.project,
      user: { id: 11, username: "alice" },
      iid: 12,
      previous: [],
      current: ["factory"],
    });
    await expect(deliver(h, "Issue Hook", payload, { token: "guessed-token-123" })).resolves.toMatchObject({
      status: 401,
    });
    await expect(deliver(h, "Issue Hook", payload, { token: null })).resolves.toMatchObject({ status: 401 });
    // A body that is not even JSON still gets 401, not 400: it was never parsed.
    await expect(deliver(h, "Issue Hook", "{not json", { token: "guessed-token-123" })).resolves.toMatchObject({
      status: 401,
    });
    expect(user.isDone()).toBe(false);
    expect((h.deps.recentDeliveries as RecentKeys).size).toBe(0);
    const refusals = h.logger.lines.filter((l) => l.msg?.startsWith("refused a GitLab delivery"));
    expect(refusals).toHaveLength(3);
    expect(JSON.stringify(refusals)).not.toContain("guessed-token-123");
  });

  it("answers malformed JSON with 400", async () => {
    const h = harness();
    await expect(deliver(h, "Issue Hook", "{not json")).resolves.toEqual({
      status: 400,
      body: { error: "the body is not JSON" },
    });
  });

  it.each([
    ["Push Hook", "push"],
    ["Note Hook", "note_issue"],
    ["System Hook", "push"],
  ] as const)("acknowledges an event it does not use (%s) with 2xx and does nothing", async (event, fixture) => {
    const h = harness();
    const response = await deliver(h, event, gitlabPayload(fixture));
    expect(response).toEqual({ status: 200, body: { status: "ignored" } });
    expect(h.jobs.size).toBe(0);
  });

  it("acknowledges the documented Issue Hook example (a label swap by the opening action) without work", async () => {
    const h = harness();
    // The example's action is `open`: only updates can add labels to an existing issue.
    await expect(deliver(h, "Issue Hook", gitlabPayload("issue"))).resolves.toMatchObject({
      status: 200,
      body: { status: "ignored" },
    });
  });
});

describe("GitLab issue labels → task", () => {
  it("ignores an update whose labels lost the trigger or did not change", async () => {
    const h = harness();
    const removed = issueLabelsChanged({
      project: h.project,
      user: { id: 11, username: "alice" },
      iid: 12,
      previous: ["factory", "bug"],
      current: ["bug"],
    });
    const unchanged = issueLabelsChanged({
      project: h.project,
      user: { id: 11, username: "alice" },
      iid: 12,
      previous: [],
      current: [],
    });
    delete unchanged.changes.labels;
    await expect(deliver(h, "Issue Hook", removed)).resolves.toMatchObject({
      status: 200,
      body: { status: "ignored" },
    });
    await expect(deliver(h, "Issue Hook", unchanged)).resolves.toMatchObject({
      status: 200,
      body: { status: "ignored" },
    });
  });

  it("starts nothing when the trigger label was already there and another label was added", async () => {
    const h = harness();
    const scope = nockTaskStart(h, "agent:\n  command: make-change\n");
    const payload = issueLabelsChanged({
      project: h.project,
      user: { id: 11, username: "alice" },
      iid: 12,
      previous: ["factory"],
      current: ["factory", "bug"],
    });
    await expect(deliver(h, "Issue Hook", payload)).resolves.toMatchObject({ status: 202 });
    scope.done(); // the config was read for the gained label `bug`; no permission lookup, no note
    expect(h.runner.run).not.toHaveBeenCalled();
    expect(errorsLogged(h)).toEqual([]);
  });

  it("tells a user below min_permission who may start tasks, in one note", async () => {
    const h = harness();
    const reporter = { id: 21, username: "rita" };
    const scope = nockMember(h, nockTaskStart(h, "agent:\n  command: make-change\n"), reporter, 20);
    const notes = notesOn(h, nock(BASE), "issues/12");
    const payload = issueLabelsChanged({
      project: h.project,
      user: reporter,
      iid: 12,
      previous: ["bug"],
      current: ["bug", "factory"],
    });
    await expect(deliver(h, "Confidential Issue Hook", payload)).resolves.toMatchObject({ status: 202 });
    scope.done();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(MARKERS.task);
    expect(notes[0]!.body).toContain("Thanks @rita");
    expect(notes[0]!.body).toContain("**Developer** permission or higher");
    expect(notes[0]!.body).toContain("you have **Reporter**");
    expect(h.runner.run).not.toHaveBeenCalled();
    expect(errorsLogged(h)).toEqual([]);
  });

  it.each([
    ["gitlab.com", BASE],
    ["a self-managed GITLAB_URL with a path prefix", "https://git.example.com/gitlab"],
  ])("on %s, says tasks are off when the project has no config", async (_name, url) => {
    const h = harness(url);
    const origin = new URL(url).origin;
    const developer = { id: 31, username: "dev" };
    const scope = nockMember(h, nockTaskStart(h, null, origin), developer, 30);
    const notes = notesOn(h, nock(origin), "issues/12");
    const payload = issueLabelsChanged({
      project: h.project,
      user: developer,
      iid: 12,
      previous: [],
      current: ["factory"],
    });
    await expect(deliver(h, "Issue Hook", payload)).resolves.toMatchObject({ status: 202 });
    scope.done();
    expect(notes.map((n) => n.body)).toEqual([
      expect.stringContaining(
        "Tasks are off for this repository: `.github/factory.yml` or `.gitlab/factory.yml` on the default branch sets no `agent.command`",
      ),
    ]);
    expect(errorsLogged(h)).toEqual([]);
  });

  it("does the work of one delivery once, however often GitLab redelivers it with the same Idempotency-Key", async () => {
    const h = harness();
    const scope = nockTaskStart(h, "trigger:\n  label: robot\n"); // each interceptor answers once
    const payload = issueLabelsChanged({
      project: h.project,
      user: { id: 11, username: "alice" },
      iid: 12,
      previous: [],
      current: ["factory"],
    });
    const first = await deliver(h, "Issue Hook", payload, { idempotencyKey: "key-1" });
    const again = await deliver(h, "Issue Hook", payload, { idempotencyKey: "key-1" });
    const later = await deliver(h, "Issue Hook", payload, { idempotencyKey: "key-1" });
    expect([first.status, again.status, later.status]).toEqual([202, 200, 200]);
    expect(again.body).toEqual({ status: "duplicate" });
    scope.done();
    expect(errorsLogged(h)).toEqual([]); // a second run would have found no interceptor for the config
  });

  it("starts nothing for labels the bot itself added, after one GET /user", async () => {
    const h = harness();
    const scope = nock(BASE).get("/api/v4/user").once().reply(200, BOT);
    const payload = issueLabelsChanged({ project: h.project, user: BOT, iid: 12, previous: [], current: ["factory"] });
    await deliver(h, "Issue Hook", payload);
    await deliver(h, "Issue Hook", payload); // the identity is cached
    scope.done();
    expect(
      h.logger.lines.some(
        (l) => l.msg === "events caused by the bot start nothing" && l.forge === "gitlab" && l.repo === "acme/widgets",
      ),
    ).toBe(true);
    expect(errorsLogged(h)).toEqual([]);
  });
});

describe("GitLab pipelines → one CI summary note per MR", () => {
  const mr = {
    iid: 3,
    web_url: `${BASE}/acme/widgets/-/merge_requests/3`,
    title: "Theme",
    description: "",
    source_branch: "theme",
    target_branch: "main",
    source_project_id: 7,
    sha: SHA,
    state: "opened",
    author: { username: "alice" },
    labels: [],
  };

  /** One finished pipeline on SHA: config (none), the MR, the pipeline's jobs and the failed jobs' traces. */
  function pipelineApi(pipelineId: number, jobs: Array<{ id: number; name: string; status: string; trace?: string }>) {
    const scope = nock(BASE)
      .get(/\/repository\/files\/\.(github|gitlab)%2Ffactory\.yml\/raw/)
      .query(true)
      .times(2)
      .reply(404, { message: "404 File Not Found" })
      .get("/api/v4/projects/7/merge_requests/3")
      .reply(200, mr)
      .get("/api/v4/projects/7/pipelines")
      .query(true)
      .reply(200, [{ id: pipelineId, sha: SHA, source: "merge_request_event", status: "failed" }])
      .get(`/api/v4/projects/7/pipelines/${pipelineId}/jobs`)
      .query(true)
      .reply(
        200,
        jobs.map((j) => ({
          id: j.id,
          name: j.name,
          status: j.status,
          allow_failure: false,
          web_url: `${BASE}/acme/widgets/-/jobs/${j.id}`,
        })),
      );
    for (const job of jobs.filter((j) => j.trace !== undefined)) {
      scope.get(`/api/v4/projects/7/jobs/${job.id}/trace`).reply(200, job.trace, { "content-type": "text/plain" });
    }
    return scope;
  }

  it("writes one note with the root error lines, updates it for a later pipeline, and turns it green", async () => {
    const h = harness();
    nock(BASE).get("/api/v4/user").reply(200, BOT);
    const notes = notesOn(h, nock(BASE), "merge_requests/3");
    const hook = (status: string) => pipelineFinished({ project: h.project, sha: SHA, status, mrIid: 3, user: BOT });

    const first = pipelineApi(40, [
      { id: 1, name: "typecheck", status: "failed", trace: gitlabTrace(TSC_OUTPUT) },
      { id: 2, name: "unit", status: "success" },
    ]);
    await expect(deliver(h, "Pipeline Hook", hook("failed"))).resolves.toMatchObject({ status: 202 });
    first.done();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(MARKERS.ciSummary);
    expect(notes[0]!.body).toContain("error TS7006: Parameter 'y' implicitly has an 'any' type.");
    expect(notes[0]!.body).toContain(`${BASE}/acme/widgets/-/jobs/1`);
    expect(notes[0]!.body).not.toContain("ERROR: Job failed");

    const second = pipelineApi(41, [
      {
        id: 3,
        name: "typecheck",
        status: "failed",
        trace: gitlabTrace(["src/theme.ts(9,1): error TS1005: ';' expected."]),
      },
    ]);
    await deliver(h, "Pipeline Hook", hook("failed"));
    second.done();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain("error TS1005: ';' expected.");
    expect(notes[0]!.body).not.toContain("TS7006");

    const green = pipelineApi(42, [{ id: 4, name: "typecheck", status: "success" }]);
    await deliver(h, "Pipeline Hook", hook("success"));
    green.done();
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toMatch(/pass/i);
    expect(notes[0]!.body).toContain("<details>");
    expect(errorsLogged(h)).toEqual([]);
  });

  it("finds the MR of a branch pipeline by SHA, and ignores running and external pipelines", async () => {
    const h = harness();
    const scope = nock(BASE)
      .get("/api/v4/user")
      .reply(200, BOT)
      .get(/\/repository\/files\/\.(github|gitlab)%2Ffactory\.yml\/raw/)
      .query(true)
      .times(2)
      .reply(404, { message: "404 File Not Found" })
      .get(`/api/v4/projects/7/repository/commits/${SHA}/merge_requests`)
      .reply(200, [{ ...mr, state: "merged" }])
      .get("/api/v4/projects/7/merge_requests")
      .query(true)
      .reply(200, []);
    await expect(
      deliver(h, "Pipeline Hook", pipelineFinished({ project: h.project, sha: SHA, status: "failed", mrIid: null })),
    ).resolves.toMatchObject({ status: 202 });
    scope.done(); // no open MR has this head: no jobs listed, no note
    const running = pipelineFinished({ project: h.project, sha: SHA, status: "running", mrIid: 3 });
    const external = pipelineFinished({ project: h.project, sha: SHA, status: "success", mrIid: null });
    external.object_attributes.source = "external";
    await expect(deliver(h, "Pipeline Hook", running)).resolves.toMatchObject({
      status: 200,
      body: { status: "ignored" },
    });
    await expect(deliver(h, "Pipeline Hook", external)).resolves.toMatchObject({
      status: 200,
      body: { status: "ignored" },
    });
  });
});

describe("GitLab merge requests → config check", () => {
  it("sets factory/config on an MR that changes the config, and ignores edits that push no code", async () => {
    const h = harness();
    const payload = gitlabPayload("merge_request");
    payload.project = {
      ...payload.project,
      id: 7,
      path_with_namespace: "acme/widgets",
      web_url: h.project.webUrl,
      default_branch: "main",
    };
    payload.user = { ...payload.user, id: 11, username: "alice" };
    payload.object_attributes.action = "update";
    payload.object_attributes.oldrev = "e".repeat(40);
    payload.object_attributes.last_commit.id = SHA;
    let status: unknown;
    const scope = nock(BASE)
      .get("/api/v4/user")
      .reply(200, BOT)
      .get("/api/v4/projects/7/merge_requests/1/diffs")
      .query(true)
      .reply(200, [{ old_path: ".gitlab/factory.yml", new_path: ".gitlab/factory.yml" }])
      .get("/api/v4/projects/7/repository/files/.github%2Ffactory.yml/raw")
      .query({ ref: SHA })
      .reply(404, { message: "404 File Not Found" })
      .get("/api/v4/projects/7/repository/files/.gitlab%2Ffactory.yml/raw")
      .query({ ref: SHA })
      .reply(200, "ci:\n  comments: sometimes\n", { "content-type": "text/plain" })
      .post(`/api/v4/projects/7/statuses/${SHA}`, (body: unknown) => ((status = body), true))
      .reply(201, {});
    await expect(deliver(h, "Merge Request Hook", payload)).resolves.toMatchObject({ status: 202 });
    scope.done();
    expect(status).toMatchObject({
      state: "failed",
      name: "factory/config",
      description: expect.stringContaining("factory.yml:2"),
    });

    delete payload.object_attributes.oldrev; // a title or label edit
    await expect(deliver(h, "Merge Request Hook", payload)).resolves.toMatchObject({
      status: 200,
      body: { status: "ignored" },
    });
  });
});

describe("GitLab notes → /factory commands", () => {
  it("acknowledges a command from a developer with an award emoji and answers on the issue", async () => {
    const h = harness();
    const developer = { id: 31, username: "dev" };
    let award: unknown;
    const scope = nockMember(h, nockTaskStart(h, "agent:\n  command: make-change\n"), developer, 30)
      .post("/api/v4/projects/7/issues/12/notes/1241/award_emoji", (body: unknown) => ((award = body), true))
      .reply(201, { id: 1, name: "eyes" });
    const notes = notesOn(h, nock(BASE), "issues/12");
    const payload = gitlabPayload("note_issue");
    payload.project = {
      ...payload.project,
      id: 7,
      path_with_namespace: "acme/widgets",
      web_url: h.project.webUrl,
      default_branch: "main",
    };
    payload.user = { ...payload.user, ...developer };
    payload.issue.iid = 12;
    payload.object_attributes.note = "/factory dance";
    await expect(deliver(h, "Note Hook", payload)).resolves.toMatchObject({ status: 202 });
    scope.done();
    expect(award).toEqual({ name: "eyes" });
    expect(notes.map((n) => n.body)).toEqual([expect.stringContaining("I don't know `/factory dance`")]);
    expect(errorsLogged(h)).toEqual([]);
  });
});

describe("GitLab task-run pipelines", () => {
  const taskRun = (h: Harness, user: { id: number; username: string }) => {
    const payload = pipelineFinished({ project: h.project, sha: SHA, status: "success", mrIid: null, user });
    payload.object_attributes.source = "api";
    payload.object_attributes.variables = [
      { key: "FACTORY_TASK_ISSUE", value: "12" },
      { key: "FACTORY_TASK_ATTEMPT", value: "1" },
    ];
    return payload;
  };

  it("hands a finished task-run pipeline the bot created to the task", async () => {
    const h = harness();
    const scope = nockTaskStart(h, null);
    await expect(deliver(h, "Pipeline Hook", taskRun(h, BOT))).resolves.toMatchObject({ status: 202 });
    scope.done();
    expect(h.logger.lines.some((l) => l.msg === "task run finished but the config is not usable; ignored")).toBe(true);
  });

  it("ignores FACTORY_TASK_* variables on a pipeline someone else ran", async () => {
    const h = harness();
    const scope = nock(BASE).get("/api/v4/user").reply(200, BOT);
    await expect(deliver(h, "Pipeline Hook", taskRun(h, { id: 11, username: "alice" }))).resolves.toMatchObject({
      status: 202,
    });
    scope.done(); // and nothing else was called
    expect(
      h.logger.lines.some((l) => l.msg === "a task run's result counts only from a pipeline the bot created"),
    ).toBe(true);
    expect(errorsLogged(h)).toEqual([]);
  });
});
