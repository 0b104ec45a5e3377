import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFactoryServer, type FactoryServer } from "../../src/entry/server.js";
import { allowExactly } from "../helpers/allow.js";
import { AGENT_COMMAND, TASK_CONFIG, TEST_COMMAND } from "../helpers/e2e-task.js";
import { FakeGitLab } from "../helpers/fake-gitlab-server.js";
import { labeledPayload, startGitHubE2E, type GitHubE2E } from "../helpers/github-e2e.js";
import { logCapture, metricValue } from "../helpers/log-capture.js";
import { OtlpReceiver, type ReceivedSpan } from "../helpers/otlp-receiver.js";
import { freePort, postGitHubWebhook } from "../helpers/webhooks.js";
import {
  gitlabHeaders,
  gitlabTrace,
  issueLabelsChanged,
  pipelineFinished,
  postGitLabWebhook,
  TSC_OUTPUT,
} from "../gitlab/helpers.js";

const allowed = allowExactly(AGENT_COMMAND, TEST_COMMAND);

async function scrape(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The span's ancestors' names, nearest first. */
function ancestors(span: ReceivedSpan, spans: ReceivedSpan[]): string[] {
  const names: string[] = [];
  let parent = spans.find((s) => s.spanId === span.parentSpanId);
  while (parent) {
    names.push(parent.name);
    const id = parent.parentSpanId;
    parent = spans.find((s) => s.spanId === id);
  }
  return names;
}

describe("observability end to end: GitHub on the Probot server, with OpenTelemetry", () => {
  let e2e: GitHubE2E;
  let base: string;
  let stopped = false;
  const receiver = new OtlpReceiver();
  const log = logCapture();

  beforeAll(async () => {
    await receiver.start();
    e2e = await startGitHubE2E(
      { ".github/factory.yml": TASK_CONFIG, "README.md": "# widgets\n" },
      { FACTORY_ALLOWED_COMMANDS: allowed, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, LOG_LEVEL: "info" },
      { logDestination: log.destination },
    );
    base = e2e.url.replace("/api/github/webhooks", "");
  });

  afterAll(async () => {
    if (!stopped) await e2e?.stop();
    await receiver.stop();
  });

  it("counts deliveries, the task, its forge requests and its duration at GET /metrics", async () => {
    const payload = labeledPayload(e2e.fake);
    const forged = await postGitHubWebhook(e2e.url, "issues", payload, { secret: "wrong", deliveryId: "forged" });
    expect(forged.status).toBe(400);
    expect((await e2e.deliver("issues", payload, "obs-1")).status).toBe(200);
    await e2e.server.jobs.drain();
    expect(e2e.fake.pulls).toHaveLength(1);

    const text = await scrape(base);
    expect(
      metricValue(text, "factory_webhook_deliveries_total", { forge: "github", event: "issues", outcome: "ok" }),
    ).toBe(1);
    expect(
      metricValue(text, "factory_webhook_deliveries_total", { forge: "github", event: "issues", outcome: "refused" }),
    ).toBe(1);
    expect(metricValue(text, "factory_tasks_total", { forge: "github", outcome: "completed" })).toBe(1);
    expect(metricValue(text, "factory_task_duration_seconds_count", { forge: "github" })).toBe(1);
    expect(metricValue(text, "factory_task_queue_depth")).toBe(0);
    expect(metricValue(text, "factory_tasks_running")).toBe(0);
    const created = metricValue(text, "factory_forge_requests_total", {
      forge: "github",
      method: "POST",
      status: "201",
    });
    // Comment, blobless tree, commit, ref, pull request, status: at least those writes answered 201.
    expect(created).toBeGreaterThanOrEqual(5);
    expect(
      metricValue(text, "factory_forge_requests_total", { forge: "github", method: "GET", status: "200" }),
    ).toBeGreaterThan(0);
    expect(metricValue(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    // Bounded labels: no repository, user or delivery id in any series.
    expect(text).not.toMatch(/widgets|alice|obs-1/);
  });

  it("exports one trace per delivery with spans for config load, agent, tests and each forge write, and audit log records in it", async () => {
    await e2e.stop();
    stopped = true;
    const roots = receiver.spans.filter((s) => s.name === "delivery" && s.attributes["delivery.id"] === "obs-1");
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root.parentSpanId).toBe("");
    expect(root.attributes).toMatchObject({ forge: "github", job: "task", repo: "acme/widgets" });
    expect(root.resource).toMatchObject({ "service.name": "factory-bot" });
    const trace = receiver.spans.filter((s) => s.traceId === root.traceId);
    const names = new Set(trace.map((s) => s.name));
    for (const name of ["config.load", "agent", "tests", "forge.createComment", "forge.commitFiles"])
      expect(names).toContain(name);
    expect(names).toContain("forge.createChangeRequest");
    expect(names).toContain("forge.setCommitStatus");
    for (const span of trace.filter((s) => s !== root)) expect(ancestors(span, trace).at(-1)).toBe("delivery");

    const audits = receiver.logRecords.filter((r) => r.attributes.deliveryId === "obs-1");
    const opened = audits.find((r) => r.attributes.action === "createChangeRequest");
    expect(opened).toMatchObject({
      eventName: "factory.audit",
      severityText: "INFO",
      body: "forge write",
      attributes: { audit: true, forge: "github", repo: "acme/widgets", actor: "alice", outcome: "ok" },
    });
    // Each audit record sits in its delivery's trace.
    expect([opened!.traceId, opened!.spanId]).toEqual([root.traceId, root.spanId]);
    expect(receiver.contentTypes.every((t) => t.startsWith("application/json"))).toBe(true);
  });

  it("wrote every log line as one JSON object with each key once: access log, handlers, audit", () => {
    const records = log.records();
    expect(records.some((r) => r.name === "http" && (r.req as { url?: string })?.url === "/api/github/webhooks")).toBe(
      true,
    );
    expect(records.some((r) => r.audit === true && r.deliveryId === "obs-1")).toBe(true);
    expect(records.some((r) => r.msg === "agent finished")).toBe(true);
  });
});

describe("observability end to end: the GitLab-only server", () => {
  let fake: FakeGitLab;
  let server: FactoryServer;
  let base: string;
  let workdir: string;
  const log = logCapture();
  const secret = "obs-gitlab-secret";

  beforeAll(async () => {
    fake = new FakeGitLab({ ".github/factory.yml": TASK_CONFIG, "README.md": "# widgets\n" });
    await fake.start();
    workdir = mkdtempSync(join(tmpdir(), "factory-obs-gitlab-"));
    const port = await freePort();
    server = await startFactoryServer({
      env: {
        GITLAB_URL: fake.url,
        GITLAB_TOKEN: fake.token,
        GITLAB_WEBHOOK_SECRET: secret,
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "info",
        LOG_FORMAT: "json",
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        FACTORY_WORKDIR: workdir,
        FACTORY_ALLOWED_COMMANDS: allowed,
      },
      logDestination: log.destination,
    });
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await server?.stop();
    await fake?.stop();
    rmSync(workdir, { recursive: true, force: true });
  });

  it("serves the same series after a task and a CI summary, and logs every request as strict JSON", async () => {
    const alice = fake.addUser("alice", 30);
    const project = { id: fake.projectId, path: fake.projectPath, webUrl: fake.webUrl };
    const url = `${base}/api/gitlab/webhooks`;
    const post = (event: string, payload: unknown, key: string, token = secret) =>
      postGitLabWebhook(url, payload, gitlabHeaders({ event, token, idempotencyKey: key }));
    const labeled = issueLabelsChanged({ project, user: alice, iid: 12, previous: [], current: ["factory"] });
    expect((await post("Issue Hook", labeled, "wrong", "not-the-secret")).status).toBe(401);
    expect((await post("Issue Hook", labeled, "gl-1")).status).toBe(202);
    await server.jobs.drain();
    const mr = fake.mergeRequests[0]!;
    const sha = fake.headOf(mr.source_branch)!;
    fake.addPipeline(
      { sha, ref: `refs/merge-requests/${mr.iid}/head`, source: "merge_request_event", status: "failed" },
      [{ name: "typecheck", status: "failed", trace: gitlabTrace(TSC_OUTPUT) }],
    );
    const failed = pipelineFinished({ project, sha, status: "failed", mrIid: mr.iid, user: fake.bot });
    expect((await post("Pipeline Hook", failed, "gl-2")).status).toBe(202);
    await server.jobs.drain();

    const text = await scrape(base);
    const delivered = (event: string, outcome: string) =>
      metricValue(text, "factory_webhook_deliveries_total", { forge: "gitlab", event, outcome });
    expect([
      delivered("Issue Hook", "ok"),
      delivered("Issue Hook", "refused"),
      delivered("Pipeline Hook", "ok"),
    ]).toEqual([1, 1, 1]);
    expect(metricValue(text, "factory_tasks_total", { forge: "gitlab", outcome: "completed" })).toBe(1);
    expect(metricValue(text, "factory_task_duration_seconds_count", { forge: "gitlab" })).toBe(1);
    expect(metricValue(text, "factory_ci_summaries_total", { forge: "gitlab" })).toBe(1);
    expect(
      metricValue(text, "factory_forge_requests_total", { forge: "gitlab", method: "POST", status: "201" }),
    ).toBeGreaterThan(0);
    expect(metricValue(text, "factory_task_queue_depth")).toBe(0);

    const records = log.records();
    const access = records.filter((r) => r.name === "http");
    expect(
      access.map((r) => [(r.req as { method: string }).method, (r.res as { statusCode: number }).statusCode]),
    ).toEqual(
      expect.arrayContaining([
        ["POST", 401],
        ["POST", 202],
        ["GET", 200],
      ]),
    );
    expect(records.some((r) => r.audit === true && r.deliveryId === "gl-1" && r.forge === "gitlab")).toBe(true);
  });
});

describe("FACTORY_METRICS and LOG_FORMAT on the GitLab-only server", () => {
  async function gitlabOnly(env: NodeJS.ProcessEnv) {
    const log = logCapture();
    const port = await freePort();
    const server = await startFactoryServer({
      env: {
        GITLAB_URL: "http://127.0.0.1:9",
        GITLAB_TOKEN: "t",
        GITLAB_WEBHOOK_SECRET: "s",
        HOST: "127.0.0.1",
        PORT: String(port),
        PATH: process.env.PATH,
        ...env,
      },
      logDestination: log.destination,
    });
    return { server, log, base: `http://127.0.0.1:${port}` };
  }

  it("FACTORY_METRICS=off: no /metrics", async () => {
    const { server, base } = await gitlabOnly({ FACTORY_METRICS: "off", LOG_FORMAT: "json" });
    try {
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it("LOG_FORMAT=pretty: lines for people, the access log included", async () => {
    const { server, base, log } = await gitlabOnly({ LOG_FORMAT: "pretty" });
    await fetch(`${base}/healthz`);
    await server.stop();
    const text = log.lines().join("\n");
    expect(text).toContain("GET /healthz 200");
    expect(text).toMatch(/INFO/);
    expect(() => log.records()).toThrow(/not one JSON object/);
  });
});
