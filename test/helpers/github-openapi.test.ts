import { readFileSync } from "node:fs";
import nock from "nock";
import { ProbotOctokit } from "probot";
import { allowLoopbackOnly } from "./net.js";
import {
  githubApi,
  isDocumentedStatus,
  matchOperationKey,
  validateGitHubRequest,
  type SpecOperation,
} from "./github-openapi.js";

const TestOctokit = ProbotOctokit.defaults((options: object) => ({
  ...options,
  throttle: { enabled: false },
  retry: { enabled: false },
}));

function octokit(baseUrl?: string) {
  return new TestOctokit(baseUrl ? { baseUrl } : {});
}

/** A request Octokit's typings would refuse: these tests send invalid requests on purpose. */
function sendInvalid(route: string, parameters: Record<string, unknown>, baseUrl?: string) {
  return octokit(baseUrl).request(route, parameters);
}

const SHA = "aa218f56b14c9653891f9e74264a383fa43fefbd";
const repo = { owner: "o", repo: "r" };

beforeAll(() => nock.disableNetConnect());
afterAll(() => allowLoopbackOnly());
afterEach(() => nock.cleanAll());

describe("a mock that matches GitHub's description", () => {
  test("answers a real Octokit request and done() passes", async () => {
    const api = githubApi();
    api.post("/repos/o/r/git/refs").reply(201, { ref: "refs/heads/x", object: { sha: SHA } });

    const { status, data } = await octokit().rest.git.createRef({ ...repo, ref: "refs/heads/x", sha: SHA });

    expect(status).toBe(201);
    expect(data.ref).toBe("refs/heads/x");
    expect(() => api.done()).not.toThrow();
  });

  test("matches refs and file paths whether the test writes slashes or Octokit encodes them", async () => {
    const api = githubApi();
    api.get("/repos/o/r/git/ref/heads/feature/x").reply(200, { ref: "refs/heads/feature/x" });
    api.get("/repos/o/r/contents/docs/a b.md", { query: { ref: "main" } }).reply(200, { path: "docs/a b.md" });

    await octokit().rest.git.getRef({ ...repo, ref: "heads/feature/x" });
    const { data } = await octokit().rest.repos.getContent({ ...repo, path: "docs/a b.md", ref: "main" });

    expect(data).toEqual({ path: "docs/a b.md" });
    api.done();
  });

  test("accepts any documented query when the mock does not pin one", async () => {
    const api = githubApi();
    api.get("/repos/o/r/pulls").reply(200, []);

    await octokit().rest.pulls.list({ ...repo, state: "closed", per_page: 100 });

    api.done();
  });

  test("passes the parsed request body to a reply function", async () => {
    const api = githubApi();
    api
      .post("/repos/o/r/issues/7/comments")
      .reply(201, (_uri: string, body: unknown) => ({ id: 1, body: (body as { body: string }).body }));

    const { data } = await octokit().rest.issues.createComment({ ...repo, issue_number: 7, body: "hello" });

    expect(data.body).toBe("hello");
    api.done();
  });

  test("done() still reports interceptors that were never called", () => {
    const api = githubApi();
    api.get("/repos/o/r").reply(200, {});

    expect(() => api.done()).toThrow(/Mocks not yet satisfied/);
  });
});

describe("declaring a mock GitHub does not describe", () => {
  test("a wrong path throws at once, closest operation first", () => {
    const declare = () => githubApi().get("/repos/o/r/git/reference/heads/main");

    expect(declare).toThrow(/No GitHub operation matches GET \/repos\/o\/r\/git\/reference\/heads\/main/);
    expect(declare).toThrow(/Closest:\n\s+GET \/repos\/\{owner\}\/\{repo\}\/git\/ref\/\{ref\}\n/);
  });

  test("a method the path does not support throws and points at the methods it has", () => {
    expect(() => githubApi().put("/repos/o/r/git/refs")).toThrow(
      /No GitHub operation matches PUT.*Closest:\n\s+POST \/repos\/\{owner\}\/\{repo\}\/git\/refs\n/,
    );
  });

  test("a non-numeric issue number throws", () => {
    expect(() => githubApi().get("/repos/o/r/issues/abc/comments")).toThrow(
      /path parameter \{issue_number\} must be integer/,
    );
  });

  test("an undocumented query parameter in the declaration throws", () => {
    expect(() => githubApi().get("/repos/o/r/pulls", { query: { status: "open" } })).toThrow(
      /query parameter "status" is not documented/,
    );
    expect(() => githubApi().get("/repos/o/r/pulls?status=open")).toThrow(/query parameter "status" is not documented/);
  });

  test("an undocumented reply status throws at reply()", () => {
    const interceptor = githubApi().post("/repos/o/r/git/refs");

    expect(() => interceptor.reply(200, {})).toThrow(/git\/create-ref\) documents statuses 201, 409, 422, not 200/);
  });

  test("statuses any endpoint can return (not found, rate limits, outages) are allowed", () => {
    const api = githubApi();

    expect(() => api.post("/repos/o/r/git/refs").reply(404, { message: "Not Found" })).not.toThrow();
    expect(() => api.post("/repos/o/r/git/refs").reply(502, "Bad Gateway")).not.toThrow();
  });
});

