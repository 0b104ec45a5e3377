import { spawn, execFile, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
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
    // `npm start` as an operator would run it in the installed copy: it must not need a build tool.
    server = spawn("npm", ["start", "--silent"], {
      cwd: join(folder, "node_modules", "factory-bot"),
      detached: true, // its own process group: npm and the server stop together
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
    // A hang guard, not a speed check: packing builds dist/ with tsc and installing fetches ~110
    // packages, several minutes on a loaded 2-core machine.
  }, 300_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once("exit", r));
      process.kill(-server.pid!, "SIGTERM");
      await exited;
    }
    rmSync(folder, { recursive: true, force: true });
  });

  it("prints its version from the installed bin", async () => {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    const { stdout } = await run(join(folder, "node_modules", ".bin", "factory-bot"), ["--version"]);
    expect(stdout).toBe(`${version}\n`);
  });

  it("ships the license and the changelog", () => {
    const installed = readdirSync(join(folder, "node_modules", "factory-bot"));
    expect(installed).toEqual(expect.arrayContaining(["LICENSE", "CHANGELOG.md", "README.md", "dist"]));
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
