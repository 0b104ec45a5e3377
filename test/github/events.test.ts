import { fromCheckRun, fromWorkflowRun } from "../../src/github/events.js";
import { githubExample } from "../helpers/webhooks.js";

describe("CI events from signed but malformed payloads", () => {
  it.each([{}, "1", 7, null, { number: 3 }])(
    "a workflow_run whose pull_requests is %j is read as 'find the PRs by SHA', not a crash",
    (pullRequests) => {
      const payload = githubExample("workflow_run", "completed");
      payload.workflow_run = { ...payload.workflow_run, conclusion: "failure", pull_requests: pullRequests };
      const event = fromWorkflowRun(payload, "d-1");
      expect(event).toMatchObject({ type: "ci.completed", changeRequestNumbers: [] });
    },
  );

  it("a check_run whose head_sha is not a string is ignored", () => {
    const payload = githubExample("check_run", "completed");
    payload.check_run = { ...payload.check_run, conclusion: "failure", head_sha: { sha: "x" }, app: { slug: "ci" } };
    expect(fromCheckRun(payload, "d-1")).toBeNull();
  });

  it("still reads a well-formed workflow_run's pull request numbers", () => {
    const payload = githubExample("workflow_run", "completed");
    payload.workflow_run = { ...payload.workflow_run, conclusion: "failure", pull_requests: [{ number: 5 }, null] };
    expect(fromWorkflowRun(payload, "d-1")?.changeRequestNumbers).toEqual([5]);
  });
});
