import { shutDown } from "../../src/entry/shutdown.js";
import { startFactoryServer } from "../../src/entry/server.js";
import { BackgroundJobs } from "../../src/entry/background-jobs.js";
import { TaskCancellation } from "../../src/core/cancellation.js";
import { recordingLogger } from "../helpers/logger.js";

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
      const { signal, done } = p.cancellation.register("acme/widgets#7");
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
