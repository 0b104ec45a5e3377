import { realpath } from "node:fs/promises";
import path from "node:path";

/**
 * The POSIX relative form of a path from an archive or a config ("" for the root),
 * or null when it is absolute or climbs out with `..`.
 */
export function safeRelativePath(name: string): string | null {
  if (name.startsWith("/")) return null;
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) return null;
  return parts.join("/");
}

export function isInsideDirectory(directory: string, candidate: string): boolean {
  const relative = path.relative(directory, candidate);
  return relative === "" || !(relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative));
}

/** Whether a symlink at `linkPath` (relative to the root) with `target` stays inside the root, by its text alone. */
export function symlinkTargetStaysInside(linkPath: string, target: string): boolean {
  if (path.posix.isAbsolute(target)) return false;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(linkPath), target));
  return resolved !== ".." && !resolved.startsWith("../");
}

/**
 * Whether the symlink at `linkPath` stays inside `root`, by its text and, when it resolves, on disk:
 * the two differ when the target passes through another symlink before a `..`.
 */
export async function symlinkResolvesInside(root: string, linkPath: string, target: string): Promise<boolean> {
  if (!symlinkTargetStaysInside(linkPath, target)) return false;
  const [realRoot, realTarget] = await Promise.all([
    realpath(root),
    realpath(path.join(root, linkPath)).catch(() => null),
  ]);
  return realTarget === null || isInsideDirectory(realRoot, realTarget);
}
