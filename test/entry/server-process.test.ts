import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { logCapture } from "../helpers/log-capture.js";
import { freePort } from "../helpers/webhooks.js";

const SERVER = fileURLToPath(new URL("../../src/entry/server.ts", import.meta.url));

describe("the server process's stdout (npm start)", () => {
  it("is JSON lines with unique keys from start to SIGTERM, the shutdown line included", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", SERVER], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GITLAB_URL: "http://127.0.0.1:9",
        GITLAB_TOKEN: "t",
        GITLAB_WEBHOOK_SECRET: "s",
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_FORMAT: "json",
        FACTORY_SHUTDOWN_SECONDS: "1",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const log = logCapture();
    child.stdout.pipe(log.destination);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        if (String(chunk).includes("listening")) resolve();
      });
      void exited.then((code) => reject(new Error(`the server exited with ${code} before listening`)));
    });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);

    const records = log.records();
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining(["factory-bot listening (GitLab only)", "SIGTERM: stopping factory-bot"]),
    );
    expect(records.find((r) => r.name === "http")).toMatchObject({ req: { method: "GET", url: "/healthz" } });
  });
});
