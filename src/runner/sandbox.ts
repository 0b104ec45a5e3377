import { spawn } from "node:child_process";
import { accessSync, constants as fsConstants, lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isInsideDirectory } from "./paths.js";
import type { TaskProcessTraits } from "./process-tree.js";

/**
 * The local runner's sandbox (FACTORY_SANDBOX): `bwrap` runs every agent and test command in a
 * bubblewrap sandbox, `none` runs them as the server's user with only process-tree clean-up.
 * docs/security.md describes what each one stops and what it does not.
 */
export type SandboxMode = "bwrap" | "none";

export interface SandboxSetting {
  /** What FACTORY_SANDBOX asked for; `default` when unset (bwrap where it is installed). */
  requested: SandboxMode | "default";
  /** The bubblewrap binary found on the server's PATH, or null when it is not installed. */
  bwrapPath: string | null;
}

/** bwrap: in a sandbox whose PID namespace dies with it; none: on the host, leftovers found through /proc. */
export type CommandSandbox =
  { mode: "bwrap"; bwrapPath: string; layout: SandboxLayout } | { mode: "none"; traits: TaskProcessTraits };

/** What the local runner knows of the sandbox before a task starts. */
export interface RunnerSandbox {
  mode: SandboxMode;
  /** Set when mode is bwrap. */
  bwrapPath: string | null;
  /** FACTORY_WORKDIR, hidden but for the task's own directories. */
  workdir: string;
  /** The server's environment (PATH, HOME, PRIVATE_KEY_PATH). */
  serverEnv: NodeJS.ProcessEnv;
}

export interface TaskDirectories {
  workspace: string;
  /** The task files' directory, outside the workspace; the private home is made in it. */
  filesDirectory: string;
  /** `agent.network`. */
  network: boolean;
  /** `NAME=value` only this task's processes carry (FACTORY_TASK_FILE, a fresh path per task). */
  marker: string | null;
}

/** The sandbox every command of one task runs in: the agent's and the tests' share the workspace and home. */
export async function taskSandbox(runner: RunnerSandbox, task: TaskDirectories): Promise<CommandSandbox> {
  const directories = [task.workspace, task.filesDirectory];
  if (runner.mode === "none") return { mode: "none", traits: { directories, marker: task.marker } };
  if (runner.bwrapPath === null) throw new Error(sandboxUnavailableMessage(BWRAP_MISSING_REASON));
  const home = path.join(task.filesDirectory, "home");
  await mkdir(home, { recursive: true });
  const layout = sandboxLayout({
    workspace: task.workspace,
    writable: [task.filesDirectory],
    home,
    network: task.network,
    serverEnv: runner.serverEnv,
    workdir: runner.workdir,
    serverCwd: process.cwd(),
  });
  return { mode: "bwrap", bwrapPath: runner.bwrapPath, layout };
}

/** One sandbox for one command: what it may see and write. Paths are absolute, as on the host. */
export interface SandboxLayout {
  /** The task's workspace, read-write. */
  workspace: string;
  /** Other read-write directories (the task files, the private home). */
  writable: string[];
  /** HOME inside the sandbox: a directory of this task only. */
  home: string;
  /** false gives the sandbox its own network namespace with only a loopback device. */
  network: boolean;
  /** Read-only host paths the commands need: the system directories and PATH. */
  readOnly: HostPath[];
  /** Server files inside a read-only path that must not be seen: covered by an empty file or directory. */
  hidden: HostPath[];
}

/** A host path as the sandbox builds it: a directory or file bound, or a symlink re-made. */
export type HostPath = { path: string; kind: "directory" | "file" } | { path: string; kind: "symlink"; target: string };

/** System directories bound read-only when they exist; never /home, /root, /run, /var or /srv. */
export const SYSTEM_PATHS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt"];

export const SANDBOX_TMP = "/tmp";

const PROBE_TIMEOUT_MS = 10_000;

/** Reads FACTORY_SANDBOX; throws an Error naming the variable when it is neither `bwrap` nor `none`. */
export function sandboxSettingFromEnv(env: NodeJS.ProcessEnv): SandboxSetting {
  const value = env.FACTORY_SANDBOX?.trim() ?? "";
  if (value !== "" && value !== "bwrap" && value !== "none") {
    throw new Error(`FACTORY_SANDBOX must be "bwrap" or "none", got "${env.FACTORY_SANDBOX}".`);
  }
  // Without PATH in `env`, Node's spawn looks commands up on the process's own PATH: so does this.
  return { requested: value === "" ? "default" : value, bwrapPath: findOnPath("bwrap", env.PATH ?? process.env.PATH) };
}

