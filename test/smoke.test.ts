import nock from "nock";
import { ProbotOctokit } from "probot";

test("nock intercepts Octokit's fetch", async () => {
  nock("https://api.github.com").get("/repos/o/r").reply(200, { id: 1 });
  const Octo = ProbotOctokit.defaults((o: object) => ({ ...o, throttle: { enabled: false }, retry: { enabled: false } }));
  const { data } = await new Octo().rest.repos.get({ owner: "o", repo: "r" });
  expect(data.id).toBe(1);
});
