import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BackgroundJobs, inBackground } from "../../src/entry/background-jobs.js";
import { createGitLabApi, gitlabSettingsFromEnv, normalizeGitLabUrl } from "../../src/gitlab/client.js";
import { gitlabNodeHandler, type GitLabWebhookDeps } from "../../src/gitlab/node-handler.js";
import { RecentKeys } from "../../src/gitlab/recent-keys.js";
import { fixedClock, recordingLogger } from "../helpers/logger.js";
import { gitlabHeaders, gitlabPayload, postGitLabWebhook } from "./helpers.js";

const SECRET = "s3cret";

describe("gitlabNodeHandler", () => {
  let server: Server;
  let base: string;
  let botLookups = 0;
  const logger = recordingLogger();

  beforeAll(async () => {
    const jobs = new BackgroundJobs(logger);
    const deps: GitLabWebhookDeps = {
      webhookSecret: SECRET,
      api: createGitLabApi({ url: "http://127.0.0.1:9", token: "t" }),
      deliver: inBackground(jobs, {
        runner: { run: async () => ({ kind: "refused", message: "not in this test" }) },
        clock: fixedClock(),
      }),
      logger,
      botUser: async () => {
        botLookups++;
        return { id: 1, username: "bot" };
      },
      recentDeliveries: new RecentKeys({ capacity: 10, ttlMs: 1000, clock: fixedClock() }),
    };
    const handler = gitlabNodeHandler(deps);
    server = createServer((req, res) => {
      void Promise.resolve(handler(req, res)).then((handled) => {
        if (!handled) res.writeHead(404).end("not mine");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const url = () => `${base}/api/gitlab/webhooks`;

  it("answers POSTs at /api/gitlab/webhooks and leaves other paths to the next handler", async () => {
    const ok = await postGitLabWebhook(
      url(),
      gitlabPayload("push"),
      gitlabHeaders({ event: "Push Hook", token: SECRET }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "ignored" });
    const other = await fetch(`${base}/api/github/webhooks`, { method: "POST", body: "{}" });
    expect([other.status, await other.text()]).toEqual([404, "not mine"]);
  });

  it("allows only POST", async () => {
    const res = await fetch(url());
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("checks the token before reading the body: a stranger's oversized body gets 401, not 413", async () => {
    const huge = "x".repeat(26 * 1024 * 1024);
    const stranger = await postGitLabWebhook(url(), huge, gitlabHeaders({ event: "Push Hook", token: "guess" }));
    expect(stranger.status).toBe(401);
    const refusals = logger.lines.filter(
      (l) => l.msg === "refused a GitLab delivery: X-Gitlab-Token is missing or wrong",
    );
    expect(refusals).toEqual([expect.objectContaining({ level: "warn", event: "Push Hook" })]);
    expect(JSON.stringify(logger.lines)).not.toContain("guess");
    const member = await postGitLabWebhook(url(), huge, gitlabHeaders({ event: "Push Hook", token: SECRET }));
    expect(member.status).toBe(413);
    expect(botLookups).toBe(0);
  });
});

describe("GitLab settings from the environment", () => {
  it("is off when neither token nor secret is set, whatever GITLAB_URL says", () => {
    expect(gitlabSettingsFromEnv({})).toBeNull();
    expect(gitlabSettingsFromEnv({ GITLAB_URL: "https://git.example.com" })).toBeNull();
  });

  it("defaults to gitlab.com and refuses half a configuration", () => {
    expect(gitlabSettingsFromEnv({ GITLAB_TOKEN: "t", GITLAB_WEBHOOK_SECRET: "s" })).toEqual({
      url: "https://gitlab.com",
      token: "t",
      webhookSecret: "s",
    });
    expect(() => gitlabSettingsFromEnv({ GITLAB_TOKEN: "t" })).toThrow(/GITLAB_WEBHOOK_SECRET is not/);
    expect(() => gitlabSettingsFromEnv({ GITLAB_WEBHOOK_SECRET: "s" })).toThrow(/GITLAB_TOKEN is not/);
  });

  it("keeps a self-managed path prefix and drops trailing slashes", () => {
    expect(normalizeGitLabUrl("https://git.example.com/gitlab/")).toBe("https://git.example.com/gitlab");
    expect(normalizeGitLabUrl("https://gitlab.example.com")).toBe("https://gitlab.example.com");
    expect(() => normalizeGitLabUrl("git.example.com")).toThrow(/not a URL/);
    expect(() => normalizeGitLabUrl("ftp://git.example.com")).toThrow(/http/);
  });
});