describe("requests that break GitHub's description", () => {
  test("a body missing a required field gets a 500 and is reported by done()", async () => {
    const api = githubApi();
    api.post("/repos/o/r/git/refs").reply(201, {});

    const request = sendInvalid("POST /repos/o/r/git/refs", { ref: "refs/heads/x" });

    await expect(request).rejects.toMatchObject({ status: 500 });
    expect(api.problems).toHaveLength(1);
    expect(() => api.done()).toThrow(
      /POST \/repos\/o\/r\/git\/refs\n\s+- request body must have required property 'sha'/,
    );
  });

  test("a misspelt body field is reported even though GitHub would ignore it", async () => {
    const api = githubApi();
    api.post("/repos/o/r/pulls").reply(201, {});

    const request = sendInvalid("POST /repos/o/r/pulls", { title: "t", head: "x", bas: "main" });

    await expect(request).rejects.toMatchObject({ status: 500 });
    expect(() => api.assertValid()).toThrow(/must have required property 'base'/);
    expect(() => api.assertValid()).toThrow(/fields GitHub does not document \(it ignores them\): bas;/);
  });

  test("an undocumented query parameter and a bad enum value are reported", async () => {
    const api = githubApi();
    api.get("/repos/o/r/pulls").reply(200, []);

    const request = sendInvalid("GET /repos/o/r/pulls", { state: "opne", labels: "x" });

    // The 500 carries the problems, so the failure is readable even where done() is never reached.
    await expect(request).rejects.toThrow(/query parameter "labels" is not documented/);
    expect(() => api.assertValid()).toThrow(
      /query parameter "state" must be equal to one of the allowed values \("open", "closed", "all"\)/,
    );
  });

  test("a GraphQL request without a query string is reported", async () => {
    const api = githubApi();
    api.post("/graphql").reply(200, { data: {} });

    await expect(sendInvalid("POST /graphql", { variables: { a: 1 } })).rejects.toMatchObject({ status: 500 });

    expect(() => api.done()).toThrow(/request body must have required property 'query'/);
  });

  test("a GraphQL query GitHub's schema rejects is reported", async () => {
    const api = githubApi();
    api.post("/graphql").reply(200, { data: {} });

    await expect(
      sendInvalid("POST /graphql", { query: "mutation($id: ID!) { resolveReviewThread(input: { id: $id }) { ok } }" }),
    ).rejects.toMatchObject({ status: 500 });

    expect(() => api.done()).toThrow(/GraphQL: .*threadId/s);
  });
});

describe("GitHub Enterprise Server base URLs", () => {
  const baseUrl = "http://127.0.0.1:39001/api/v3";

  test("REST calls are mocked under /api/v3", async () => {
    const api = githubApi(baseUrl);
    api.post(`/repos/o/r/statuses/${SHA}`).reply(201, { state: "success" });

    const { data } = await octokit(baseUrl).rest.repos.createCommitStatus({ ...repo, sha: SHA, state: "success" });

    expect(data.state).toBe("success");
    api.done();
  });

  test("GraphQL is mocked at /api/graphql, where Octokit sends it", async () => {
    const api = githubApi(baseUrl);
    api.post("/graphql").reply(200, { data: { viewer: { login: "bot" } } });

    const result = await octokit(baseUrl).graphql<{ viewer: { login: string } }>("query { viewer { login } }");

    expect(result.viewer.login).toBe("bot");
    api.done();
  });

  test("a request that drops the /api/v3 prefix is not answered", async () => {
    const api = githubApi(baseUrl);
    api.get("/repos/o/r").reply(200, { id: 1 });

    await expect(octokit("http://127.0.0.1:39001").rest.repos.get(repo)).rejects.toThrow();

    expect(api.scope.isDone()).toBe(false);
  });

  test("a body error behind a prefix is still reported", async () => {
    const api = githubApi(baseUrl);
    api.post("/repos/o/r/git/refs").reply(201, {});

    const request = sendInvalid("POST /repos/o/r/git/refs", { sha: SHA }, baseUrl);

    await expect(request).rejects.toMatchObject({ status: 500 });
    expect(() => api.done()).toThrow(/must have required property 'ref'/);
  });
});

