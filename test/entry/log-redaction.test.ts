import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { createHttpHandler } from "../../src/entry/lambda/http-handler.js";
import { httpDepsFromEnv } from "../../src/entry/lambda/http-setup.js";
import type { QueuedDelivery } from "../../src/entry/lambda/queue.js";
import { lambdaLogger } from "../../src/entry/lambda/setup.js";
import { redactingLogOptions, scrubCredentials } from "../../src/entry/log-redaction.js";
import { startFactoryServer } from "../../src/entry/server.js";
import { FakeGitHub } from "../helpers/fake-github-server.js";
import { FakeGitLab } from "../helpers/fake-gitlab-server.js";
import { freePort, postGitHubWebhook } from "../helpers/webhooks.js";
import { gitlabHeaders, issueLabelsChanged, postGitLabWebhook } from "../gitlab/helpers.js";
import { labeledPayload } from "../helpers/github-e2e.js";
import { functionUrlEvent } from "./fixtures/lambda-events.js";

// Known values planted in every place a credential enters the process.
const WEBHOOK_SECRET = "gh-secret-4d1f0c9a7e";
const GITLAB_WEBHOOK_SECRET = "gl-hook-secret-8b2e61f0c3";
const PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
const KEY_BODY_LINE = PRIVATE_KEY.split("\n")[5]!;

function captured() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, stream };
}

function leaks(lines: string[], secrets: string[]): string[] {
  return lines.filter((line) => secrets.some((s) => line.includes(s)));
}

