import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import type { FactoryConfig, TestSpec } from "../../src/config/types.js";
import type { Clock } from "../../src/core/deps.js";
import type { TaskSpec } from "../../src/core/task-runner.js";
import { makeConfig } from "../helpers/config.js";
import type { LogLine } from "../helpers/logger.js";

export interface ArchiveEntry {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "fifo" | "character-device";
  content?: string | Buffer;
  mode?: number;
  linkname?: string;
}

export const TOP = "octo-repo-0123abc";

/** A gzipped tarball as GitHub serves it: every entry under one top-level directory. */
export async function makeArchive(entries: ArchiveEntry[], options: { top?: string | null } = {}): Promise<Buffer> {
  const top = options.top === undefined ? TOP : options.top;
  const prefix = top === null ? "" : `${top}/`;
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<void>((resolve, reject) => {
    pack.on("data", (chunk) => chunks.push(chunk as Buffer));
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  if (top !== null) pack.entry({ name: `${top}/`, type: "directory", mode: 0o755 });
  for (const entry of entries) {
    const type = entry.type ?? "file";
    const name = entry.name.startsWith("/") ? entry.name : `${prefix}${entry.name}`;
    const header = {
      name,
      type,
      mode: entry.mode ?? (type === "directory" ? 0o755 : 0o644),
      ...(entry.linkname === undefined ? {} : { linkname: linkName(entry, prefix) }),
    };
    if (type === "file") pack.entry(header, entry.content ?? "");
    else pack.entry(header);
  }
  pack.finalize();
  await collected;
  return gzipSync(Buffer.concat(chunks));
}

/** Hard links name their target by archive path; symlinks keep their target text. */
function linkName(entry: ArchiveEntry, prefix: string): string {
  return entry.type === "link" ? `${prefix}${entry.linkname}` : (entry.linkname ?? "");
}

export function archiveSource(archive: Buffer): () => Promise<Readable> {
  return async () => Readable.from([archive]);
}

/** Messages the logger recorded at warn level. */
export function warnings(logger: { lines: LogLine[] }): (string | undefined)[] {
  return logger.lines.filter((line) => line.level === "warn").map((line) => line.msg);
}

/** Each reading is one second after the previous one, so durations are whole seconds. */
export function steppingClock(): Clock {
  let now = Date.parse("2025-01-01T00:00:00Z");
  return {
    now: () => {
      const date = new Date(now);
      now += 1000;
      return date;
    },
  };
}

export function testSpec(overrides: Partial<TestSpec> & Pick<TestSpec, "name" | "command">): TestSpec {
  return { path: ".", timeout_seconds: 60, paths: ["**"], ...overrides };
}

export function factoryConfig(overrides: {
  command: string | null;
  timeoutSeconds?: number;
  env?: Record<string, string>;
  tests?: TestSpec[];
}): FactoryConfig {
  return makeConfig({
    agent: { command: overrides.command, timeout_seconds: overrides.timeoutSeconds ?? 60, env: overrides.env ?? {} },
    tests: overrides.tests ?? [],
  });
}

export function taskSpec(config: FactoryConfig, overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    repoFullName: "octo/repo",
    issue: {
      number: 42,
      title: "Fix the widget",
      body: "The widget is broken.",
      url: "https://github.com/octo/repo/issues/42",
    },
    branch: "factory/42-fix-the-widget",
    base: "main",
    baseSha: "0123abc0123abc0123abc0123abc0123abc0123",
    attempt: 0,
    config,
    ...overrides,
  };
}

export async function temporaryDirectory(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), "factory-runner-test-"));
}

export async function removeDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

export async function readText(file: string): Promise<string> {
  return readFile(file, "utf8");
}

/** Whether a process still runs; a zombie (exited, not yet reaped) does not count. */
export async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
