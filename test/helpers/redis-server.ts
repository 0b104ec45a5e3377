import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { freePort } from "./webhooks.js";

/**
 * A real `redis-server` (Debian package `redis-server`; `.ci/run` installs it) on a free loopback
 * port, without persistence: restarting it brings Redis back empty, as a lost Redis would.
 */
export class RedisServer {
  #process: ChildProcess | null = null;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (spawnSync("redis-server", ["--version"]).error)
      throw new Error("redis-server is not installed: apt-get install -y redis-server (.ci/run does it)");
    if (this.port === 0) this.port = await freePort();
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.#process = child;
    await new Promise<void>((resolve, reject) => {
      let output = "";
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          child.stdout?.off("data", onData);
          resolve();
        }
      };
      child.stdout?.on("data", onData);
      child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
    child.stdout?.resume();
    child.stderr?.resume();
  }

  /** Stops the server (its data is gone: it keeps none). */
  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }
}
