import nock from "nock";
import { GitHubForge } from "../../src/github/forge.js";
import { ConflictError, ForbiddenError, NotFoundError, TransientForgeError } from "../../src/core/errors.js";
import type { ChangeSetFile } from "../../src/core/changeset.js";
import { githubApi } from "../helpers/github-openapi.js";
import { testOctokit } from "../helpers/octokit.js";
import { allowLoopbackOnly } from "../helpers/net.js";

const PARENT = "1".repeat(40);
const TREE = "2".repeat(40);
const NEW_TREE = "3".repeat(40);
const COMMIT = "4".repeat(40);

function forge() {
  return new GitHubForge(
    testOctokit(),
    { owner: "acme", name: "widgets", htmlUrl: "https://github.com/acme/widgets" },
    "factory-bot[bot]",
  );
}

const textFiles = (n: number): ChangeSetFile[] =>
  Array.from({ length: n }, (_, i) => ({
    path: `src/f${i}.ts`,
    action: "create",
    mode: "100644",
    encoding: "utf8",
    content: `export const n = ${i};\n`,
  }));

beforeEach(() => nock.disableNetConnect());
// Loopback servers in later test files of this worker must stay reachable.
afterAll(() => allowLoopbackOnly());
afterEach(() => nock.cleanAll());

describe("GitHubForge.commitFiles", () => {
  it.each([1, 200])(
    "commits %i text files with a constant number of calls: commit, tree, commit, ref",
    async (count) => {
      const api = githubApi();
      let treeEntries = 0;
      api.get(`/repos/acme/widgets/git/commits/${PARENT}`).reply(200, { sha: PARENT, tree: { sha: TREE } });
      api.post("/repos/acme/widgets/git/trees").reply(201, (_uri: string, body: unknown) => {
        const input = body as { base_tree: string; tree: unknown[] };
        expect(input.base_tree).toBe(TREE);
        treeEntries = input.tree.length;
        return { sha: NEW_TREE };
      });
      api.post("/repos/acme/widgets/git/commits").reply(201, (_uri: string, body: unknown) => {
        expect(body).toMatchObject({ tree: NEW_TREE, parents: [PARENT] });
        return { sha: COMMIT };
      });
      api
        .post("/repos/acme/widgets/git/refs", { body: { ref: "refs/heads/factory/1-x", sha: COMMIT } })
        .reply(201, { ref: "refs/heads/factory/1-x", object: { sha: COMMIT } });
      const result = await forge().commitFiles({
        branch: "factory/1-x",
        parentSha: PARENT,
        message: "m",
        files: textFiles(count),
      });
      expect(result).toEqual({ sha: COMMIT, createdBranch: true });
      expect(treeEntries).toBe(count);
      api.done();
    },
  );

  it("uploads blobs only for binary files, deletes with a null sha, keeps the executable bit", async () => {
    const api = githubApi();
    api.get(`/repos/acme/widgets/git/commits/${PARENT}`).reply(200, { sha: PARENT, tree: { sha: TREE } });
    api
      .post("/repos/acme/widgets/git/blobs", { body: { content: "AAEC", encoding: "base64" } })
      .reply(201, { sha: "5".repeat(40) });
    api.post("/repos/acme/widgets/git/trees").reply(201, (_uri: string, body: unknown) => {
      expect((body as { tree: unknown[] }).tree).toEqual([
        { path: "logo.png", mode: "100644", type: "blob", sha: "5".repeat(40) },
        { path: "old.txt", mode: "100644", type: "blob", sha: null },
        { path: "run.sh", mode: "100755", type: "blob", content: "#!/bin/sh\n" },
      ]);
      return { sha: NEW_TREE };
    });
    api.post("/repos/acme/widgets/git/commits").reply(201, { sha: COMMIT });
    api.post("/repos/acme/widgets/git/refs").reply(201, { ref: "refs/heads/b", object: { sha: COMMIT } });
    await forge().commitFiles({
      branch: "b",
      parentSha: PARENT,
      message: "m",
      files: [
        { path: "logo.png", action: "create", mode: "100644", encoding: "base64", content: "AAEC" },
        { path: "old.txt", action: "delete", mode: "", encoding: "utf8", content: "" },
        { path: "run.sh", action: "update", mode: "100755", encoding: "utf8", content: "#!/bin/sh\n" },
      ],
    });
    api.done();
  });

  it("fast-forwards an existing branch without force, and reports a moved branch as a conflict", async () => {
    const api = githubApi();
    api
      .get(`/repos/acme/widgets/git/commits/${PARENT}`)
      .times(2)
      .reply(200, { sha: PARENT, tree: { sha: TREE } });
    api.post("/repos/acme/widgets/git/trees").times(2).reply(201, { sha: NEW_TREE });
    api.post("/repos/acme/widgets/git/commits").times(2).reply(201, { sha: COMMIT });
    api.post("/repos/acme/widgets/git/refs").times(2).reply(422, { message: "Reference already exists" });
    api
      .patch("/repos/acme/widgets/git/refs/heads/b", { body: { sha: COMMIT, force: false } })
      .reply(200, { ref: "refs/heads/b", object: { sha: COMMIT } });
    api.patch("/repos/acme/widgets/git/refs/heads/b").reply(422, { message: "Update is not a fast forward" });
    const input = { branch: "b", parentSha: PARENT, message: "m", files: textFiles(1) };
    await expect(forge().commitFiles(input)).resolves.toEqual({ sha: COMMIT, createdBranch: false });
    await expect(forge().commitFiles(input)).rejects.toBeInstanceOf(ConflictError);
    api.done();
  });
});

