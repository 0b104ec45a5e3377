import { readdir, readFile, readlink } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { isInsideDirectory } from "./paths.js";

/**
 * Without a sandbox (FACTORY_SANDBOX=none) a process that calls setsid leaves our process group,
 * and once its parent exits nothing links it to the task. This finds a task's processes through
 * /proc by three traits: descended from the command (watched while it runs), working directory
 * inside the task's directories, or the task's marker variable in its environment. A process that
 * drops all three (double-fork, chdir elsewhere, exec with a clean environment) escapes: only the
 * bwrap sandbox's PID namespace stops that (docs/security.md).
 */
export interface TaskProcessTraits {
  /** A process whose working directory is inside one of these belongs to the task. */
  directories: string[];
  /** `NAME=value` in a process's initial environment that only the task's processes carry. */
  marker: string | null;
}

interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process even after pid reuse. */
  startTime: string;
}

const WATCH_INTERVAL_MS = 250;
/** Rounds of stop-and-rescan before the final SIGKILL: each catches what forked during the last. */
const FREEZE_ROUNDS = 5;

export class ProcessTreeSweeper {
  private readonly known = new Map<number, string>();
  private watching: NodeJS.Timeout | undefined;

  constructor(
    private readonly rootPid: number,
    private readonly traits: TaskProcessTraits,
  ) {}

  /** Remembers the command's descendants while it runs, so a setsid'd child is known before its parent exits. */
  watch(): void {
    const poll = () => {
      void this.collectDescendants().finally(() => {
        if (this.watching !== undefined) this.watching = setTimeout(poll, WATCH_INTERVAL_MS);
      });
    };
    this.watching = setTimeout(poll, 0);
  }

  /**
   * Stops every process of the task that is still there (SIGSTOP, so none can fork while the rest
   * are found), then kills them. Returns the pids killed.
   */
  async sweep(): Promise<number[]> {
    clearTimeout(this.watching);
    this.watching = undefined;
    const stopped = new Map<number, string>();
    for (let round = 0; round < FREEZE_ROUNDS; round += 1) {
      const entries = await listProcesses();
      this.addDescendants(entries);
      const found = (await this.members(entries)).filter((entry) => stopped.get(entry.pid) !== entry.startTime);
      if (found.length === 0) break;
      for (const entry of found) {
        if (signal(entry.pid, "SIGSTOP")) stopped.set(entry.pid, entry.startTime);
      }
    }
    const killed: number[] = [];
    for (const [pid, startTime] of stopped) {
      // Checked again right before the kill: the pid must still name the process that was stopped.
      if ((await readEntry(pid))?.startTime === startTime && signal(pid, "SIGKILL")) killed.push(pid);
    }
    if (killed.length > 0) await delay(0);
    return killed;
  }

  dispose(): void {
    clearTimeout(this.watching);
    this.watching = undefined;
  }

  private async collectDescendants(): Promise<void> {
    this.addDescendants(await listProcesses());
  }

  private addDescendants(entries: ProcessEntry[]): void {
    const root = entries.find((entry) => entry.pid === this.rootPid);
    if (root !== undefined) this.known.set(root.pid, root.startTime);
    let added = true;
    while (added) {
      added = false;
      for (const entry of entries) {
        if (!this.known.has(entry.pid) && this.known.has(entry.ppid)) {
          this.known.set(entry.pid, entry.startTime);
          added = true;
        }
      }
    }
  }

  private async members(entries: ProcessEntry[]): Promise<ProcessEntry[]> {
    const others = entries.filter((entry) => entry.pid !== process.pid);
    const belongs = await Promise.all(
      others.map(async (entry) => this.known.get(entry.pid) === entry.startTime || (await this.hasTraits(entry.pid))),
    );
    return others.filter((_, index) => belongs[index]);
  }

  private async hasTraits(pid: number): Promise<boolean> {
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => null);
    if (cwd !== null && this.traits.directories.some((directory) => isInsideDirectory(directory, cwd))) return true;
    if (this.traits.marker === null) return false;
    const environ = await readFile(`/proc/${pid}/environ`).catch(() => null);
    return environ !== null && environ.toString("utf8").split("\0").includes(this.traits.marker);
  }
}

/** Every process this user may see in /proc (an empty list where there is no /proc). */
export async function listProcesses(): Promise<ProcessEntry[]> {
  const names = await readdir("/proc").catch(() => [] as string[]);
  const entries = await Promise.all(
    names.filter((name) => /^[0-9]+$/.test(name)).map((name) => readEntry(Number(name))),
  );
  return entries.filter((entry): entry is ProcessEntry => entry !== null);
}

async function readEntry(pid: number): Promise<ProcessEntry | null> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (stat === null) return null;
  // The command name (field 2) may hold spaces and parentheses: the fields after it start at the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is the state (field 3); ppid is field 4 and starttime field 22.
  const ppid = Number(fields[1]);
  const startTime = fields[19];
  if (startTime === undefined || !Number.isInteger(ppid) || fields[0] === "Z") return null;
  return { pid, ppid, startTime };
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}
