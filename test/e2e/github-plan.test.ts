import { MARKERS } from "../../src/core/markers.js";
import { planId, planSha } from "../../src/core/task/plan.js";
import type { FakeGitHub } from "../helpers/fake-github-server.js";
import { labeledPayload, startGitHubE2E, type GitHubE2E } from "../helpers/github-e2e.js";
import { githubExample } from "../helpers/webhooks.js";
import { allowExactly } from "../helpers/allow.js";
import { FIRST_PLAN, PLAN_AGENT_COMMAND, PLAN_TASK_CONFIG, SECOND_PLAN, TEST_COMMAND } from "../helpers/e2e-task.js";

const BRANCH = "factory/12-add-a-dark-theme";

describe("GitHub end to end with plan.required: label → plan, approve → one pull request", () => {
  let e2e: GitHubE2E;
  let fake: FakeGitHub;
  let nextComment = 9000;

  beforeAll(async () => {
    e2e = await startGitHubE2E(
      { ".github/factory.yml": PLAN_TASK_CONFIG, "README.md": "# widgets\n" },
      { FACTORY_ALLOWED_COMMANDS: allowExactly(PLAN_AGENT_COMMAND, TEST_COMMAND) },
    );
    fake = e2e.fake;
    fake.permissions.set("bob", "read");
  });

  afterAll(async () => {
    await e2e?.stop();
  });

  /** A real `issue_comment.created` payload: `login` comments `body` on issue 12, written now. */
  function commentPayload(login: string, body: string, writtenAt = new Date()) {
    const base = labeledPayload(fake);
    const payload = githubExample("issue_comment", "created");
    payload.installation = base.installation;
    payload.repository = base.repository;
    payload.issue = { ...payload.issue, number: 12, title: "Add a dark theme", body: "Dark, please." };
    delete payload.issue.pull_request;
    payload.sender = { ...payload.sender, login, type: "User" };
    payload.comment = {
      ...payload.comment,
      id: nextComment++,
      body,
      created_at: writtenAt.toISOString(),
      user: { ...payload.comment.user, login, type: "User" },
    };
    return payload;
  }

  const comment = async (
    payload: ReturnType<typeof commentPayload>,
    deliveryId = `comment-${String(payload.comment.id)}`,
  ) => {
    const res = await e2e.deliver("issue_comment", payload, deliveryId);
    expect(res.status).toBe(200);
    await e2e.server.jobs.drain();
  };
  const taskComment = () => fake.comments.find((c) => c.issue === 12 && c.body.includes(MARKERS.task))!;
  const replies = () => fake.comments.filter((c) => c.issue === 12 && !c.body.includes(MARKERS.task));

  it("shows the plan on the issue and pushes nothing", async () => {
    await e2e.deliver("issues", labeledPayload(fake), "label-1");
    await e2e.server.jobs.drain();
    expect(taskComment().body).toContain(FIRST_PLAN);
    expect(taskComment().body).toContain(`/factory approve ${planId(planSha(FIRST_PLAN))}`);
    expect(fake.headOf(BRANCH)).toBeUndefined();
    expect(fake.pulls).toEqual([]);
    expect(fake.statuses).toEqual([]);
  });

  it("refuses a read-only user's approve with one polite reply", async () => {
    await comment(commentPayload("bob", "/factory approve"));
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.body).toMatch(/^@bob Only people with \*\*write\*\* permission/);
    expect(fake.pulls).toEqual([]);
  });

  it("after a re-plan, an approval of the old plan is refused, by id and when written before it", async () => {
    // Written while the first plan was shown, delivered late (comment times have second precision).
    const early = commentPayload("alice", "/factory approve", new Date(Date.now() - 60_000));
    await comment(commentPayload("alice", "/factory plan Keep the theme in one constant."));
    expect(taskComment().body).toContain(SECOND_PLAN);
    expect(taskComment().body).toContain("Refinement history (1 request)");
    await comment(commentPayload("alice", `/factory approve ${planId(planSha(FIRST_PLAN))}`));
    await comment(early);
    expect(
      replies()
        .slice(1)
        .map((r) => r.body),
    ).toEqual([
      expect.stringContaining(`the plan shown now is \`${planId(planSha(SECOND_PLAN))}\``),
      expect.stringContaining("written before the plan shown now"),
    ]);
    expect(fake.headOf(BRANCH)).toBeUndefined();
    expect(fake.pulls).toEqual([]);
  });

  it("a writer's approve opens one pull request carrying the approved plan, however often delivered", async () => {
    const approval = commentPayload("alice", "/factory approve");
    await comment(approval, "approve-1");
    await comment(approval, "approve-1");
    await comment(approval, "approve-2");
    expect(fake.pulls).toHaveLength(1);
    const id = planId(planSha(SECOND_PLAN));
    const head = fake.headOf(BRANCH)!;
    expect(fake.commits.get(head)!.message).toMatch(new RegExp(`\\nFactory-Plan: ${id}$`));
    expect(fake.filesAt(head).get("plan-used.md")?.content).toBe(SECOND_PLAN);
    expect(fake.filesAt(head).has("stray.txt")).toBe(false);
    expect(fake.pulls[0]!.body).toContain(`[plan \`${id}\`](`);
    expect(fake.pulls[0]!.body).toContain(`#issuecomment-${taskComment().id}`);
    expect(replies()).toHaveLength(3);
    expect(e2e.problems).toEqual([]);
  });
});
