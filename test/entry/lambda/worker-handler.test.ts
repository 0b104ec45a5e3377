import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { MARKERS } from "../../../src/core/markers.js";
import { BackgroundJobs, toCompletion } from "../../../src/entry/background-jobs.js";
import { makeConfig } from "../../helpers/config.js";
import { FakeForge } from "../../helpers/fake-forge.js";
import { LAMBDA_LOCAL_RUNNER_MESSAGE, LambdaTaskRunner } from "../../../src/entry/lambda/lambda-runner.js";
import { encodeDelivery, type QueuedDelivery } from "../../../src/entry/lambda/queue.js";
import { createWorkerHandler, type DeliveryProcessor } from "../../../src/entry/lambda/worker-handler.js";
import { workerDepsFromEnv } from "../../../src/entry/lambda/worker-setup.js";
import { createGitLabApi } from "../../../src/gitlab/client.js";
import { FakeGitHub } from "../../helpers/fake-github-server.js";
import { fixedClock, recordingLogger } from "../../helpers/logger.js";
import { TestOctokit } from "../../helpers/octokit.js";
import { githubExample } from "../../helpers/webhooks.js";
import { issueLabelsChanged } from "../../gitlab/helpers.js";
import { sqsEvent, sqsRecord } from "../fixtures/lambda-events.js";
import { allowLoopbackOnly } from "../../helpers/net.js";

const delivery = (overrides: Partial<QueuedDelivery> = {}): QueuedDelivery => ({
  forge: "github",
  event: "issues",
  deliveryId: "delivery-1",
  body: "{}",
  ...overrides,
});

describe("the worker's batch handling", () => {
  const logger = recordingLogger();
  const calls: QueuedDelivery[] = [];
  const recording =
    (fail = (_d: QueuedDelivery) => false): DeliveryProcessor =>
    async (d) => {
      calls.push(d);
      if (fail(d)) throw new Error(`handler failed for ${d.deliveryId}`);
    };

  beforeEach(() => {
    calls.length = 0;
    logger.lines.length = 0;
  });

  it("reports an unreadable message as failed and logs why, without running anything", async () => {
    const poison = sqsRecord("this is not a queued delivery", 3);
    const good = sqsRecord(encodeDelivery(delivery()));
    const handler = createWorkerHandler({ processors: { github: recording() }, logger });
    const response = await handler(sqsEvent(poison, good));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison.messageId }] });
    expect(calls.map((d) => d.deliveryId)).toEqual(["delivery-1"]);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        messageId: poison.messageId,
        receiveCount: 3,
        reason: "the message body is not JSON",
        msg: expect.stringContaining("dead-letter queue"),
      }),
    );
  });

  it("reports the message whose handler failed, and only that one", async () => {
    const failing = sqsRecord(encodeDelivery(delivery({ deliveryId: "breaks" })));
    const fine = sqsRecord(encodeDelivery(delivery({ deliveryId: "works" })));
    const handler = createWorkerHandler({
      processors: { github: recording((d) => d.deliveryId === "breaks") },
      logger,
    });
    expect(await handler(sqsEvent(failing, fine))).toEqual({
      batchItemFailures: [{ itemIdentifier: failing.messageId }],
    });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: "error", deliveryId: "breaks", msg: "delivery failed: reported for a retry" }),
    );
  });

  it("runs a delivery that arrived twice in one batch once, and both messages share its outcome", async () => {
    const first = sqsRecord(encodeDelivery(delivery()));
    const duplicate = sqsRecord(encodeDelivery(delivery()), 2);
    const handler = createWorkerHandler({ processors: { github: recording(() => true) }, logger });
    const response = await handler(sqsEvent(first, duplicate));
    expect(calls).toHaveLength(1);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [first.messageId, duplicate.messageId].sort(),
    );
  });

  it("fails a delivery for a forge the worker has no credentials for, so it ends in the dead-letter queue", async () => {
    const record = sqsRecord(encodeDelivery(delivery({ forge: "gitlab", event: "Issue Hook" })));
    const handler = createWorkerHandler({ processors: { github: recording() }, logger });
    expect(await handler(sqsEvent(record))).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
  });
});

describe("the worker's way to run a delivery", () => {
  it("waits for every job a delivery starts and fails only the delivery whose job failed", async () => {
    const jobs = new BackgroundJobs(recordingLogger());
    const deliver = toCompletion(jobs, { runner: new LambdaTaskRunner(), clock: fixedClock() });
    const forge = new FakeForge();
    forge.config = { status: "ok", config: makeConfig(), files: [] };
    const event = (headSha: string) => ({
      type: "ci.completed" as const,
      deliveryId: headSha,
      headSha,
      changeRequestNumbers: [],
      actor: { login: "alice", isBot: false },
    });
    const delivery = (headSha: string, broken: boolean) => ({
      deliveryId: headSha,
      repoKey: "github:acme/widgets",
      events: [event(headSha)],
      logger: recordingLogger(),
      configPaths: [".github/factory.yml"],
      forge: async () => {
        if (broken) throw new Error("GitHub answered 502");
        return forge;
      },
    });
    const ok = deliver(delivery("a".repeat(40), false));
    const broken = deliver(delivery("b".repeat(40), true));
    await expect(ok).resolves.toBeUndefined();
    await expect(broken).rejects.toThrow("GitHub answered 502");
    expect(jobs.size).toBe(0);
  });
});