describe("validateGitHubRequest (for servers that record requests without nock)", () => {
  test("accepts a valid request and names the operation", () => {
    const body = JSON.stringify({ sha: SHA, force: false });

    expect(validateGitHubRequest("PATCH", "/repos/o/r/git/refs/heads%2Fmain", body)).toEqual({
      operation: "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
      problems: [],
    });
  });

  test("names the operation behind an encoded ref", () => {
    expect(validateGitHubRequest("GET", "/repos/o/r/commits/feature%2Fx/check-runs?per_page=100").operation).toBe(
      "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
    );
  });

  test("reports body, query and unknown-path problems", () => {
    expect(validateGitHubRequest("POST", "/repos/o/r/git/refs", { ref: "refs/heads/x" }).problems).toEqual([
      expect.stringMatching(/must have required property 'sha'/),
    ]);
    expect(validateGitHubRequest("GET", "/repos/o/r/actions/runs?per_page=many").problems).toEqual([
      expect.stringMatching(/query parameter "per_page" must be integer/),
    ]);
    expect(validateGitHubRequest("GET", "/repos/o/r/nope").problems).toEqual([
      expect.stringMatching(/No GitHub operation matches GET \/repos\/o\/r\/nope/),
    ]);
  });

  test("strips a GHES prefix, including the /api/graphql special case", () => {
    const ghes = { pathPrefix: "/api/v3" };

    expect(validateGitHubRequest("GET", "/api/v3/repos/o/r", undefined, ghes).operation).toBe(
      "GET /repos/{owner}/{repo}",
    );
    expect(validateGitHubRequest("POST", "/api/graphql", { query: "{ viewer { login } }" }, ghes)).toEqual({
      operation: "POST /graphql",
      problems: [],
    });
  });

  test("reports a path outside the GHES prefix", () => {
    expect(validateGitHubRequest("GET", "/repos/o/r", undefined, { pathPrefix: "/api/v3" }).problems).toEqual([
      "GET /repos/o/r is outside the API root /api/v3",
    ]);
  });

  test("isDocumentedStatus mirrors the reply() check", () => {
    expect(isDocumentedStatus("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", 204)).toBe(true);
    expect(isDocumentedStatus("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", 200)).toBe(false);
  });
});

describe("choosing among templates that match the same path", () => {
  const operation = (parameters: Record<string, "string" | "integer">): SpecOperation => ({
    operationId: "test",
    responses: { "200": {} },
    parameters: Object.entries(parameters).map(([name, type]) => ({
      name,
      in: "path",
      required: true,
      schema: { type },
    })),
  });
  const operations = {
    "GET /repos/{owner}/{repo}/commits/{ref}": operation({ ref: "string" }),
    "GET /repos/{owner}/{repo}/commits/{ref}/status": operation({ ref: "string" }),
    "GET /repos/{owner}/{repo}/issues/{issue_number}": operation({ issue_number: "integer" }),
    "GET /repos/{owner}/{repo}/{section}/{name}": operation({ section: "string", name: "string" }),
  };
  const match = (path: string) => matchOperationKey(operations, "GET", path);

  test("the template with more literal segments wins, as in GitHub's router", () => {
    expect(match("/repos/o/r/commits/main/status")).toBe("GET /repos/{owner}/{repo}/commits/{ref}/status");
    expect(match("/repos/o/r/commits/feature/x")).toBe("GET /repos/{owner}/{repo}/commits/{ref}");
  });

  test("a template whose path values are valid beats a more literal one whose values are not", () => {
    expect(match("/repos/o/r/issues/7")).toBe("GET /repos/{owner}/{repo}/issues/{issue_number}");
    expect(match("/repos/o/r/issues/abc")).toBe("GET /repos/{owner}/{repo}/{section}/{name}");
  });
});

describe("the committed operations file", () => {
  const path = new URL("../fixtures/openapi/github-operations.json", import.meta.url);
  const file = JSON.parse(readFileSync(path, "utf8")) as {
    source: { package: string; version: string };
    operations: Record<string, unknown>;
    components: { schemas: Record<string, unknown> };
  };

  test("records where it came from", () => {
    expect(file.source).toMatchObject({
      package: "@octokit/openapi",
      version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
    });
  });

  test("is self-contained: every $ref points at a schema copied into the file", () => {
    const refs = [...JSON.stringify(file).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    const dangling = refs.filter((ref) => !(ref.replace("#/components/schemas/", "") in file.components.schemas));

    expect(refs.length).toBeGreaterThan(0);
    expect(dangling).toEqual([]);
  });
});
