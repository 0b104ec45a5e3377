import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readlink } from "node:fs/promises";
import { walkWorkspace } from "./tree.js";

export type FileMode = "100644" | "100755";

/** What the base tree held at one path: enough to tell later whether the agent changed it. */
export type ManifestEntry =
  { kind: "file"; sha256: string; mode: FileMode; size: number } | { kind: "symlink"; target: string };

/** Base tree by POSIX relative path; `.git/` and git-ignored untracked paths are not in it. */
export type BaseManifest = Map<string, ManifestEntry>;

/** Git keeps one permission bit: executable by the owner or not. */
export function fileModeOf(permissions: number): FileMode {
  return (permissions & 0o100) !== 0 ? "100755" : "100644";
}

export function sha256OfFile(absolute: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(absolute)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

export async function manifestEntryOf(absolute: string, kind: "file" | "symlink"): Promise<ManifestEntry> {
  if (kind === "symlink") return { kind, target: await readlink(absolute) };
  const stats = await lstat(absolute);
  return { kind, sha256: await sha256OfFile(absolute), mode: fileModeOf(stats.mode), size: stats.size };
}

/** The manifest of a directory as it is now, for a checkout the runner did not extract itself (CI). */
export async function scanDirectory(root: string): Promise<BaseManifest> {
  const manifest: BaseManifest = new Map();
  for await (const entry of walkWorkspace(root, new Map())) {
    manifest.set(entry.path, await manifestEntryOf(entry.absolute, entry.kind));
  }
  return manifest;
}
