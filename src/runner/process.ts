import { spawn, type ChildProcess } from "node:child_process";
import { constants as osConstants } from "node:os";
import { setTimeout as delay } from "node:timers/promises";
import type { Clock } from "../core/deps.js";
import { redactSecrets } from "../summarize/redact.js";
import { ProcessTreeSweeper } from "./process-tree.js";
import { bwrapArguments, type CommandSandbox } from "./sandbox.js";

export interface ProcessRequest {
  file: string;
  args: string[];
  cwd: string;
  /** The whole environment of the process: nothing is inherited from the server. */
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  clock: Clock;
  /** Time between SIGTERM and SIGKILL when the process group is stopped. */
  killGraceMs: number;
  /** Where an agent or test command runs; absent: as the server's user, its process group cleaned up. */
  sandbox?: CommandSandbox;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  /** Last lines of stdout and stderr, interleaved as they came, secrets redacted. */
  outputTail: string;
  /** The last 64 KiB of that output, secrets redacted: what the summarizer reads. */
  output: string;
}

const OUTPUT_BUFFER_BYTES = 64 * 1024;
const OUTPUT_TAIL_LINES = 40;
/** setTimeout fires at once beyond this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** After SIGKILL, how long to wait for a process that escaped the group but still holds our pipes. */
const PIPE_RELEASE_MS = 1000;
const SETTLE_POLL_MS = 20;

/** `sh -c command`, the way repository config commands run. */
export function runShellCommand(
  command: string,
  request: Omit<ProcessRequest, "file" | "args">,
): Promise<ProcessOutcome> {
  return runProcess({ ...request, file: "/bin/sh", args: ["-c", command] });
}

/**
 * Runs a process as the leader of its own process group, so a timeout or an abort stops
 * everything it started (SIGTERM, then SIGKILL after a grace period), and so do its leftovers once
 * it exits: nothing an agent starts outlives its task. In a bwrap sandbox the process is bwrap,
 * and its PID namespace takes every process of the command with it, setsid'd ones included;
 * without one, a sweep of /proc finds what left the group. Rejects only when the process cannot start.
 */
export async function runProcess(request: ProcessRequest): Promise<ProcessOutcome> {
  const started = request.clock.now().getTime();
  const { file, args } = sandboxed(request);
  const child = spawn(file, args, {
    cwd: request.cwd,
    env: request.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const sweeper = leftoverSweeper(request.sandbox, child);
  const output = new OutputBuffer(OUTPUT_BUFFER_BYTES);
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
  const group = new ProcessGroup(child, request.killGraceMs, request.sandbox?.mode === "bwrap");
  const stops = { timedOut: false, aborted: false };
  const timer = setTimeout(
    () => {
      stops.timedOut = true;
      group.stop();
    },
    Math.min(Math.max(request.timeoutMs, 0), MAX_TIMER_MS),
  );
  const onAbort = () => {
    stops.aborted = true;
    group.stop();
  };
  if (request.signal?.aborted) onAbort();
  request.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const { code, signal } = await closed(child, () => group.stop());
    await group.settle();
    await sweeper?.sweep();
    const redacted = redactSecrets(output.contents().toString());
    return {
      exitCode: code,
      signal,
      ...stops,
      durationMs: request.clock.now().getTime() - started,
      outputTail: formatOutputTail(redacted),
      output: redacted,
    };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", onAbort);
    group.dispose();
    sweeper?.dispose();
  }
}

function sandboxed(request: ProcessRequest): { file: string; args: string[] } {
  const sandbox = request.sandbox;
  if (sandbox?.mode !== "bwrap") return { file: request.file, args: request.args };
  const args = bwrapArguments(sandbox.layout, { file: request.file, args: request.args, cwd: request.cwd });
  return { file: sandbox.bwrapPath, args };
}

function leftoverSweeper(sandbox: CommandSandbox | undefined, child: ChildProcess): ProcessTreeSweeper | null {
  if (sandbox?.mode !== "none" || child.pid === undefined) return null;
  const sweeper = new ProcessTreeSweeper(child.pid, sandbox.traits);
  sweeper.watch();
  return sweeper;
}

/** Redacted last lines: redaction runs on the whole buffer so a secret cut by the line limit is still found. */
export function formatOutputTail(output: Buffer | string): string {
  const text = redactSecrets(output.toString()).replace(/\s+$/, "");
  return text.split("\n").slice(-OUTPUT_TAIL_LINES).join("\n");
}

/** Shell convention for a process killed by a signal: 128 + the signal's number. */
export function shellExitCode(outcome: Pick<ProcessOutcome, "exitCode" | "signal">): number {
  if (outcome.exitCode !== null) return outcome.exitCode;
  const number = outcome.signal === null ? undefined : osConstants.signals[outcome.signal];
  return 128 + (number ?? 0);
}

function closed(
  child: ChildProcess,
  onExit: () => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    // The leader is gone: stop whatever it left running in its group.
    child.once("exit", onExit);
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}

/** Keeps the last `capacity` bytes of output. */
class OutputBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly capacity: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.capacity) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }

  contents(): Buffer {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.capacity));
  }
}

class ProcessGroup {
  private stopping = false;
  private sigkillSent = false;
  private killTimer: NodeJS.Timeout | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly graceMs: number,
    /**
     * bwrap: once bwrap itself is gone, the kernel ends its PID namespace (--die-with-parent), so
     * the group counts as alive only while bwrap is. Its init can stay a zombie in the group
     * until the host's init reaps it, which must not hold the task up.
     */
    private readonly contained = false,
  ) {}

  /** SIGTERM to the whole group now, SIGKILL after the grace period if anything is left. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.send("SIGTERM");
    if (!this.alive()) return this.releasePipesSoon();
    this.killTimer = setTimeout(() => {
      this.send("SIGKILL");
      this.sigkillSent = true;
      this.releasePipesSoon();
    }, this.graceMs);
  }

  /** Returns once nothing of the group is left running, or it has been sent SIGKILL. */
  async settle(): Promise<void> {
    if (!this.alive()) return;
    this.stop();
    while (this.alive() && !this.sigkillSent) await delay(SETTLE_POLL_MS);
  }

  dispose(): void {
    clearTimeout(this.killTimer);
    clearTimeout(this.releaseTimer);
  }

  /** A process that left the group (setsid) may still hold the pipes; stop waiting for it. */
  private releasePipesSoon(): void {
    this.releaseTimer = setTimeout(() => {
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
    }, PIPE_RELEASE_MS);
  }

  private alive(): boolean {
    if (this.contained) return this.child.exitCode === null && this.child.signalCode === null;
    return this.send(0);
  }

  private send(signal: NodeJS.Signals | 0): boolean {
    if (this.child.pid === undefined) return false;
    try {
      // A negative pid addresses the process group the detached child leads.
      process.kill(-this.child.pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}