describe("the worker with the real GitHub app", () => {
  const CONFIG = 'agent:\n  command: "droid exec -f \\"$FACTORY_TASK_FILE\\""\n';
  let fake: FakeGitHub;
  let privateKey: string;

  beforeAll(async () => {
    privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    fake = new FakeGitHub({ ".github/factory.yml": CONFIG, "README.md": "# widgets\n" });
    fake.permissions.set("alice", "write");
    await fake.start();
  });

  afterAll(async () => {
    await fake?.stop();
  });

  function labeled() {
    const payload = githubExample("issues", "labeled");
    payload.installation = { id: 42, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI=" };
    payload.repository = {
      ...payload.repository,
      name: fake.repo,
      full_name: `${fake.owner}/${fake.repo}`,
      owner: { ...payload.repository.owner, login: fake.owner },
      default_branch: "main",
    };
    payload.label = { ...payload.label, name: "factory" };
    payload.sender = { ...payload.sender, login: "alice", type: "User" };
    payload.issue = { ...payload.issue, number: 12, title: "Add a dark theme", pull_request: undefined };
    return payload;
  }

  async function worker(gheHost = fake.host) {
    const logger = recordingLogger();
    const env = {
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: "s",
      GHE_HOST: gheHost,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "fatal" as const,
    };
    const deps = await workerDepsFromEnv(env, {
      clock: fixedClock(),
      logger,
      Octokit: TestOctokit,
    });
    return { handler: createWorkerHandler(deps), logger };
  }

  it("posts one progress comment saying where to run tasks, however often SQS delivers the message", async () => {
    const { handler } = await worker();
    const message = encodeDelivery({
      forge: "github",
      event: "issues",
      deliveryId: "gh-delivery-1",
      body: JSON.stringify(labeled()),
    });
    expect(await handler(sqsEvent(sqsRecord(message)))).toEqual({ batchItemFailures: [] });
    // Redelivered after a visibility timeout, to a fresh container.
    const { handler: another } = await worker();
    expect(await another(sqsEvent(sqsRecord(message, 2)))).toEqual({ batchItemFailures: [] });

    const posts = fake.requests.filter((r) => r.method === "POST" && r.path.endsWith("/issues/12/comments"));
    expect(posts).toHaveLength(1);
    const comments = fake.comments.filter((c) => c.issue === 12);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(MARKERS.task);
    expect(comments[0]!.body).toContain("runs on AWS Lambda");
    expect(LAMBDA_LOCAL_RUNNER_MESSAGE).toContain("runner: gitlab-ci");
    expect(fake.pulls).toEqual([]);
  });

  it("reports the message for a retry when GitHub cannot be reached", async () => {
    const { handler, logger } = await worker("127.0.0.1:9");
    const record = sqsRecord(
      encodeDelivery({
        forge: "github",
        event: "issues",
        deliveryId: "gh-delivery-2",
        body: JSON.stringify(labeled()),
      }),
    );
    expect(await handler(sqsEvent(record))).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "delivery failed: reported for a retry",
        deliveryId: "gh-delivery-2",
      }),
    );
  });
});

describe("the worker with the real GitLab router", () => {
  const BASE = "https://gitlab.example.com";
  const env = { GITLAB_URL: BASE, GITLAB_TOKEN: "glpat-test", GITLAB_WEBHOOK_SECRET: "gitlab-secret" };
  const notes: Array<{ id: number; body: string }> = [];

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => allowLoopbackOnly());

  function gitlabApiWithMember(accessLevel: number) {
    nock(BASE)
      .persist()
      .get("/api/v4/user")
      .reply(200, { id: 99, username: "factory-bot" })
      .get("/api/v4/projects/7/repository/files/.github%2Ffactory.yml/raw")
      .query(true)
      .reply(200, "agent:\n  command: make-change\n", { "content-type": "text/plain" })
      .get("/api/v4/users")
      .query({ username: "rita" })
      .reply(200, [{ id: 21, username: "rita" }])
      .get("/api/v4/projects/7/members/all/21")
      .reply(200, { id: 21, username: "rita", access_level: accessLevel, state: "active" })
      .get("/api/v4/projects/7/issues/12/notes")
      .query(true)
      .reply(() => [
        200,
        notes.map((n) => ({
          ...n,
          system: false,
          author: { username: "factory-bot" },
          created_at: "2026-11-21T10:00:00Z",
        })),
      ])
      .post("/api/v4/projects/7/issues/12/notes")
      .reply((_uri, body) => {
        const note = { id: 900 + notes.length, body: (body as { body: string }).body };
        notes.push(note);
        return [
          201,
          { ...note, system: false, author: { username: "factory-bot" }, created_at: "2026-11-21T10:00:00Z" },
        ];
      });
  }

  it("turns a queued Issue Hook into one note, however often it arrives", async () => {
    gitlabApiWithMember(20);
    const logger = recordingLogger();
    const deps = await workerDepsFromEnv(env, {
      clock: fixedClock(),
      logger,
      gitlabApi: createGitLabApi({ url: BASE, token: "glpat-test" }),
    });
    const handler = createWorkerHandler(deps);
    const payload = issueLabelsChanged({
      project: { id: 7, path: "acme/widgets", webUrl: `${BASE}/acme/widgets` },
      user: { id: 21, username: "rita" },
      iid: 12,
      previous: [],
      current: ["factory"],
    });
    const message = encodeDelivery({
      forge: "gitlab",
      event: "Issue Hook",
      deliveryId: "gl-key-1",
      body: JSON.stringify(payload),
    });
    expect(await handler(sqsEvent(sqsRecord(message)))).toEqual({ batchItemFailures: [] });
    expect(await handler(sqsEvent(sqsRecord(message, 2)))).toEqual({ batchItemFailures: [] });
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain("Thanks @rita");
    expect(logger.lines.filter((l) => l.level === "error")).toEqual([]);
  });
});
