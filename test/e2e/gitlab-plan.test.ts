import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFactoryServer, type FactoryServer } from "../../src/entry/server.js";
import { MARKERS } from "../../src/core/markers.js";
import { planId, planSha } from "../../src/core/task/plan.js";
import { FakeGitLab } from "../helpers/fake-gitlab-server.js";
import { freePort } from "../helpers/webhooks.js";
import { gitlabHeaders, gitlabPayload, issueLabelsChanged, postGitLabWebhook } from "../gitlab/helpers.js";
import { allowExactly } from "../helpers/allow.js";
import { FIRST_PLAN, PLAN_AGENT_COMMAND, PLAN_TASK_CONFIG, SECOND_PLAN, TEST_COMMAND } from "../helpers/e2e-task.js";

const SECRET = "e2e-gitlab-plan-secret";
const BRANCH = "factory/12-add-a-dark-theme";

describe("GitLab end to end with plan.required: label → plan, approve → one merge request", () => {
  let fake: FakeGitLab;
  let server: FactoryServer;
  let url: string;
  let workdir: string;
  let alice: { id: number; username: string };
  let bob: { id: number; username: string };
  let nextNote = 7000;

  const project = () => ({ id: fake.projectId, path: fake.projectPath, webUrl: fake.webUrl });
  const post = async (event: string, payload: unknown, idempotencyKey: string) => {
    const res = await postGitLabWebhook(url, payload, gitlabHeaders({ event, token: SECRET, idempotencyKey }));
    expect(res.status).toBeLessThan(300);
    await server.jobs.drain();
  };

  /** GitLab's documented Note Hook on issue 12, by `user`, written now (GitLab's own time format). */
  function note(user: { id: number; username: string }, body: string, writtenAt = new Date()) {
    const payload = gitlabPayload("note_issue");
    payload.project = {
      ...payload.project,
      id: fake.projectId,
      path_with_namespace: fake.projectPath,
      web_url: fake.webUrl,
      default_branch: "main",
    };
    payload.project_id = fake.projectId;
    payload.user = { ...payload.user, ...user };
    const gitlabTime = writtenAt
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, " UTC");
    payload.object_attributes = {
      ...payload.object_attributes,
      id: nextNote++,
      note: body,
      action: "create",
      system: false,
      noteable_type: "Issue",
      author_id: user.id,
      created_at: gitlabTime,
    };
    payload.issue = {
      ...payload.issue,
      iid: 12,
      title: "Add a dark theme",
      description: "Dark, please.",
      url: `${fake.webUrl}/-/issues/12`,
    };
    return payload;
  }

  beforeAll(async () => {
    fake = new FakeGitLab({ ".github/factory.yml": PLAN_TASK_CONFIG, "README.md": "# widgets\n" });
    alice = fake.addUser("alice", 30);
    bob = fake.addUser("bob", 20);
    await fake.start();
    workdir = mkdtempSync(join(tmpdir(), "factory-e2e-gitlab-plan-"));
    const port = await freePort();
    server = await startFactoryServer({
      env: {
        GITLAB_URL: fake.url,
        GITLAB_TOKEN: fake.token,
        GITLAB_WEBHOOK_SECRET: SECRET,
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "error",
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FACTORY_WORKDIR: workdir,
        FACTORY_ALLOWED_COMMANDS: allowExactly(PLAN_AGENT_COMMAND, TEST_COMMAND),
      },
    });
    url = `http://127.0.0.1:${port}/api/gitlab/webhooks`;
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  const taskNote = () => fake.notesOn("issues", 12).find((n) => n.body.includes(MARKERS.task))!;
  const replies = () => fake.notesOn("issues", 12).filter((n) => !n.body.includes(MARKERS.task));

  it("shows the plan on the issue and pushes nothing", async () => {
    const labeled = issueLabelsChanged({
      project: project(),
      user: alice,
      iid: 12,
      previous: [],
      current: ["factory"],
    });
    await post("Issue Hook", labeled, "label-1");
    expect(taskNote().body).toContain(FIRST_PLAN);
    expect(taskNote().body).toContain(`/factory approve ${planId(planSha(FIRST_PLAN))}`);
    expect(fake.headOf(BRANCH)).toBeUndefined();
    expect(fake.mergeRequests).toEqual([]);
  });

  it("refuses a Reporter's approve with one polite reply", async () => {
    await post("Note Hook", note(bob, "/factory approve"), "note-bob");
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.body).toMatch(/^@bob Only people with \*\*Developer\*\* permission/);
    expect(fake.mergeRequests).toEqual([]);
  });

  it("after a re-plan, an approval of the old plan is refused, by id and when written before it", async () => {
    const early = note(alice, "/factory approve", new Date(Date.now() - 60_000));
    await post("Note Hook", note(alice, "/factory plan Keep the theme in one constant."), "note-replan");
    expect(taskNote().body).toContain(SECOND_PLAN);
    await post("Note Hook", note(alice, `/factory approve ${planId(planSha(FIRST_PLAN))}`), "note-old-id");
    await post("Note Hook", early, "note-early");
    expect(
      replies()
        .slice(1)
        .map((r) => r.body),
    ).toEqual([
      expect.stringContaining(`the plan shown now is \`${planId(planSha(SECOND_PLAN))}\``),
      expect.stringContaining("written before the plan shown now"),
    ]);
    expect(fake.mergeRequests).toEqual([]);
  });

  it("a Developer's approve opens one merge request carrying the approved plan, however often delivered", async () => {
    const approval = note(alice, "/factory approve");
    await post("Note Hook", approval, "note-approve");
    await post("Note Hook", approval, "note-approve-again");
    expect(fake.mergeRequests).toHaveLength(1);
    const id = planId(planSha(SECOND_PLAN));
    const head = fake.headOf(BRANCH)!;
    expect(fake.commits.get(head)!.message).toMatch(new RegExp(`\\nFactory-Plan: ${id}$`));
    expect(fake.textAt(head, "plan-used.md")).toBe(SECOND_PLAN);
    expect(fake.textAt(head, "stray.txt")).toBeUndefined();
    expect(fake.mergeRequests[0]!.description).toContain(`#note_${taskNote().id}`);
    expect(replies()).toHaveLength(3);
  });
});
