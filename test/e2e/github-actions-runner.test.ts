import { strToU8, zipSync } from "fflate";
import { MARKERS } from "../../src/core/markers.js";
import { labeledPayload, startGitHubE2E, type GitHubE2E } from "../helpers/github-e2e.js";
import { githubExample } from "../helpers/webhooks.js";

const CONFIG = `
runner: actions
agent:
  command: droid exec --auto medium -f "$FACTORY_TASK_FILE"
tests:
  - name: unit
    command: npm test
`;

/** The workflow_run event GitHub sends when the dispatched task workflow completes. */
function completedRun(e2e: GitHubE2E, runId: number, overrides: Record<string, unknown> = {}) {
  const payload = githubExample(
    "workflow_run",
    "completed",
    (p) => (p.workflow_run as { event: string }).event === "workflow_dispatch",
  );
  payload.installation = { id: 42, node_id: "x" };
  Object.assign(payload.repository, { name: e2e.fake.repo, full_name: `${e2e.fake.owner}/${e2e.fake.repo}` });
  payload.repository.owner.login = e2e.fake.owner;
  Object.assign(payload.workflow_run, {
    id: runId,
    event: "workflow_dispatch",
    display_title: "factory task #12 (attempt 1)",
    path: ".github/workflows/factory-task.yml",
    conclusion: "success",
    html_url: `http://${e2e.fake.host}/acme/widgets/actions/runs/${runId}`,
    head_repository: { full_name: `${e2e.fake.owner}/${e2e.fake.repo}` },
    ...overrides,
  });
  return payload;
}

describe("GitHub end to end, runner: actions: dispatch, then the finished run becomes one PR", () => {
  let e2e: GitHubE2E;

  beforeAll(async () => {
    // No FACTORY_ALLOWED_COMMANDS: nothing may run on the server, and nothing needs to.
    e2e = await startGitHubE2E({ ".github/factory.yml": CONFIG, "README.md": "# widgets\n" });
  });

  afterAll(async () => {
    await e2e?.stop();
  });

  it("dispatches the task workflow on the base branch and commits the run's ChangeSet as the app, once", async () => {
    const { fake } = e2e;
    await e2e.deliver("issues", labeledPayload(fake), "label-1");
    await e2e.server.jobs.drain();

    expect(fake.dispatches).toEqual([
      {
        workflow: "factory-task.yml",
        ref: "main",
        inputs: expect.objectContaining({
          issue: "12",
          title: "Add a dark theme",
          branch: "factory/12-add-a-dark-theme",
          base: "main",
          attempt: "1",
        }),
      },
    ]);
    const progress = () => fake.comments.filter((c) => c.issue === 12 && c.body.includes(MARKERS.task));
    expect(progress()[0]!.body).toContain("handed this issue to CI");
    expect(fake.pulls).toEqual([]);

    // The workflow ran `factory-bot task` and uploaded its changeset.json.
    const runId = 9001;
    const changeSet = {
      version: 1,
      base_sha: fake.headOf("main"),
      files: [
        {
          path: "src/theme.ts",
          action: "create",
          mode: "100644",
          encoding: "utf8",
          content: "export const dark = true;\n",
        },
      ],
      summary: "Added a dark theme flag.",
      tests: [{ name: "unit", command: "npm test", exit_code: 0, duration_ms: 2100, output_tail: "" }],
      agent: { exit_code: 0, timed_out: false, duration_ms: 60000, output_tail: "" },
    };
    fake.runArtifacts.set(runId, Buffer.from(zipSync({ "changeset.json": strToU8(JSON.stringify(changeSet)) })));
    await Promise.all([
      e2e.deliver("workflow_run", completedRun(e2e, runId), "run-done"),
      e2e.deliver("workflow_run", completedRun(e2e, runId), "run-done"),
    ]);
    await e2e.server.jobs.drain();
    await e2e.deliver("workflow_run", completedRun(e2e, runId), "run-done-again");
    await e2e.server.jobs.drain();

    expect(fake.pulls).toHaveLength(1);
    const [pull] = fake.pulls;
    expect(pull).toMatchObject({
      title: "[Factory] #12: Add a dark theme",
      head: "factory/12-add-a-dark-theme",
      draft: true,
    });
    expect(pull!.body).toContain("Added a dark theme flag.");
    expect(pull!.body).toContain("Closes #12");
    const head = fake.headOf(pull!.head)!;
    expect(fake.filesAt(head).get("src/theme.ts")?.content).toBe("export const dark = true;\n");
    expect(fake.commits.get(head)?.message).toContain("Factory-Attempt: 1");
    expect(fake.statuses).toEqual([expect.objectContaining({ sha: head, context: "factory/task", state: "success" })]);
    expect(progress()).toHaveLength(1);
    expect(e2e.problems).toEqual([]);
  });

  it("ignores a look-alike run that was not dispatched (a fork's pull request)", async () => {
    const before = e2e.fake.requests.length;
    await e2e.deliver(
      "workflow_run",
      completedRun(e2e, 9002, { event: "pull_request", head_repository: { full_name: "mallory/widgets" } }),
      "fork-run",
    );
    await e2e.server.jobs.drain();
    const artifactReads = e2e.fake.requests.slice(before).filter((r) => r.path.includes("/artifacts"));
    expect(artifactReads).toEqual([]);
    expect(e2e.takeLogs((line) => line.level >= 40)).toEqual([]);
  });
});
