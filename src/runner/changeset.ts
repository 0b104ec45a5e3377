import { isUtf8 } from "node:buffer";
import { lstat, readFile, readlink } from "node:fs/promises";
import type { ChangeSetFile } from "../core/changeset.js";
import { TaskFailedError } from "./errors.js";
import { formatBytes } from "./limits.js";
import { fileModeOf, sha256OfFile, type BaseManifest, type FileMode, type ManifestEntry } from "./manifest.js";
import { symlinkResolvesInside } from "./paths.js";
import { walkWorkspace, type TreeEntry } from "./tree.js";

/**
 * What changed in `root` since `base`, as ChangeSet files sorted by path. Unchanged symlinks are
 * fine; a new or changed symlink fails the task, since ChangeSet v1 has no symlink mode (and one
 * pointing outside the repository is refused in any case).
 */
export async function collectChanges(root: string, base: BaseManifest, maxBytes: number): Promise<ChangeSetFile[]> {
  const budget = new ContentBudget(maxBytes);
  const files: ChangeSetFile[] = [];
  const present = new Set<string>();
  for await (const entry of walkWorkspace(root, base)) {
    present.add(entry.path);
    const change = await changeOf(root, entry, base.get(entry.path), budget);
    if (change !== null) files.push(change);
  }
  for (const path of base.keys()) {
    if (!present.has(path)) files.push({ path, action: "delete", mode: "", encoding: "utf8", content: "" });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function changeOf(
  root: string,
  entry: TreeEntry,
  before: ManifestEntry | undefined,
  budget: ContentBudget,
): Promise<ChangeSetFile | null> {
  if (entry.kind === "symlink") {
    await refuseChangedSymlink(root, entry, before);
    return null;
  }
  const stats = await lstat(entry.absolute);
  const mode = fileModeOf(stats.mode);
  if (before?.kind === "file" && (await unchanged(entry, before, mode, stats.size))) return null;
  budget.spend(stats.size, entry.path);
  const content = await readFile(entry.absolute);
  return {
    path: entry.path,
    action: before === undefined ? "create" : "update",
    mode,
    ...encode(content),
  };
}

async function unchanged(
  entry: TreeEntry,
  before: Extract<ManifestEntry, { kind: "file" }>,
  mode: FileMode,
  size: number,
): Promise<boolean> {
  return before.mode === mode && before.size === size && (await sha256OfFile(entry.absolute)) === before.sha256;
}

async function refuseChangedSymlink(root: string, entry: TreeEntry, before: ManifestEntry | undefined): Promise<void> {
  const target = await readlink(entry.absolute);
  if (before?.kind === "symlink" && before.target === target) return;
  const described = `${JSON.stringify(entry.path)} -> ${JSON.stringify(target)}`;
  if (!(await symlinkResolvesInside(root, entry.path, target))) {
    throw new TaskFailedError(
      `The agent made a symlink ${described} that points outside the repository; nothing was pushed.`,
    );
  }
  throw new TaskFailedError(
    `The agent made or changed the symlink ${described}; the runner cannot commit symlinks, so nothing was pushed. ` +
      "Replace it with a file, or add it to .gitignore if it is a build artifact.",
  );
}

/** UTF-8 text stays readable in the ChangeSet; anything with a NUL byte or invalid UTF-8 is binary. */
function encode(content: Buffer): Pick<ChangeSetFile, "encoding" | "content"> {
  if (!content.includes(0) && isUtf8(content)) return { encoding: "utf8", content: content.toString("utf8") };
  return { encoding: "base64", content: content.toString("base64") };
}

class ContentBudget {
  private spent = 0;

  constructor(private readonly maxBytes: number) {}

  spend(bytes: number, path: string): void {
    this.spent += bytes;
    if (this.spent > this.maxBytes) {
      throw new TaskFailedError(
        `The agent's changes hold more than ${formatBytes(this.maxBytes)} of file content (reached at ${JSON.stringify(path)}); nothing was pushed. ` +
          "Generated files and dependencies usually belong in .gitignore.",
      );
    }
  }
}
