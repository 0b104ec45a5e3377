import nock from "nock";
import { ConflictError, ForbiddenError, NotFoundError, TransientForgeError } from "../../src/core/errors.js";
import type { CommitInput } from "../../src/core/forge.js";
import { createGitLabApi } from "../../src/gitlab/client.js";
import { GitLabForge, gitlabWording } from "../../src/gitlab/forge.js";
import { allowLoopbackOnly } from "../helpers/net.js";

const BASE = "https://gitlab.example.com";
const API = "/api/v4/projects/7";
const PARENT = "a".repeat(40);
const OTHER = "b".repeat(40);
const NEW = "c".repeat(40);

function forgeAt(url = BASE) {
  const api = createGitLabApi({ url, token: "glpat-test" });
  return new GitLabForge(
    api,
    { id: 7, pathWithNamespace: "acme/widgets", webUrl: `${url}/acme/widgets`, defaultBranch: "main" },
    { id: 99, username: "factory-bot" },
  );
}

const mergeRequest = (fields: Record<string, unknown> = {}) => ({
  iid: 3,
  web_url: `${BASE}/acme/widgets/-/merge_requests/3`,
  title: "Draft: [Factory] #12: Add a dark theme",
  description: "Closes #12",
  source_branch: "factory/12-add-a-dark-theme",
  target_branch: "main",
  source_project_id: 7,
  sha: NEW,
  draft: true,
  state: "opened",
  author: { username: "factory-bot" },
  labels: ["factory"],
  ...fields,
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => allowLoopbackOnly());

describe("GitLabForge config", () => {
  it("reads .github/factory.yml from the default branch through the raw files API", async () => {
    const scope = nock(BASE)
      .get(`${API}/repository/files/.github%2Ffactory.yml/raw`)
      .query({ ref: "main" })
      .reply(200, "agent:\n  command: make\n", { "content-type": "text/plain; charset=utf-8" });
    const result = await forgeAt().loadConfig();
    expect(result).toMatchObject({
      status: "ok",
      files: [".github/factory.yml"],
      config: { agent: { command: "make" } },
    });
    scope.done();
  });

  it("falls back to .gitlab/factory.yml at the given ref", async () => {
    const scope = nock(BASE)
      .get(`${API}/repository/files/.github%2Ffactory.yml/raw`)
      .query({ ref: NEW })
      .reply(404, { message: "404 File Not Found" })
      .get(`${API}/repository/files/.gitlab%2Ffactory.yml/raw`)
      .query({ ref: NEW })
      .reply(200, "trigger:\n  label: robot\n", { "content-type": "text/plain" });
    const result = await forgeAt().loadConfig(NEW);
    expect(result).toMatchObject({
      status: "ok",
      files: [".gitlab/factory.yml"],
      config: { trigger: { label: "robot" } },
    });
    scope.done();
  });

  it("says missing when neither file exists", async () => {
    const scope = nock(BASE)
      .get(/\/repository\/files\/\.(github|gitlab)%2Ffactory\.yml\/raw/)
      .query(true)
      .times(2)
      .reply(404, { message: "404 File Not Found" });
    await expect(forgeAt().loadConfig()).resolves.toEqual({ status: "missing" });
    scope.done();
  });

  it("locates problems at the file's line and column", async () => {
    const scope = nock(BASE)
      .get(`${API}/repository/files/.github%2Ffactory.yml/raw`)
      .query(true)
      .reply(200, "trigger:\n  min_permission: owner\n", { "content-type": "text/plain" });
    const result = await forgeAt().loadConfig();
    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" && result.problems[0]).toMatchObject({
      file: ".github/factory.yml",
      line: 2,
      key: "trigger.min_permission",
    });
    scope.done();
  });

  it("keeps a self-managed path prefix in every API URL", async () => {
    const scope = nock("https://git.example.com")
      .get(`/gitlab${API}/repository/files/.github%2Ffactory.yml/raw`)
      .query({ ref: "main" })
      .reply(200, "agent:\n  command: make\n", { "content-type": "text/plain" });
    await expect(forgeAt("https://git.example.com/gitlab").loadConfig()).resolves.toMatchObject({ status: "ok" });
    scope.done();
  });
});

