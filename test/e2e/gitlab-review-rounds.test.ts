import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFactoryServer, type FactoryServer } from "../../src/entry/server.js";
import { reviewRoundOf } from "../../src/core/task/trailers.js";
import { FakeGitLab } from "../helpers/fake-gitlab-server.js";
import { freePort } from "../helpers/webhooks.js";
import { gitlabHeaders, gitlabPayload, issueLabelsChanged, postGitLabWebhook } from "../gitlab/helpers.js";
import { allowExactly } from "../helpers/allow.js";
import { REVIEW_AGENT_COMMAND, REVIEW_TASK_CONFIG, TEST_COMMAND } from "../helpers/e2e-task.js";

const SECRET = "e2e-gitlab-review-secret";

describe("GitLab end to end: /factory fix in a merge request discussion → one review round", () => {
  let fake: FakeGitLab;
  let server: FactoryServer;
  let url: string;
  let workdir: string;
  let alice: { id: number; username: string };
  let guest: { id: number; username: string };

  const project = () => ({ id: fake.projectId, path: fake.projectPath, webUrl: fake.webUrl });
  const post = (event: string, payload: unknown, idempotencyKey: string) =>
    postGitLabWebhook(url, payload, gitlabHeaders({ event, token: SECRET, idempotencyKey }));
  /** The documented MR Note Hook: `who` writes `/factory fix` in discussion `discussionId` of MR 1. */
  const fixNote = (who: { id: number; username: string }, noteId: number) => {
    const payload = gitlabPayload("note_merge_request");
    payload.project = {
      ...payload.project,
      id: fake.projectId,
      path_with_namespace: fake.projectPath,
      web_url: fake.webUrl,
      default_branch: "main",
    };
    payload.user = { ...payload.user, id: who.id, username: who.username };
    payload.object_attributes = { ...payload.object_attributes, id: noteId, note: "/factory fix", action: "create" };
    payload.merge_request = { ...payload.merge_request, iid: 1, target_project_id: fake.projectId };
    return payload;
  };

  beforeAll(async () => {
    fake = new FakeGitLab({ ".github/factory.yml": REVIEW_TASK_CONFIG, "README.md": "# widgets\n" });
    alice = fake.addUser("alice", 30);
    guest = fake.addUser("guest", 20);
    await fake.start();
    workdir = mkdtempSync(join(tmpdir(), "factory-e2e-gitlab-review-"));
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
        FACTORY_ALLOWED_COMMANDS: allowExactly(REVIEW_AGENT_COMMAND, TEST_COMMAND),
      },
    });
    url = `http://127.0.0.1:${port}/api/gitlab/webhooks`;
    const labeled = issueLabelsChanged({
      project: project(),
      user: alice,
      iid: 12,
      previous: [],
      current: ["factory"],
    });
    await post("Issue Hook", labeled, "label-1");
    await server.jobs.drain();
    const note = (
      id: number,
      body: string,
      author = alice,
      resolved = false,
      position?: { new_path: string; new_line: number },
    ) => ({
      id,
      body,
      author,
      resolvable: true,
      resolved,
      ...(position ? { position } : {}),
    });
    fake.discussions.push(
      {
        id: "a".repeat(40),
        iid: 1,
        notes: [
          note(801, "Call it darkMode.", alice, false, { new_path: "theme.ts", new_line: 1 }),
          note(802, "Agreed.", guest),
        ],
      },
      {
        id: "b".repeat(40),
        iid: 1,
        notes: [note(803, "Mention the theme here.", alice, false, { new_path: "README.md", new_line: 1 })],
      },
      { id: "c".repeat(40), iid: 1, notes: [note(804, "Old point, settled.", alice, true)] },
    );
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  const mr = () => fake.mergeRequests[0]!;
  const botReplies = (id: string) =>
    fake.discussions.find((d) => d.id === id)!.notes.filter((n) => n.author.id === fake.bot.id);

  it("answers every unresolved discussion once, from one fast-forward commit", async () => {
    expect(fake.mergeRequests).toHaveLength(1);
    const headBefore = fake.headOf(mr().source_branch)!;
    const before = fake.requests.length;
    await post("Note Hook", fixNote(alice, 900), "fix-1");
    await server.jobs.drain();
    const calls = fake.requests.slice(before);
    if (process.env.FACTORY_REPORT_CALLS)
      console.log(
        `GitLab review round, 2 threads: ${calls.length} requests\n` +
          calls.map((c) => `${c.method} ${c.path}`).join("\n"),
      );

    const head = fake.headOf(mr().source_branch)!;
    expect(fake.commits.get(head)!.parents).toEqual([headBefore]);
    expect(reviewRoundOf(fake.commits.get(head)!.message)).toBe(1);
    expect(fake.textAt(head, "review-seen.txt")).toBe("review 2 Call it darkMode. Mention the theme here. 0\n");
    for (const id of ["a".repeat(40), "b".repeat(40)]) {
      expect(botReplies(id)).toHaveLength(1);
      expect(botReplies(id)[0]!.body).toContain(head);
    }
    expect(botReplies("c".repeat(40))).toHaveLength(0);
  });

  it("starts nothing twice for a redelivered comment", async () => {
    const head = fake.headOf(mr().source_branch);
    const before = fake.requests.length;
    await post("Note Hook", fixNote(alice, 900), "fix-1-again"); // a new Idempotency-Key, the same note
    await server.jobs.drain();
    expect(fake.headOf(mr().source_branch)).toBe(head);
    // The acknowledgement (an award emoji, which GitLab keeps once) is the only write.
    const writes = fake.requests.slice(before).filter((r) => r.method !== "GET");
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /projects/7/merge_requests/1/notes/900/award_emoji",
    ]);
    expect(botReplies("a".repeat(40))).toHaveLength(1);
  });

  it("refuses /factory fix from someone below min_permission, politely and once", async () => {
    const head = fake.headOf(mr().source_branch);
    const notes = fake.notes.length;
    await post("Note Hook", fixNote(guest, 901), "fix-guest");
    await server.jobs.drain();
    expect(fake.headOf(mr().source_branch)).toBe(head);
    expect(fake.notes.length).toBe(notes + 1);
    expect(fake.notes.at(-1)!.body).toMatch(/@guest Only people with \*\*Developer\*\*/);
    expect(botReplies("a".repeat(40))).toHaveLength(1);
  });
});
