import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFactoryServer, type FactoryServer } from "../../src/entry/server.js";
import { MARKERS } from "../../src/core/markers.js";
import { FakeGitLab } from "../helpers/fake-gitlab-server.js";
import { freePort } from "../helpers/webhooks.js";
import {
  gitlabHeaders,
  gitlabPayload,
  gitlabTrace,
  issueLabelsChanged,
  pipelineFinished,
  postGitLabWebhook,
  TSC_OUTPUT,
} from "../gitlab/helpers.js";
import { allowExactly } from "../helpers/allow.js";
import { AGENT_COMMAND, TASK_CONFIG, TEST_COMMAND } from "../helpers/e2e-task.js";

const SECRET = "e2e-gitlab-secret";

describe("GitLab end to end (self-managed, GitLab only): labeled issue → one merge request", () => {
  let fake: FakeGitLab;
  let server: FactoryServer;
  let url: string;
  let workdir: string;
  let alice: { id: number; username: string };

  const project = () => ({ id: fake.projectId, path: fake.projectPath, webUrl: fake.webUrl });
  const labeled = () =>
    issueLabelsChanged({ project: project(), user: alice, iid: 12, previous: ["ui"], current: ["ui", "factory"] });
  const post = (event: string, payload: unknown, idempotencyKey?: string, token: string | null = SECRET) =>
    postGitLabWebhook(url, payload, gitlabHeaders({ event, token, ...(idempotencyKey ? { idempotencyKey } : {}) }));

  beforeAll(async () => {
    // Served below /gitlab, as a self-managed instance at https://host/gitlab is.
    fake = new FakeGitLab({ ".github/factory.yml": TASK_CONFIG, "README.md": "# widgets\n" }, "/gitlab");
    alice = fake.addUser("alice", 30);
    await fake.start();
    workdir = mkdtempSync(join(tmpdir(), "factory-e2e-gitlab-"));
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
        FACTORY_ALLOWED_COMMANDS: allowExactly(AGENT_COMMAND, TEST_COMMAND),
      },
    });
    url = `http://127.0.0.1:${port}/api/gitlab/webhooks`;
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  it("reports GitLab (and not GitHub) on /healthz", async () => {
    const res = await fetch(url.replace("/api/gitlab/webhooks", "/healthz"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", forges: { github: false, gitlab: true } });
  });

  it("refuses a wrong token with 401 and calls no API", async () => {
    const before = fake.requests.length;
    const wrong = await post("Issue Hook", labeled(), "forged", "not-the-secret");
    const missing = await post("Issue Hook", labeled(), "unsigned", null);
    expect([wrong.status, missing.status]).toEqual([401, 401]);
    await server.jobs.drain();
    expect(fake.requests.length).toBe(before);
  });

  it("opens exactly one MR with the change, Draft: title, Closes, test table, labels, one note and a success status, however often delivered", async () => {
    const payload = labeled();
    const responses = await Promise.all([
      post("Issue Hook", payload, "delivery-a"),
      post("Issue Hook", payload, "delivery-a"),
      post("Issue Hook", payload, "delivery-b"),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 202, 202]);
    await server.jobs.drain();
    await post("Issue Hook", payload, "delivery-a"); // a late resend from the hook's log
    await server.jobs.drain();

    expect(fake.mergeRequests).toHaveLength(1);
    const [mr] = fake.mergeRequests;
    expect(mr).toMatchObject({
      title: "Draft: [Factory] #12: Add a dark theme",
      source_branch: "factory/12-add-a-dark-theme",
      target_branch: "main",
      labels: ["factory", "automated"],
    });
    expect(mr!.description).toContain("Closes #12");
    expect(mr!.description).toContain("Added a dark theme flag.");
    expect(mr!.description).toMatch(/\| `theme exists` \| ✅ passed \| \d+s \|/);

    const head = fake.headOf(mr!.source_branch)!;
    expect(fake.textAt(head, "theme.ts")).toBe("export const dark = true;\n");
    expect(fake.textAt(head, "README.md")).toBe("# widgets\n");
    expect(fake.commits.get(head)!.parents).toEqual([fake.headOf("main")]);
    expect(fake.statuses).toEqual([expect.objectContaining({ sha: head, name: "factory/task", state: "success" })]);

    const taskNotes = fake.notesOn("issues", 12).filter((n) => n.body.includes(MARKERS.task));
    expect(taskNotes).toHaveLength(1);
    expect(taskNotes[0]!.body).toContain(`!${mr!.iid}`);
    expect(fake.requests.filter((r) => r.headers["x-gitlab-event-uuid"] !== undefined)).toEqual([]);
    expect(fake.requests.filter((r) => !r.urlPath.startsWith("/gitlab/api/v4/"))).toEqual([]);
  });

  it("keeps one summary note with the root error lines on a failed MR pipeline, updated by later pipelines", async () => {
    const mr = fake.mergeRequests[0]!;
    const sha = fake.headOf(mr.source_branch)!;
    const pipeline = (status: string, jobs: Parameters<FakeGitLab["addPipeline"]>[1]) => {
      fake.addPipeline({ sha, ref: `refs/merge-requests/${mr.iid}/head`, source: "merge_request_event", status }, jobs);
      return pipelineFinished({ project: project(), sha, status, mrIid: mr.iid, user: fake.bot });
    };
    const summaries = () => fake.notesOn("merge_requests", mr.iid).filter((n) => n.body.includes(MARKERS.ciSummary));

    const failed = pipeline("failed", [
      { name: "typecheck", status: "failed", trace: gitlabTrace(TSC_OUTPUT) },
      { name: "unit", status: "success", trace: "all good" },
    ]);
    expect((await post("Pipeline Hook", failed, "pipeline-1")).status).toBe(202);
    await post("Pipeline Hook", failed, "pipeline-1");
    await server.jobs.drain();
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]!.body).toContain("error TS7006: Parameter 'y' implicitly has an 'any' type.");
    expect(summaries()[0]!.body).not.toContain("ERROR: Job failed");

    const again = pipeline("failed", [
      { name: "typecheck", status: "failed", trace: gitlabTrace(["src/theme.ts(9,1): error TS1005: ';' expected."]) },
    ]);
    await post("Pipeline Hook", again, "pipeline-2");
    await server.jobs.drain();
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]!.body).toContain("error TS1005: ';' expected.");

    const green = pipeline("success", [{ name: "typecheck", status: "success", trace: "ok" }]);
    await post("Pipeline Hook", green, "pipeline-3");
    await server.jobs.drain();
    expect(summaries()).toHaveLength(1);
    const body = summaries()[0]!.body;
    // The last failure is kept, collapsed below what is true now.
    expect(body.indexOf("<details>")).toBeGreaterThan(0);
    expect(body.indexOf("error TS1005")).toBeGreaterThan(body.indexOf("<details>"));
  });
});