describe("GitLabForge permissions", () => {
  const lookup = (username: string, id: number | null) =>
    nock(BASE)
      .get("/api/v4/users")
      .query({ username })
      .reply(200, id === null ? [] : [{ id, username }]);

  it.each([
    [50, "admin"],
    [40, "maintain"],
    [30, "write"],
    [20, "triage"],
    [10, "read"],
    [5, "none"],
  ])("maps access level %i (inherited memberships included) to %s", async (level, expected) => {
    const users = lookup("alice", 11);
    const member = nock(BASE)
      .get(`${API}/members/all/11`)
      .reply(200, { id: 11, username: "alice", access_level: level, state: "active" });
    await expect(forgeAt().getPermission("alice")).resolves.toBe(expected);
    users.done();
    member.done();
  });

  it("gives none to non-members, unknown users and members awaiting a seat", async () => {
    const forge = forgeAt();
    lookup("bob", 12);
    nock(BASE).get(`${API}/members/all/12`).reply(404, { message: "404 Not found" });
    lookup("ghost", null);
    lookup("carol", 13);
    nock(BASE).get(`${API}/members/all/13`).reply(200, { id: 13, access_level: 40, state: "awaiting" });
    await expect(forge.getPermission("bob")).resolves.toBe("none");
    await expect(forge.getPermission("ghost")).resolves.toBe("none");
    await expect(forge.getPermission("carol")).resolves.toBe("none");
    expect(nock.isDone()).toBe(true);
  });
});

