import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "./webhooks.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * One replica: the real server (`src/entry/server.ts`, as `npm start` runs it) in its own
 * process, so it can be killed with SIGKILL like a crashed container.
 */
export class Replica {
  #process: ChildProcess | null = null;
  port = 0;
  output = "";

  constructor(
    readonly name: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/entry/server.ts"], {
      cwd: ROOT,
      env: { ...this.env, PORT: String(this.port), HOST: "127.0.0.1", E2E_REPLICA: this.name },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    this.#process = child;
    child.stdout?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`replica ${this.name} exited: ${this.output}`);
      const health = await this.health().catch(() => null);
      // With REDIS_URL, ready once Redis answers it.
      if (health?.status === "ok" && (!this.env.REDIS_URL || health.redis === true)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`replica ${this.name} did not become ready: ${this.output}`);
  }

  async health(): Promise<{ status: string; redis?: boolean; ready?: boolean }> {
    const res = await fetch(`${this.url}/healthz`);
    return (await res.json()) as { status: string; redis?: boolean; ready?: boolean };
  }

  /** A crash: no shutdown, no hand-back; its agent processes are left to themselves. */
  kill(): void {
    this.#process?.kill("SIGKILL");
  }

  /** `docker stop`: SIGTERM, then the graceful shutdown. */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
  }

  get alive(): boolean {
    return this.#process !== null && this.#process.exitCode === null && this.#process.signalCode === null;
  }
}
