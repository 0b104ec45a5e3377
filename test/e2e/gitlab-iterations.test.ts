import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MARKERS } from "../../src/core/markers.js";
import { startFactoryServer, type FactoryServer } from "../../src/entry/server.js";
import { gitlabHeaders, issueLabelsChanged, postGitLabWebhook } from "../gitlab/helpers.js";
import { allowExactly } from "../helpers/allow.js";
import { ITERATING_AGENT_COMMAND, ITERATING_FILES, ITERATING_TEST_COMMAND } from "../helpers/e2e-task.js";
import { FakeGitLab } from "../helpers/fake-gitlab-server.js";
import { freePort } from "../helpers/webhooks.js";

const SECRET = "e2e-gitlab-iterations";

describe("GitLab end to end: the agent fixes its failing test on its second run", () => {
  let fake: FakeGitLab;
  let server: FactoryServer;
  let url: string;
  let workdir: string;

  beforeAll(async () => {
    fake = new FakeGitLab(ITERATING_FILES);
    await fake.start();
    workdir = mkdtempSync(join(tmpdir(), "factory-e2e-gitlab-iterations-"));
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
        FACTORY_ALLOWED_COMMANDS: allowExactly(ITERATING_AGENT_COMMAND, ITERATING_TEST_COMMAND),
      },
    });
    url = `http://127.0.0.1:${port}/api/gitlab/webhooks`;
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  it("opens one MR with run 2's state, says it took 2 runs, and the agent saw the failure on run 2", async () => {
    const alice = fake.addUser("alice", 30);
    const project = { id: fake.projectId, path: fake.projectPath, webUrl: fake.webUrl };
    const payload = issueLabelsChanged({ project, user: alice, iid: 12, previous: [], current: ["factory"] });
    const res = await postGitLabWebhook(url, payload, gitlabHeaders({ event: "Issue Hook", token: SECRET }));
    expect(res.status).toBe(202);
    await server.jobs.drain();

    expect(fake.mergeRequests).toHaveLength(1);
    const mr = fake.mergeRequests[0]!;
    expect(mr.description).toContain(
      "It took 2 agent runs (at most 3, `agent.max_iterations`); the tests passed after run 2.",
    );
    expect(mr.description).toMatch(/\| `answer` \| ✅ passed \| \d+s \|/);
    expect(mr.description).toMatch(/<details><summary>Run 1: 1 of 1 test failed<\/summary>/);

    const head = fake.headOf(mr.source_branch)!;
    expect(fake.textAt(head, "answer.txt")).toBe("answer=42\n");
    expect(fake.textAt(head, "seen/env-1.txt")).toContain("FACTORY_ITERATION=1\nFACTORY_MODE=implement\n");
    expect(fake.textAt(head, "seen/env-2.txt")).toBe(
      "FACTORY_ITERATION=2\nFACTORY_MODE=implement\nFACTORY_TEST_FAILURE_FILE set: yes\n",
    );
    expect(fake.textAt(head, "seen/failure-2.md")).toContain("AssertionError: expected answer=42, got answer=41");
    expect(fake.statuses).toEqual([expect.objectContaining({ sha: head, name: "factory/task", state: "success" })]);

    const edits = fake.requests
      .filter((r) => r.method === "PUT" && /\/issues\/12\/notes\/\d+$/.test(r.path))
      .map((r) => (r.body as { body: string }).body);
    expect(edits.some((edit) => edit.includes("run 2 of 3: agent"))).toBe(true);
    const notes = fake.notesOn("issues", 12).filter((n) => n.body.includes(MARKERS.task));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain(`!${mr.iid}`);
  });
});
