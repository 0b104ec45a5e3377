import type { Dirent } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { isIgnored, parseGitignore, type IgnoreRule } from "./gitignore.js";

export interface TreeEntry {
  /** POSIX relative path. */
  path: string;
  absolute: string;
  kind: "file" | "symlink";
}

/** Paths the walk must report even where `.gitignore` says otherwise: git never ignores tracked files. */
interface Tracked {
  has(relativePath: string): boolean;
  holds(directory: string): boolean;
}

const MAX_GITIGNORE_BYTES = 1024 * 1024;

/**
 * Files and symlinks under `root`, skipping every `.git` directory, and untracked paths that the
 * tree's own `.gitignore` files exclude (so `node_modules/` or build output of an agent's
 * `npm install` never reach a ChangeSet). Sockets, FIFOs and devices carry no content and are skipped.
 */
export async function* walkWorkspace(root: string, tracked: ReadonlyMap<string, unknown>): AsyncGenerator<TreeEntry> {
  yield* walkDirectory(root, "", [], false, trackedPaths(tracked));
}

async function* walkDirectory(
  root: string,
  directory: string,
  inheritedRules: readonly IgnoreRule[],
  directoryIgnored: boolean,
  tracked: Tracked,
): AsyncGenerator<TreeEntry> {
  const absoluteDirectory = path.join(root, directory);
  const entries = (await readdir(absoluteDirectory, { withFileTypes: true })).sort(byName);
  const rules = [...inheritedRules, ...(await readGitignore(absoluteDirectory, directory, entries))];
  for (const entry of entries) {
    if (entry.name === ".git") continue;
    const relative = directory === "" ? entry.name : `${directory}/${entry.name}`;
    if (entry.isDirectory()) {
      const ignored = directoryIgnored || isIgnored(rules, relative, true);
      if (!ignored || tracked.holds(relative)) yield* walkDirectory(root, relative, rules, ignored, tracked);
      continue;
    }
    const kind = entry.isSymbolicLink() ? "symlink" : entry.isFile() ? "file" : null;
    if (kind === null) continue;
    const ignored = directoryIgnored || isIgnored(rules, relative, false);
    if (!ignored || tracked.has(relative)) yield { path: relative, absolute: path.join(root, relative), kind };
  }
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

async function readGitignore(absoluteDirectory: string, directory: string, entries: Dirent[]): Promise<IgnoreRule[]> {
  if (!entries.some((entry) => entry.name === ".gitignore" && entry.isFile())) return [];
  const file = path.join(absoluteDirectory, ".gitignore");
  // An absurdly large .gitignore is not worth the memory; git itself has a similar cap.
  if ((await lstat(file)).size > MAX_GITIGNORE_BYTES) return [];
  return parseGitignore(await readFile(file, "utf8"), directory);
}

function trackedPaths(manifest: ReadonlyMap<string, unknown>): Tracked {
  const directories = new Set<string>();
  for (const file of manifest.keys()) {
    for (let slash = file.indexOf("/"); slash !== -1; slash = file.indexOf("/", slash + 1)) {
      directories.add(file.slice(0, slash));
    }
  }
  return { has: (relative) => manifest.has(relative), holds: (directory) => directories.has(directory) };
}
