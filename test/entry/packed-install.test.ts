import { spawn, execFile, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort, githubExample, postGitHubWebhook } from "../helpers/webhooks.js";

/**
 * What the Docker image does, without Docker: pack the project, install the tarball with
 * production dependencies only into an empty folder, and run the server from there. A module the
 * server needs that is only a devDependency (or missing from `files`) fails this test.
 */
const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const SECRET = "packed-webhook-secret";

/** Runs npm; a failure carries npm's and the build's own output, so a compile error reads as one. */
async function npm(args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args[0]} failed:\n${stdout.slice(-4000)}\n${stderr.slice(-2000)}`);
  }
}

/** Polls /healthz a bounded number of times while the server starts; the last answer or error is returned. */
async function healthz(url: string, server: ChildProcess): Promise<Response> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 200 && server.exitCode === null; attempt++) {
    try {
      return await fetch(url);
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`the server did not answer /healthz (exit code ${server.exitCode}): ${String(lastError)}`);
}

describe("the packed package, installed with production dependencies only", () => {
  let folder: string;
  let server: ChildProcess | undefined;
  let stderr = "";
  let base: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "factory-packed-"));
    // `npm pack` runs `prepare`, which builds dist/ from the sources.
    await npm(["pack", "--pack-destination", folder], root);
    const tarball = readdirSync(folder).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "packed-install-check", private: true }));
    await npm(["install", "--omit=dev", "--ignore-scripts", "--prefer-offline", join(folder, tarball)], folder);

    const port = await freePort();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    server = spawn(process.execPath, ["node_modules/factory-bot/dist/src/entry/server.js"], {
      cwd: folder,
      env: {
        PATH: process.env.PATH,
        APP_ID: "1",
        PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
        WEBHOOK_SECRET: SECRET,
        GHE_HOST: "127.0.0.1:9", // nothing listens there: the test never reaches a real host
        GHE_PROTOCOL: "http",
        HOST: "127.0.0.1",
        PORT: String(port),
        NODE_ENV: "production",
        LOG_LEVEL: "warn",
        LOG_FORMAT: "json",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    server.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    base = `http://127.0.0.1:${port}`;
  }, 300_000); // pack (a full build) and a production install: 107 s + 65 s measured on a loaded 2-core machine

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once("exit", r));
      server.kill("SIGTERM");
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it("serves /healthz", async () => {
    const res = await healthz(`${base}/healthz`, server!);
    expect({ status: res.status, stderr }).toMatchObject({ status: 200 });
    expect(await res.json()).toMatchObject({ status: "ok", version: expect.any(String), forges: { github: true } });
  });

  it("answers signed GitHub webhooks it ignores with 200 and refuses a forged one", async () => {
    await healthz(`${base}/healthz`, server!);
    const url = `${base}/api/github/webhooks`;
    const star = await postGitHubWebhook(url, "star", githubExample("star", "created"), {
      secret: SECRET,
      deliveryId: "packed-1",
    });
    expect(star.status).toBe(200);
    const forged = await postGitHubWebhook(url, "star", githubExample("star", "created"), {
      secret: "guess",
      deliveryId: "packed-2",
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
  });
});
