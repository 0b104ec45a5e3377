import nock from "nock";
import { strToU8, zipSync } from "fflate";
import { GitHubForge } from "../../src/github/forge.js";
import { fromIssueComment, fromTaskWorkflowRun } from "../../src/github/events.js";
import { githubApi } from "../helpers/github-openapi.js";
import { testOctokit } from "../helpers/octokit.js";
import { githubExample } from "../helpers/webhooks.js";
import { allowLoopbackOnly } from "../helpers/net.js";

const REPO = "/repos/acme/widgets";
const forge = () =>
  new GitHubForge(
    testOctokit(),
    { owner: "acme", name: "widgets", htmlUrl: "https://github.com/acme/widgets" },
    "factory-bot[bot]",
  );
const inputs = { issue: "4", title: "t", url: "u", branch: "factory/4-t", base: "main", attempt: "1", failure: "" };
const dispatchInputs = { ...inputs, body: "the issue text" };

beforeEach(() => nock.disableNetConnect());
// Loopback servers in later test files of this worker must stay reachable.
afterAll(() => allowLoopbackOnly());
afterEach(() => nock.cleanAll());

describe("GitHub task runs", () => {
  it("dispatches the workflow and returns the run's URL when GitHub gives it", async () => {
    const api = githubApi();
    api
      .post(`${REPO}/actions/workflows/factory-task.yml/dispatches`, {
        body: { ref: "main", inputs, return_run_details: true },
      })
      .reply(200, {
        workflow_run_id: 900,
        run_url: "https://api.github.com/x",
        html_url: "https://github.com/acme/widgets/actions/runs/900",
      });
    await expect(
      forge().dispatchTaskRun({ workflow: "factory-task.yml", ref: "main", inputs: dispatchInputs }),
    ).resolves.toEqual({ url: "https://github.com/acme/widgets/actions/runs/900" });
    api.done();
  });

  it("links the workflow's runs when the server answers 204 (older GitHub Enterprise Server)", async () => {
    const api = githubApi();
    api.post(`${REPO}/actions/workflows/factory-task.yml/dispatches`).reply(204);
    await expect(
      forge().dispatchTaskRun({ workflow: "factory-task.yml", ref: "main", inputs: dispatchInputs }),
    ).resolves.toEqual({ url: "https://github.com/acme/widgets/actions/workflows/factory-task.yml" });
    api.done();
  });

  it("downloads changeset.json out of the run's artifact zip, following the redirect", async () => {
    const zip = zipSync({ "changeset.json": strToU8('{"version":1}'), "other.txt": strToU8("ignored") });
    const api = githubApi();
    api.get(`${REPO}/actions/runs/900/artifacts`).reply(200, {
      total_count: 1,
      artifacts: [{ id: 31, name: "factory-changeset", size_in_bytes: zip.length, expired: false }],
    });
    api.get(`${REPO}/actions/artifacts/31/zip`).reply(302, "", { location: "https://blob.example.test/a.zip" });
    nock("https://blob.example.test").get("/a.zip").reply(200, Buffer.from(zip), { "content-type": "application/zip" });
    await expect(forge().downloadTaskChangeSet("900")).resolves.toBe('{"version":1}');
    api.done();
  });

  it("returns null when the run has no artifact", async () => {
    const api = githubApi();
    api.get(`${REPO}/actions/runs/900/artifacts`).reply(200, { total_count: 0, artifacts: [] });
    await expect(forge().downloadTaskChangeSet("900")).resolves.toBeNull();
    api.done();
  });

  it("marks a draft ready through GraphQL, since REST cannot", async () => {
    const api = githubApi();
    api.get(`${REPO}/pulls/9`).reply(200, {
      number: 9,
      node_id: "PR_kwDOA",
      draft: true,
      state: "open",
      head: { ref: "b", sha: "s" },
      base: { ref: "main" },
      html_url: "h",
      title: "t",
      user: { login: "x" },
    });
    api.post("/graphql").reply(200, (_uri: string, body: unknown) => {
      expect(body).toMatchObject({ variables: { id: "PR_kwDOA" } });
      expect((body as { query: string }).query).toContain("markPullRequestReadyForReview");
      return { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } } } };
    });
    await forge().markReadyForReview(9);
    api.done();
  });

  it("acknowledges a command with a reaction", async () => {
    const api = githubApi();
    api
      .post(`${REPO}/issues/comments/55/reactions`, { body: { content: "eyes" } })
      .reply(201, { id: 1, content: "eyes" });
    await forge().acknowledgeComment({ kind: "issue", number: 6 }, 55);
    api.done();
  });
});

describe("GitHub event translation", () => {
  it("recognises a finished task run only when it was dispatched in this repository", () => {
    const payload = githubExample(
      "workflow_run",
      "completed",
      (p) => (p.workflow_run as { event: string }).event === "workflow_dispatch",
    );
    payload.workflow_run.display_title = "factory task #12 (attempt 2)";
    payload.workflow_run.conclusion = "success";
    payload.workflow_run.path = ".github/workflows/factory-task.yml";
    payload.workflow_run.head_repository = { full_name: payload.repository.full_name };
    expect(fromTaskWorkflowRun(payload, "d")).toMatchObject({
      issueNumber: 12,
      attempt: 2,
      succeeded: true,
      runId: String(payload.workflow_run.id),
    });
    expect(
      fromTaskWorkflowRun({ ...payload, workflow_run: { ...payload.workflow_run, event: "pull_request" } }, "d"),
    ).toBeNull();
    expect(
      fromTaskWorkflowRun(
        { ...payload, workflow_run: { ...payload.workflow_run, head_repository: { full_name: "fork/widgets" } } },
        "d",
      ),
    ).toBeNull();
    expect(
      fromTaskWorkflowRun({ ...payload, workflow_run: { ...payload.workflow_run, display_title: "CI" } }, "d"),
    ).toBeNull();
  });

  it("turns a /factory comment into a command and ignores every other comment", () => {
    const payload = githubExample("issue_comment", "created");
    expect(fromIssueComment(payload, "d")).toBeNull();
    payload.comment.body = "/factory retry";
    expect(fromIssueComment(payload, "d")).toMatchObject({
      command: "retry",
      target: { kind: "issue", number: payload.issue.number },
      commentId: payload.comment.id,
    });
    payload.issue.pull_request = { url: "x" };
    const onPull = fromIssueComment(payload, "d");
    expect(onPull).toMatchObject({ target: { kind: "change" } });
    expect(onPull).not.toHaveProperty("issue");
  });
});