/** The mode tasks run in, or null when they must be refused (bubblewrap wanted but not installed). */
export function effectiveSandboxMode(setting: SandboxSetting): SandboxMode | null {
  if (setting.requested === "none") return "none";
  return setting.bwrapPath === null ? null : "bwrap";
}

const INSTALL_ADVICE =
  "Install bubblewrap on the server (Debian/Ubuntu: `apt-get install bubblewrap`; the factory-bot Docker image has it), " +
  "or set FACTORY_SANDBOX=none to run tasks without a sandbox (see docs/security.md for what that allows), " +
  "or run tasks on the repository's own CI with `runner: actions` (GitHub) or `runner: gitlab-ci` (GitLab) in .github/factory.yml.";

/** The task comment when the sandbox cannot be used: what happened, why, and the ways out. */
export function sandboxUnavailableMessage(reason: string): string {
  return (
    "This bot's local runner runs agents and tests only in a bubblewrap sandbox (FACTORY_SANDBOX), " +
    `and ${reason}, so the task was not run. Ask the bot's operator to fix it: ${INSTALL_ADVICE}`
  );
}

export const BWRAP_MISSING_REASON = "bubblewrap (`bwrap`) is not installed on the bot's server";

/**
 * bwrap's arguments for `file args` in `cwd` under `layout`: no capabilities; new user, PID, IPC, UTS and cgroup
 * namespaces with a fresh /proc (so no other process, and no process's environ, is visible),
 * the system read-only, a private /tmp, and the sandbox killed with the server. Pure: the
 * host is inspected by `sandboxLayout`.
 */
export function bwrapArguments(
  layout: SandboxLayout,
  command: { file: string; args: string[]; cwd: string },
): string[] {
  return [
    // Its own user namespace and no capabilities, also when the server runs as root: bwrap started
    // by root otherwise keeps root's capabilities, enough to unmount what covers a secret or to
    // remount the system read-write.
    "--unshare-user",
    "--cap-drop",
    "ALL",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    ...(layout.network ? [] : ["--unshare-net"]),
    "--die-with-parent",
    "--hostname",
    "factory-sandbox",
    ...layout.readOnly.flatMap(readOnlyArguments),
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--tmpfs",
    SANDBOX_TMP,
    ...layout.hidden.flatMap(hiddenArguments),
    // After /tmp and the hidden paths, so a workspace under FACTORY_WORKDIR (often /tmp) shows through.
    ...[layout.workspace, ...layout.writable].flatMap((directory) => ["--bind", directory, directory]),
    // The sandbox's root is a tmpfs holding only mount points: nothing to write there.
    "--remount-ro",
    "/",
    "--setenv",
    "HOME",
    layout.home,
    "--setenv",
    "TMPDIR",
    SANDBOX_TMP,
    "--chdir",
    command.cwd,
    "--",
    command.file,
    ...command.args,
  ];
}

function readOnlyArguments(entry: HostPath): string[] {
  if (entry.kind === "symlink") return ["--symlink", entry.target, entry.path];
  return ["--ro-bind", entry.path, entry.path];
}

function hiddenArguments(entry: HostPath): string[] {
  if (entry.kind === "directory") return ["--tmpfs", entry.path];
  // bwrap binds without device access (nodev): opening the covered file fails with EACCES.
  return ["--ro-bind", "/dev/null", entry.path];
}

export interface LayoutRequest {
  workspace: string;
  writable: string[];
  home: string;
  network: boolean;
  /** The server's environment: PATH, HOME, PRIVATE_KEY_PATH are read from it. */
  serverEnv: NodeJS.ProcessEnv;
  /** FACTORY_WORKDIR: every task's workspace; only this task's is shown. */
  workdir: string;
  /** The server's working directory, where its .env is read from. */
  serverCwd: string;
}

/**
 * Inspects the host for `bwrapArguments`: which system directories exist (and which are symlinks,
 * as /bin is on merged-/usr systems), PATH's directories (where the agent CLI is installed), the
 * resolver configuration, and which of the server's own files fall inside them and must be hidden.
 */
export function sandboxLayout(request: LayoutRequest): SandboxLayout {
  const candidates = [...SYSTEM_PATHS, ...pathDirectories(request.serverEnv.PATH), ...resolverTargets()];
  const readOnly = withoutNested(candidates.map(describeHostPath).filter((entry) => entry !== null));
  const secrets = [
    request.serverEnv.PRIVATE_KEY_PATH === undefined || request.serverEnv.PRIVATE_KEY_PATH === ""
      ? null
      : path.resolve(request.serverCwd, request.serverEnv.PRIVATE_KEY_PATH),
    path.join(request.serverCwd, ".env"),
    request.workdir,
    request.serverEnv.HOME ?? null,
  ];
  const bound = readOnly.filter((entry) => entry.kind !== "symlink").map((entry) => entry.path);
  const hidden = secrets
    .filter((secret) => secret !== null && secret !== "")
    .flatMap((secret) => hiddenPath(secret as string, bound));
  return {
    workspace: request.workspace,
    writable: request.writable,
    home: request.home,
    network: request.network,
    readOnly,
    hidden: withoutNested(hidden),
  };
}

