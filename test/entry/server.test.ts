import { generateKeyPairSync } from "node:crypto";
import { shutDown } from "../../src/entry/shutdown.js";
import { startFactoryServer } from "../../src/entry/server.js";
import { BackgroundJobs } from "../../src/entry/background-jobs.js";
import { TaskCancellation } from "../../src/core/cancellation.js";
import { recordingLogger } from "../helpers/logger.js";
import { FakeGitHub } from "../helpers/fake-github-server.js";
import { labeledPayload } from "../helpers/github-e2e.js";
import { freePort, postGitHubWebhook } from "../helpers/webhooks.js";

function parts() {
  const logger = recordingLogger();
  const jobs = new BackgroundJobs(logger);
  const cancellation = new TaskCancellation();
  const events: string[] = [];
  return { logger, jobs, cancellation, events, stopAccepting: async () => void events.push("stopped accepting") };
}

describe("graceful shutdown", () => {
  it("stops accepting first and lets finished work end without aborting anything", async () => {
    const p = parts();
    p.jobs.start("quick", async () => void p.events.push("quick job done"));
    await shutDown(p, 5_000);
    expect(p.events).toEqual(["stopped accepting", "quick job done"]);
    expect(p.logger.lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("aborts tasks still running after the grace period, so they can mark themselves failed", async () => {
    const p = parts();
    p.jobs.start("task", async () => {
      const { signal, started, done } = p.cancellation.register("acme/widgets#7");
      started();
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      p.events.push(`task saw: ${(signal.reason as Error).message}`);
      done();
    });
    await shutDown(p, 10);
    expect(p.events).toEqual(["stopped accepting", "task saw: the server shut down"]);
    expect(p.jobs.size).toBe(0);
  });
});

describe("start-up checks", () => {
  it.each([
    [
      { APP_ID: "1", PRIVATE_KEY: "garbage", WEBHOOK_SECRET: "s" },
      /private key cannot be used: The contents of "env.PRIVATE_KEY" could not be validated/,
    ],
    [
      { APP_ID: "1", PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----" },
      /WEBHOOK_SECRET is not set/,
    ],
  ])("refuses GitHub credentials Probot would work around: %j", async (env, message) => {
    await expect(
      startFactoryServer({ env: { ...env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "silent" } }),
    ).rejects.toThrow(message);
  });
});

describe("the GitHub webhook route", () => {
  const WEBHOOK_SECRET = "gh-secret-malformed-3c9e";
  const PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();

  it("answers 400 to signed JSON that is not a webhook object, or whose installation id is not a number, and keeps serving", async () => {
    const github = new FakeGitHub({ "README.md": "# widgets\n" });
    github.permissions.set("alice", "write");
    await github.start();
    const port = await freePort();
    const server = await startFactoryServer({
      env: {
        APP_ID: "1",
        PRIVATE_KEY,
        WEBHOOK_SECRET,
        GHE_HOST: github.host,
        GHE_PROTOCOL: "http",
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "silent",
        PATH: process.env.PATH,
      },
    });
    const url = `http://127.0.0.1:${port}/api/github/webhooks`;
    const post = (payload: unknown, deliveryId: string) =>
      postGitHubWebhook(url, "issues", payload, { secret: WEBHOOK_SECRET, deliveryId });
    try {
      const badInstallation = { ...labeledPayload(github), installation: { id: "42; DROP" } };
      const malformed = [[], "x", 1, null, true, badInstallation, { ...labeledPayload(github), installation: [] }];
      const answers = [];
      for (const [i, payload] of malformed.entries()) {
        const res = await post(payload, `d-bad-${i}`);
        answers.push({ status: res.status, body: await res.text() });
      }
      expect(answers.map((a) => a.status)).toEqual(malformed.map(() => 400));
      expect(answers[0]!.body).toContain("not a JSON object");
      expect(answers[5]!.body).toContain("installation.id");
      // A forged body is still refused for its signature, before its shape is looked at.
      const forged = await postGitHubWebhook(url, "issues", [], { secret: "not-the-secret", deliveryId: "d-forged" });
      expect(forged.status).toBe(400);
      expect(await forged.text()).toContain("signature");
      const good = await post(labeledPayload(github), "d-good");
      expect(good.status).toBe(200);
      await server.jobs.drain();
      expect(github.requests.some((r) => r.path.includes("/issues/12"))).toBe(true);
    } finally {
      await server.stop();
      await github.stop();
    }
  });
});