describe("logs carry no credential, at trace level, on every path", () => {
  it("the Probot server (GitHub and GitLab routes): headers, secrets and tokens never appear", async () => {
    const github = new FakeGitHub({ "README.md": "# widgets\n" });
    github.permissions.set("alice", "write");
    const gitlab = new FakeGitLab({ "README.md": "# widgets\n" });
    const alice = gitlab.addUser("alice", 30);
    await Promise.all([github.start(), gitlab.start()]);
    const { lines, stream } = captured();
    const port = await freePort();
    const server = await startFactoryServer({
      env: {
        APP_ID: "1",
        PRIVATE_KEY,
        WEBHOOK_SECRET,
        GHE_HOST: github.host,
        GHE_PROTOCOL: "http",
        GITLAB_URL: gitlab.url,
        GITLAB_TOKEN: gitlab.token,
        GITLAB_WEBHOOK_SECRET,
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "trace",
        LOG_FORMAT: "json",
        PATH: process.env.PATH,
      },
      logDestination: stream,
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      const project = { id: gitlab.projectId, path: gitlab.projectPath, webUrl: gitlab.webUrl };
      const labeled = issueLabelsChanged({ project, user: alice, iid: 12, previous: [], current: ["factory"] });
      const good = await postGitLabWebhook(
        `${base}/api/gitlab/webhooks`,
        labeled,
        gitlabHeaders({ event: "Issue Hook", token: GITLAB_WEBHOOK_SECRET }),
      );
      const wrong = await postGitLabWebhook(
        `${base}/api/gitlab/webhooks`,
        labeled,
        gitlabHeaders({ event: "Issue Hook", token: `${GITLAB_WEBHOOK_SECRET}-wrong` }),
      );
      const signed = await postGitHubWebhook(`${base}/api/github/webhooks`, "issues", labeledPayload(github), {
        secret: WEBHOOK_SECRET,
        deliveryId: "d-signed",
      });
      const forged = await postGitHubWebhook(`${base}/api/github/webhooks`, "issues", labeledPayload(github), {
        secret: "not-the-secret",
        deliveryId: "d-forged",
      });
      expect([good.status, wrong.status, signed.status, forged.status]).toEqual([202, 401, 200, 400]);
      await server.jobs.drain();
    } finally {
      await server.stop();
      await Promise.all([github.stop(), gitlab.stop()]);
    }
    // The capture saw the access log, the deliveries and the forge calls (installation token in use).
    expect(lines.some((l) => l.includes("POST /api/gitlab/webhooks"))).toBe(true);
    expect(lines.some((l) => l.includes("d-signed"))).toBe(true);
    expect(github.requests.some((r) => r.path.includes("/issues/12"))).toBe(true);
    expect(gitlab.requests.length).toBeGreaterThan(0);
    const secrets = [
      WEBHOOK_SECRET,
      GITLAB_WEBHOOK_SECRET,
      gitlab.token,
      KEY_BODY_LINE,
      "ghs_faketoken000000000000000000000000",
    ];
    expect(leaks(lines, secrets)).toEqual([]);
  });

  it("the GitLab-only server", async () => {
    const gitlab = new FakeGitLab({ "README.md": "# widgets\n" });
    const alice = gitlab.addUser("alice", 30);
    await gitlab.start();
    const { lines, stream } = captured();
    const port = await freePort();
    const server = await startFactoryServer({
      env: {
        GITLAB_URL: gitlab.url,
        GITLAB_TOKEN: gitlab.token,
        GITLAB_WEBHOOK_SECRET,
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "trace",
        PATH: process.env.PATH,
      },
      logDestination: stream,
    });
    try {
      const project = { id: gitlab.projectId, path: gitlab.projectPath, webUrl: gitlab.webUrl };
      const labeled = issueLabelsChanged({ project, user: alice, iid: 12, previous: [], current: ["factory"] });
      const url = `http://127.0.0.1:${port}/api/gitlab/webhooks`;
      await postGitLabWebhook(url, labeled, gitlabHeaders({ event: "Issue Hook", token: GITLAB_WEBHOOK_SECRET }));
      await postGitLabWebhook(url, labeled, gitlabHeaders({ event: "Issue Hook", token: "guess" }));
      await server.jobs.drain();
    } finally {
      await server.stop();
      await gitlab.stop();
    }
    expect(lines.length).toBeGreaterThan(2);
    expect(leaks(lines, [GITLAB_WEBHOOK_SECRET, gitlab.token])).toEqual([]);
  });

  it("the Lambda HTTP function", async () => {
    const { lines, stream } = captured();
    const env: NodeJS.ProcessEnv = { WEBHOOK_SECRET, GITLAB_WEBHOOK_SECRET, LOG_LEVEL: "trace" };
    const logger = lambdaLogger(env, "http", stream);
    const sent: QueuedDelivery[] = [];
    const handler = createHttpHandler(httpDepsFromEnv(env, { send: async (d) => void sent.push(d) }, logger));
    const body = JSON.stringify(
      issueLabelsChanged({
        project: { id: 7, path: "acme/widgets", webUrl: "https://gitlab.example.com/acme/widgets" },
        user: { id: 5, username: "alice" },
        iid: 12,
        previous: [],
        current: ["factory"],
      }),
    );
    for (const token of [GITLAB_WEBHOOK_SECRET, "wrong"]) {
      const headers = gitlabHeaders({ event: "Issue Hook", token }) as Record<string, string>;
      await handler(functionUrlEvent({ path: "/api/gitlab/webhooks", headers, body }));
    }
    logger.info({ req: { headers: { "x-gitlab-token": GITLAB_WEBHOOK_SECRET } } }, "a line with headers");
    await new Promise((r) => setImmediate(r));
    expect(sent).toHaveLength(1);
    expect(lines.length).toBeGreaterThan(1);
    expect(leaks(lines, [GITLAB_WEBHOOK_SECRET, WEBHOOK_SECRET])).toEqual([]);
  });
});

describe("scrubCredentials", () => {
  it("censors configured secrets (raw and JSON-escaped), token shapes and PEM keys in any line", () => {
    const { lines, stream } = captured();
    const log = pino({ ...redactingLogOptions({ PRIVATE_KEY, GITLAB_TOKEN: "glpat-abcdefghijklmnopqrstu" }) }, stream);
    log.info({ err: { message: `bad key ${PRIVATE_KEY}` } }, "GitLab said glpat-abcdefghijklmnopqrstu");
    log.info({ authorization: "token ghs_0123456789abcdefghijABCDEFGHIJ012345" }, "octokit");
    expect(leaks(lines, [KEY_BODY_LINE, "glpat-abcdefghijklmnopqrstu", "ghs_0123456789abcdefghij"])).toEqual([]);
    expect(lines.join("\n")).toContain("[redacted]");
  });

  it("leaves ordinary text alone", () => {
    const line = '{"msg":"POST /api/github/webhooks 202 - 3ms","deliveryId":"d-1"}';
    expect(scrubCredentials(line)).toBe(line);
  });
});