describe("GitHubForge reads", () => {
  it.each([
    [{ permission: "write", role_name: "maintain" }, "maintain"],
    [{ permission: "read", role_name: "triage" }, "triage"],
    [{ permission: "write", role_name: "release-manager" }, "write"],
    [{ permission: "none", role_name: "none" }, "none"],
  ])("maps %j to %s", async (data, level) => {
    const api = githubApi();
    api.get("/repos/acme/widgets/collaborators/alice/permission").reply(200, { ...data, user: { login: "alice" } });
    await expect(forge().getPermission("alice")).resolves.toBe(level);
    api.done();
  });

  it("reads an issue's title, text and link", async () => {
    const api = githubApi();
    api.get("/repos/acme/widgets/issues/8").reply(200, {
      number: 8,
      title: "Round tax",
      body: null,
      html_url: "https://github.com/acme/widgets/issues/8",
      state: "open",
    });
    api.get("/repos/acme/widgets/issues/9").reply(404, { message: "Not Found" });
    await expect(forge().getIssue(8)).resolves.toEqual({
      number: 8,
      title: "Round tax",
      body: "",
      url: "https://github.com/acme/widgets/issues/8",
    });
    await expect(forge().getIssue(9)).resolves.toBeNull();
    api.done();
  });

  it("finds a fork PR by head SHA when the commit lists none", async () => {
    const sha = "9".repeat(40);
    const pull = (number: number, head: string) => ({
      number,
      html_url: `https://github.com/acme/widgets/pull/${number}`,
      title: "t",
      body: null,
      draft: false,
      state: "open",
      merged_at: null,
      head: { ref: "patch-1", sha: head },
      base: { ref: "main" },
      user: { login: "forker" },
      labels: [],
    });
    const api = githubApi();
    api.get(`/repos/acme/widgets/commits/${sha}/pulls`).reply(200, []);
    api
      .get("/repos/acme/widgets/pulls", {
        query: { state: "open", sort: "updated", direction: "desc", per_page: "100" },
      })
      .reply(200, [pull(3, "8".repeat(40)), pull(4, sha)]);
    const found = await forge().findChangeRequestsForSha(sha);
    expect(found.map((c) => c.number)).toEqual([4]);
    api.done();
  });

  it("returns null for a missing branch and converts errors to the core's classes", async () => {
    const api = githubApi();
    api.get("/repos/acme/widgets/git/ref/heads/nope").reply(404, { message: "Not Found" });
    api
      .get("/repos/acme/widgets/git/ref/heads/locked")
      .reply(403, { message: "Resource not accessible by integration" });
    api
      .get("/repos/acme/widgets/git/ref/heads/limited")
      .reply(403, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0" });
    api.get("/repos/acme/widgets/git/ref/heads/down").reply(502, { message: "Bad Gateway" });
    api.get("/repos/acme/widgets").reply(404, { message: "Not Found" });
    const f = forge();
    await expect(f.getBranchSha("nope")).resolves.toBeNull();
    await expect(f.getBranchSha("locked")).rejects.toBeInstanceOf(ForbiddenError);
    await expect(f.getBranchSha("limited")).rejects.toBeInstanceOf(TransientForgeError);
    await expect(f.getBranchSha("down")).rejects.toBeInstanceOf(TransientForgeError);
    await expect(f.getDefaultBranch()).rejects.toBeInstanceOf(NotFoundError);
    api.done();
  });
});

describe("GitHubForge.loadConfig", () => {
  const raw = { "content-type": "text/plain; charset=utf-8" };

  it("reads the repository's file and fills defaults", async () => {
    const api = githubApi();
    api.get("/repos/acme/widgets/contents/.github%2Ffactory.yml").reply(200, "agent:\n  command: make fix\n", raw);
    const result = await forge().loadConfig();
    expect(result.status).toBe("ok");
    if (result.status === "ok") {
      expect(result.config.agent.command).toBe("make fix");
      expect(result.config.trigger.label).toBe("factory");
    }
    api.done();
  });

  it("deep-merges a repository's file over the organization's `_extends` base", async () => {
    const api = githubApi();
    api
      .get("/repos/acme/widgets/contents/.github%2Ffactory.yml")
      .reply(200, "_extends: .github\nagent:\n  timeout_seconds: 60\n", raw);
    api
      .get("/repos/acme/.github/contents/.github%2Ffactory.yml")
      .reply(200, "agent:\n  command: droid exec\n  timeout_seconds: 900\nci:\n  comments: factory\n", raw);
    const result = await forge().loadConfig();
    expect(result.status).toBe("ok");
    if (result.status === "ok") {
      expect(result.config.agent).toMatchObject({ command: "droid exec", timeout_seconds: 60 });
      expect(result.config.ci.comments).toBe("factory");
      expect(result.files).toEqual([".github/factory.yml", "acme/.github:.github/factory.yml"]);
    }
    api.done();
  });

  it("says missing when neither the repository nor the org .github repository has one", async () => {
    const api = githubApi();
    api.get("/repos/acme/widgets/contents/.github%2Ffactory.yml").reply(404, { message: "Not Found" });
    api.get("/repos/acme/.github/contents/.github%2Ffactory.yml").reply(404, { message: "Not Found" });
    await expect(forge().loadConfig()).resolves.toEqual({ status: "missing" });
    api.done();
  });

  it("names the key, line and column of a schema error", async () => {
    const text = "agent:\n  command: make fix\npull_request:\n  draft: sometimes\n";
    const api = githubApi();
    // One fetch: the same parse that finds the problem locates it.
    api.get("/repos/acme/widgets/contents/.github%2Ffactory.yml").reply(200, text, raw);
    const result = await forge().loadConfig();
    expect(result.status).toBe("invalid");
    if (result.status === "invalid") {
      expect(result.problems[0]).toMatchObject({
        file: ".github/factory.yml",
        line: 4,
        column: 3,
        key: "pull_request.draft",
      });
    }
    api.done();
  });

  it("reports an API failure as a forge error, not as an invalid config", async () => {
    const api = githubApi();
    api.get("/repos/acme/widgets/contents/.github%2Ffactory.yml").reply(502, { message: "Bad Gateway" });
    await expect(forge().loadConfig()).rejects.toBeInstanceOf(TransientForgeError);
    api.done();
  });

  it("names the line of a YAML syntax error", async () => {
    const api = githubApi();
    api.get("/repos/acme/widgets/contents/.github%2Ffactory.yml").reply(200, "agent:\n  command: [unclosed\n", raw);
    const result = await forge().loadConfig();
    expect(result.status).toBe("invalid");
    if (result.status === "invalid") expect(result.problems[0]!.line).toBeGreaterThanOrEqual(2);
    api.done();
  });
});