/** A secret inside a bound directory (strictly: never the directory itself) is covered; one outside is not there at all. */
function hiddenPath(secret: string, bound: string[]): HostPath[] {
  const resolved = realpathOrNull(secret);
  return [...new Set([secret, resolved ?? secret])]
    .filter((candidate) => bound.some((root) => candidate !== root && isInsideDirectory(root, candidate)))
    .flatMap((candidate) => {
      const described = describeHostPath(candidate);
      if (described === null) return [];
      // Covering a symlink would cover its target; cover what it resolves to instead (added above).
      return described.kind === "symlink" ? [] : [described];
    });
}

function describeHostPath(candidate: string): HostPath | null {
  try {
    const stats = lstatSync(candidate);
    if (stats.isSymbolicLink()) {
      // Only a symlink to a directory that is bound too works in the sandbox; /bin -> usr/bin is one.
      statSync(candidate);
      return { path: candidate, kind: "symlink", target: readlinkSync(candidate) };
    }
    return { path: candidate, kind: stats.isDirectory() ? "directory" : "file" };
  } catch {
    return null;
  }
}

/** Keeps the outermost of nested paths (binding /usr already shows /usr/local/bin). */
function withoutNested(entries: HostPath[]): HostPath[] {
  const unique = [...new Map(entries.map((entry) => [entry.path, entry])).values()];
  return unique.filter(
    (entry) =>
      !unique.some(
        (other) => other !== entry && other.kind === "directory" && isInsideDirectory(other.path, entry.path),
      ),
  );
}

/** PATH's absolute directories, resolved: the agent CLI may be installed anywhere on it. */
function pathDirectories(pathValue: string | undefined): string[] {
  return (pathValue ?? "")
    .split(":")
    .filter((entry) => path.isAbsolute(entry) && path.resolve(entry) !== "/")
    .map((entry) => realpathOrNull(entry))
    .filter((entry): entry is string => entry !== null && entry !== "/");
}

/** /etc/resolv.conf is often a symlink into /run (systemd-resolved); its target must be bound for DNS. */
function resolverTargets(): string[] {
  const target = realpathOrNull("/etc/resolv.conf");
  return target === null || isInsideDirectory("/etc", target) ? [] : [target];
}

function realpathOrNull(candidate: string): string | null {
  try {
    return realpathSync(candidate);
  } catch {
    return null;
  }
}

/** The first executable `name` on PATH, or null. */
export function findOnPath(name: string, pathValue: string | undefined): string | null {
  for (const directory of (pathValue ?? "").split(":")) {
    if (!path.isAbsolute(directory)) continue;
    const candidate = path.join(directory, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; the next directory.
    }
  }
  return null;
}

export type SandboxProbe = { ok: true } | { ok: false; reason: string };

/**
 * Runs `true` through the sandbox as tasks use it, network off included: bubblewrap can be
 * installed and still refused by the host (Docker's default seccomp profile, user namespaces
 * turned off).
 */
export async function probeSandbox(bwrapPath: string, env: NodeJS.ProcessEnv): Promise<SandboxProbe> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "factory-sandbox-probe-"));
  try {
    const layout = sandboxLayout({
      workspace: scratch,
      writable: [],
      home: scratch,
      network: false,
      serverEnv: env,
      workdir: scratch,
      serverCwd: process.cwd(),
    });
    return await runProbe(bwrapPath, bwrapArguments(layout, { file: "true", args: [], cwd: scratch }), env);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function runProbe(bwrapPath: string, args: string[], env: NodeJS.ProcessEnv): Promise<SandboxProbe> {
  return new Promise((resolve) => {
    const child = spawn(bwrapPath, args, {
      env: { PATH: env.PATH ?? "/usr/bin:/bin" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), PROBE_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `bubblewrap could not be started: ${error.message}` });
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true });
      else resolve({ ok: false, reason: `bubblewrap fails on this host (${probeFailure(code, signal, stderr)})` });
    });
  });
}

function probeFailure(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const said = stderr.trim().split("\n").slice(-3).join(" ");
  const status = code === null ? `killed by ${signal}` : `exit code ${code}`;
  return said === "" ? status : `${status}: ${said}`;
}