describe("GitLabForge commits", () => {
  const input = (files: CommitInput["files"]): CommitInput => ({
    branch: "factory/12-x",
    parentSha: PARENT,
    message: "[Factory] #12: x",
    files,
  });

  it("creates the branch and the commit in one call from start_sha, with base64 and executable files", async () => {
    let body: Record<string, unknown> = {};
    const scope = nock(BASE)
      .get(`${API}/repository/branches/factory%2F12-x`)
      .reply(404, { message: "404 Branch Not Found" })
      .post(`${API}/repository/commits`, (b: Record<string, unknown>) => ((body = b), true))
      .reply(201, { id: NEW });
    const result = await forgeAt().commitFiles(
      input([
        {
          path: "theme.ts",
          action: "create",
          mode: "100644",
          encoding: "utf8",
          content: "export const dark = true;\n",
        },
        { path: "logo.png", action: "create", mode: "100644", encoding: "base64", content: "iVBORw0KGgo=" },
        { path: "run.sh", action: "update", mode: "100755", encoding: "utf8", content: "#!/bin/sh\n" },
        { path: "old.txt", action: "delete", mode: "", encoding: "utf8", content: "" },
      ]),
    );
    expect(result).toEqual({ sha: NEW, createdBranch: true });
    expect(body).toEqual({
      branch: "factory/12-x",
      commit_message: "[Factory] #12: x",
      start_sha: PARENT,
      actions: [
        { action: "create", file_path: "theme.ts", content: "export const dark = true;\n", encoding: "text" },
        { action: "create", file_path: "logo.png", content: "iVBORw0KGgo=", encoding: "base64" },
        { action: "update", file_path: "run.sh", content: "#!/bin/sh\n", encoding: "text" },
        { action: "chmod", file_path: "run.sh", execute_filemode: true },
        { action: "delete", file_path: "old.txt" },
      ],
    });
    scope.done();
  });

  it("commits on top of an existing branch whose head is the parent", async () => {
    let body: Record<string, unknown> = {};
    const scope = nock(BASE)
      .get(`${API}/repository/branches/factory%2F12-x`)
      .reply(200, { name: "factory/12-x", commit: { id: PARENT } })
      .post(`${API}/repository/commits`, (b: Record<string, unknown>) => ((body = b), true))
      .reply(201, { id: NEW });
    const result = await forgeAt().commitFiles(
      input([{ path: "a.ts", action: "update", mode: "100644", encoding: "utf8", content: "x" }]),
    );
    expect(result).toEqual({ sha: NEW, createdBranch: false });
    expect(body).not.toHaveProperty("start_sha");
    expect(body).not.toHaveProperty("start_branch");
    expect(body).not.toHaveProperty("force");
    scope.done();
  });

  it("refuses to commit when the branch moved (a person pushed): fast-forward only", async () => {
    const scope = nock(BASE)
      .get(`${API}/repository/branches/factory%2F12-x`)
      .reply(200, { commit: { id: OTHER } });
    await expect(
      forgeAt().commitFiles(
        input([{ path: "a.ts", action: "update", mode: "100644", encoding: "utf8", content: "x" }]),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    scope.done(); // and no POST was made: nock has no interceptor for it and net connect is off
  });

  it("turns GitLab's 400 for a branch created meanwhile into a conflict", async () => {
    const scope = nock(BASE)
      .get(`${API}/repository/branches/factory%2F12-x`)
      .reply(404, { message: "404 Branch Not Found" })
      .post(`${API}/repository/commits`)
      .reply(400, {
        message: "A branch called 'factory/12-x' already exists. Switch to that branch in order to make changes",
      });
    await expect(
      forgeAt().commitFiles(
        input([{ path: "a.ts", action: "create", mode: "100644", encoding: "utf8", content: "x" }]),
      ),
    ).rejects.toBeInstanceOf(ConflictError);
    scope.done();
  });
});

describe("GitLabForge merge requests, notes and statuses", () => {
  it("opens a draft MR with GitLab's Draft: prefix once, and reads it back", async () => {
    let body: Record<string, unknown> = {};
    const scope = nock(BASE)
      .post(`${API}/merge_requests`, (b: Record<string, unknown>) => ((body = b), true))
      .reply(201, mergeRequest());
    const mr = await forgeAt().createChangeRequest({
      title: gitlabWording.draftTitle("[Factory] #12: Add a dark theme"),
      body: "Closes #12",
      head: "factory/12-add-a-dark-theme",
      base: "main",
      draft: true,
    });
    expect(body).toEqual({
      source_branch: "factory/12-add-a-dark-theme",
      target_branch: "main",
      title: "Draft: [Factory] #12: Add a dark theme",
      description: "Closes #12",
    });
    expect(mr).toMatchObject({
      number: 3,
      draft: true,
      state: "open",
      headSha: NEW,
      headBranch: "factory/12-add-a-dark-theme",
      author: "factory-bot",
      labels: ["factory"],
    });
    scope.done();
  });

  it("reports a second MR for the same branch as a conflict", async () => {
    nock(BASE)
      .post(`${API}/merge_requests`)
      .reply(409, { message: ["Another open merge request already exists for this source branch: !3"] });
    await expect(
      forgeAt().createChangeRequest({ title: "t", body: "b", head: "h", base: "main", draft: false }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it("finds the open MR of a branch, ignoring a fork's branch of the same name", async () => {
    const scope = nock(BASE)
      .get(`${API}/merge_requests`)
      .query({ source_branch: "factory/12-add-a-dark-theme", state: "opened", per_page: 20 })
      .reply(200, [mergeRequest({ iid: 9, source_project_id: 70 }), mergeRequest()]);
    await expect(forgeAt().findOpenChangeRequest("factory/12-add-a-dark-theme")).resolves.toMatchObject({ number: 3 });
    scope.done();
  });

  it("adds labels without replacing them, and adds reviewers to the current ones by id", async () => {
    const bodies: unknown[] = [];
    const scope = nock(BASE)
      .put(`${API}/merge_requests/3`, (b: unknown) => (bodies.push(b), true))
      .reply(200, mergeRequest())
      .get("/api/v4/users")
      .query({ username: "alice" })
      .reply(200, [{ id: 11, username: "alice" }])
      .get("/api/v4/users")
      .query({ username: "nobody" })
      .reply(200, [])
      .get(`${API}/merge_requests/3`)
      .reply(200, mergeRequest({ reviewers: [{ id: 5 }] }))
      .put(`${API}/merge_requests/3`, (b: unknown) => (bodies.push(b), true))
      .reply(200, mergeRequest());
    const forge = forgeAt();
    await forge.addLabels(3, ["factory", "automated"]);
    await forge.requestReviewers(3, { users: ["alice", "nobody"], teams: ["backend"] });
    expect(bodies).toEqual([{ add_labels: "factory,automated" }, { reviewer_ids: [5, 11] }]);
    scope.done();
  });

  it("lists the notes of an issue without GitLab's system notes", async () => {
    const scope = nock(BASE)
      .get(`${API}/issues/12/notes`)
      .query({ sort: "asc", order_by: "created_at", per_page: 100 })
      .reply(200, [
        {
          id: 1,
          body: "added ~factory label",
          system: true,
          author: { username: "alice" },
          created_at: "2026-01-01T00:00:00Z",
        },
        {
          id: 2,
          body: "<!-- factory:task -->",
          system: false,
          author: { username: "factory-bot" },
          created_at: "2026-01-01T00:00:01Z",
        },
      ]);
    await expect(forgeAt().listComments({ kind: "issue", number: 12 })).resolves.toEqual([
      { id: 2, body: "<!-- factory:task -->", author: "factory-bot", createdAt: "2026-01-01T00:00:01Z" },
    ]);
    scope.done();
  });

  it("edits and deletes MR notes in place", async () => {
    const scope = nock(BASE)
      .put(`${API}/merge_requests/3/notes/44`, { body: "new" })
      .reply(200, { id: 44, body: "new" })
      .delete(`${API}/merge_requests/3/notes/45`)
      .reply(204);
    await forgeAt().updateComment({ kind: "change", number: 3 }, 44, "new");
    await forgeAt().deleteComment({ kind: "change", number: 3 }, 45);
    scope.done();
  });

  it("posts a commit status with the context as its name, and accepts GitLab's refusal to repeat a state", async () => {
    const scope = nock(BASE)
      .post(`${API}/statuses/${NEW}`, {
        state: "failed",
        name: "factory/task",
        description: "1 of 1 tests failed: unit",
        target_url: `${BASE}/mr/3`,
      })
      .reply(201, { id: 1, status: "failed" })
      .post(`${API}/statuses/${NEW}`)
      .reply(400, {
        message: 'Cannot transition status via :drop from :failed (Reason(s): Status cannot transition via "drop")',
      });
    const status = {
      context: "factory/task",
      state: "failure" as const,
      description: "1 of 1 tests failed: unit",
      targetUrl: `${BASE}/mr/3`,
    };
    await forgeAt().setCommitStatus(NEW, status);
    await expect(forgeAt().setCommitStatus(NEW, status)).resolves.toBeUndefined();
    scope.done();
  });

  it("finds MRs by head SHA, scanning open MRs when the commit lists none (forks)", async () => {
    const scope = nock(BASE)
      .get(`${API}/repository/commits/${NEW}/merge_requests`)
      .reply(200, [])
      .get(`${API}/merge_requests`)
      .query({ state: "opened", order_by: "updated_at", sort: "desc", per_page: 100 })
      .reply(200, [mergeRequest({ iid: 4, sha: OTHER }), mergeRequest({ iid: 5, sha: NEW, source_project_id: 70 })]);
    const found = await forgeAt().findChangeRequestsForSha(NEW);
    expect(found.map((c) => c.number)).toEqual([5]);
    scope.done();
  });

  it("takes the draft prefix off to mark an MR ready", async () => {
    const scope = nock(BASE)
      .get(`${API}/merge_requests/3`)
      .reply(200, mergeRequest())
      .put(`${API}/merge_requests/3`, { title: "[Factory] #12: Add a dark theme" })
      .reply(200, mergeRequest({ draft: false }));
    await forgeAt().markReadyForReview(3);
    scope.done();
  });
});

describe("GitLabForge CI and archives", () => {
  it("lists the jobs of the newest pipeline of each source with their states, and streams a trace", async () => {
    const scope = nock(BASE)
      .get(`${API}/pipelines`)
      .query({ sha: NEW, order_by: "id", sort: "desc", per_page: 100 })
      .reply(200, [
        { id: 32, source: "merge_request_event" },
        { id: 31, source: "external" },
        { id: 30, source: "push" },
        { id: 29, source: "merge_request_event" },
      ])
      .get(`${API}/pipelines/32/jobs`)
      .query({ per_page: 100 })
      .reply(200, [
        { id: 1, name: "lint", status: "failed", allow_failure: true, web_url: "u1" },
        { id: 2, name: "unit", status: "failed", allow_failure: false, web_url: "u2" },
        { id: 3, name: "deploy", status: "manual", web_url: "u3" },
      ])
      .get(`${API}/pipelines/30/jobs`)
      .query({ per_page: 100 })
      .reply(200, [{ id: 4, name: "build", status: "running", web_url: "u4" }])
      .get(`${API}/jobs/2/trace`)
      .reply(200, "line 1\nerror TS2304\n", { "content-type": "text/plain" });
    const jobs = await forgeAt().listCiJobs(NEW);
    expect(jobs.map((j) => [j.name, j.state, j.url])).toEqual([
      ["lint", "success", "u1"],
      ["unit", "failure", "u2"],
      ["deploy", "skipped", "u3"],
      ["build", "pending", "u4"],
    ]);
    const log = await jobs[1]!.openLog();
    const chunks: Buffer[] = [];
    for await (const chunk of log!) chunks.push(Buffer.from(chunk as Uint8Array));
    expect(Buffer.concat(chunks).toString()).toBe("line 1\nerror TS2304\n");
    scope.done();
  });

  it("streams the archive of a commit", async () => {
    const scope = nock(BASE)
      .get(`${API}/repository/archive.tar.gz`)
      .query({ sha: PARENT })
      .reply(200, Buffer.from([0x1f, 0x8b, 8, 0]), { "content-type": "application/octet-stream" });
    const archive = await forgeAt().downloadArchive(PARENT);
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(Buffer.from(chunk as Uint8Array));
    expect([...Buffer.concat(chunks)]).toEqual([0x1f, 0x8b, 8, 0]);
    scope.done();
  });

  it("dispatches a task run as a pipeline with the inputs as FACTORY_TASK_* variables, `$` kept literal", async () => {
    const inputs = {
      issue: "12",
      title: "Print $CI_JOB_TOKEN",
      url: "u",
      body: "costs $5",
      branch: "factory/12-x",
      base: "main",
      attempt: "1",
      failure: "",
    };
    let body: { ref?: string; variables?: Array<{ key: string; value: string }> } = {};
    const scope = nock(BASE)
      .post(`${API}/pipeline`, (b: typeof body) => ((body = b), true))
      .reply(201, { id: 77, web_url: `${BASE}/acme/widgets/-/pipelines/77` });
    await expect(forgeAt().dispatchTaskRun({ workflow: "factory-task.yml", ref: "main", inputs })).resolves.toEqual({
      url: `${BASE}/acme/widgets/-/pipelines/77`,
    });
    expect(body.ref).toBe("main");
    expect(Object.fromEntries(body.variables!.map((v) => [v.key, v.value]))).toEqual({
      FACTORY_TASK_ISSUE: "12",
      FACTORY_TASK_TITLE: "Print $$CI_JOB_TOKEN",
      FACTORY_TASK_URL: "u",
      FACTORY_TASK_BODY: "costs $$5",
      FACTORY_TASK_BRANCH: "factory/12-x",
      FACTORY_TASK_BASE: "main",
      FACTORY_TASK_ATTEMPT: "1",
      FACTORY_TASK_FAILURE: "",
    });
    scope.done();
  });

  it("reads a task run's changeset.json artifact from the pipeline's first successful job that kept one", async () => {
    const scope = nock(BASE)
      .get(`${API}/pipelines/77/jobs`)
      .query({ per_page: 100 })
      .reply(200, [
        { id: 5, name: "lint", status: "success" },
        { id: 6, name: "factory-task", status: "success" },
      ])
      .get(`${API}/jobs/5/artifacts/changeset.json`)
      .reply(404, { message: "404 Not Found" })
      .get(`${API}/jobs/6/artifacts/changeset.json`)
      .reply(200, '{"version":1}', { "content-type": "application/json" });
    await expect(forgeAt().downloadTaskChangeSet("77")).resolves.toBe('{"version":1}');
    scope.done();
  });
});

describe("GitLabForge errors and headers", () => {
  it("converts GitLab errors to the core's classes", async () => {
    nock(BASE).get(`${API}/merge_requests/3`).reply(403, { message: "403 Forbidden" });
    nock(BASE).get(`${API}/merge_requests/4`).reply(500, { message: "500 Internal Server Error" });
    nock(BASE).get(`${API}/merge_requests/5`).reply(404, { message: "404 Not found" });
    nock(BASE).get(`${API}/repository/branches/gone`).reply(404, { message: "404 Branch Not Found" });
    const forge = forgeAt();
    await expect(forge.getChangeRequest(3)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(forge.getChangeRequest(4)).rejects.toBeInstanceOf(TransientForgeError);
    await expect(forge.getChangeRequest(5)).resolves.toBeNull();
    await expect(forge.getBranchSha("gone")).resolves.toBeNull();
  });

  it("sends the token and never an X-Gitlab-Event-UUID", async () => {
    const scope = nock(BASE, { badheaders: ["x-gitlab-event-uuid"], reqheaders: { "private-token": "glpat-test" } })
      .get(`${API}/repository/branches/main`)
      .reply(200, { commit: { id: PARENT } });
    await expect(forgeAt().getBranchSha("main")).resolves.toBe(PARENT);
    scope.done();
  });

  it("keeps NotFoundError for lookups that must exist", async () => {
    nock(BASE).get(`${API}/repository/commits/${OTHER}`).query(true).reply(404, { message: "404 Commit Not Found" });
    await expect(forgeAt().getCommitMessage(OTHER)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("GitLabForge issues", () => {
  it("reads an issue by its iid, and null when it is gone", async () => {
    const scope = nock(BASE)
      .get(`${API}/issues/12`)
      .reply(200, {
        iid: 12,
        title: "Add a dark theme",
        description: "Please",
        web_url: `${BASE}/acme/widgets/-/issues/12`,
      })
      .get(`${API}/issues/13`)
      .reply(404, { message: "404 Not found" });
    await expect(forgeAt().getIssue(12)).resolves.toEqual({
      number: 12,
      title: "Add a dark theme",
      body: "Please",
      url: `${BASE}/acme/widgets/-/issues/12`,
    });
    await expect(forgeAt().getIssue(13)).resolves.toBeNull();
    scope.done();
  });
});