describe("GitLab next to GitHub on the Probot server", () => {
  const githubEnv = async (): Promise<{ port: number; env: NodeJS.ProcessEnv }> => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const port = await freePort();
    return {
      port,
      env: {
        APP_ID: "1",
        PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        WEBHOOK_SECRET: "github-secret",
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "error",
        PATH: process.env.PATH,
      },
    };
  };

  it("mounts the GitLab router when GitLab is configured", async () => {
    const { port, env } = await githubEnv();
    const server = await startFactoryServer({
      env: { ...env, GITLAB_URL: "http://127.0.0.1:9", GITLAB_TOKEN: "t", GITLAB_WEBHOOK_SECRET: SECRET },
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ forges: { github: true, gitlab: true } });
      const url = `${base}/api/gitlab/webhooks`;
      expect(
        (await postGitLabWebhook(url, gitlabPayload("push"), gitlabHeaders({ event: "Push Hook", token: "wrong" })))
          .status,
      ).toBe(401);
      expect(
        (await postGitLabWebhook(url, gitlabPayload("push"), gitlabHeaders({ event: "Push Hook", token: SECRET })))
          .status,
      ).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("says how to turn GitLab on when it is not configured", async () => {
    const { port, env } = await githubEnv();
    const server = await startFactoryServer({ env });
    try {
      const res = await postGitLabWebhook(
        `http://127.0.0.1:${port}/api/gitlab/webhooks`,
        gitlabPayload("push"),
        gitlabHeaders({ event: "Push Hook", token: SECRET }),
      );
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: expect.stringContaining("set GITLAB_URL, GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET"),
      });
    } finally {
      await server.stop();
    }
  });
});
