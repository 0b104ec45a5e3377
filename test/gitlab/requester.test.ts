import nock from "nock";
import { createGitLabApi } from "../../src/gitlab/client.js";
import { allowLoopbackOnly } from "../helpers/net.js";

const api = () => createGitLabApi({ url: "https://gitlab.example.test", token: "glpat-test" });

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => allowLoopbackOnly());

describe("GitLab requests", () => {
  it("never repeats a write after a 502: it may have succeeded", async () => {
    const scope = nock("https://gitlab.example.test")
      .post("/api/v4/projects/7/issues/3/notes")
      .reply(502, { message: "502 Bad Gateway" });
    await expect(api().issueNotes.create(7, 3, "hello")).rejects.toThrow(/502|Bad Gateway/);
    scope.done();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("retries a read after a 502", async () => {
    const scope = nock("https://gitlab.example.test")
      .get("/api/v4/projects/7/issues/3/notes")
      .query(true)
      .reply(502, "")
      .get("/api/v4/projects/7/issues/3/notes")
      .query(true)
      .reply(200, [{ id: 1, body: "x" }], { "content-type": "application/json" });
    await expect(api().issueNotes.all(7, 3, { maxPages: 1 })).resolves.toEqual([{ id: 1, body: "x" }]);
    scope.done();
  });
});
