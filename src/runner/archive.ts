import { constants as fsConstants, createWriteStream } from "node:fs";
import { chmod, copyFile, mkdir, symlink } from "node:fs/promises";
import { createHash, type Hash } from "node:crypto";
import path from "node:path";
import type { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar, { type ExtractEvents } from "tar-stream";
import { TaskFailedError } from "./errors.js";
import { formatBytes, type RunnerLimits } from "./limits.js";
import { fileModeOf, type BaseManifest, type FileMode, type ManifestEntry } from "./manifest.js";
import { safeRelativePath, symlinkResolvesInside, symlinkTargetStaysInside } from "./paths.js";

type TarEntry = ExtractEvents["entry"][1];

/** A header block, an extended (pax) header block and padding at most, per entry. */
const TAR_OVERHEAD_PER_ENTRY = 3 * 512;
const TAR_OVERHEAD_FIXED = 1024 * 1024;

export type ArchiveLimits = Pick<RunnerLimits, "maxArchiveBytes" | "maxArchiveEntries">;

/**
 * Extracts a gzipped tarball with one top-level directory (as GitHub and GitLab serve them) into
 * `root`, and returns the manifest of what it wrote. Refuses entries that would land outside
 * `root` (absolute paths, `..`, paths beneath a symlink, symlinks pointing out) and skips
 * devices and FIFOs.
 */
export async function extractArchive(
  archive: Readable,
  root: string,
  limits: ArchiveLimits,
  signal?: AbortSignal,
): Promise<BaseManifest> {
  const extraction = new ArchiveExtraction(root, limits);
  const gunzip = createGunzip();
  const extract = tar.extract();
  const stop = (error: unknown) => extract.destroy(error instanceof Error ? error : new Error(String(error)));
  const onAbort = () => stop(signal?.reason);
  archive.once("error", stop);
  gunzip.once("error", stop);
  signal?.addEventListener("abort", onAbort, { once: true });
  limitInflatedBytes(gunzip, limits, stop);
  archive.pipe(gunzip).pipe(extract);
  try {
    for await (const entry of extract) await extraction.add(entry);
    await extraction.verifySymlinksOnDisk();
    return extraction.manifest;
  } catch (error) {
    signal?.throwIfAborted();
    if (error instanceof TaskFailedError) throw error;
    throw new TaskFailedError(`The base archive could not be extracted: ${(error as Error).message}`, { cause: error });
  } finally {
    signal?.removeEventListener("abort", onAbort);
    archive.destroy();
    gunzip.destroy();
  }
}

/**
 * Entry sizes bound what is written, but not what gunzip inflates around the entries (padding,
 * data after the end of the tar): a small gzip can inflate to terabytes, so that is bounded too.
 */
function limitInflatedBytes(gunzip: Transform, limits: ArchiveLimits, stop: (error: Error) => void): void {
  const maxInflated = limits.maxArchiveBytes + limits.maxArchiveEntries * TAR_OVERHEAD_PER_ENTRY + TAR_OVERHEAD_FIXED;
  let inflated = 0;
  gunzip.on("data", (chunk: Buffer) => {
    inflated += chunk.length;
    if (inflated > maxInflated) {
      stop(
        new TaskFailedError(
          `The base archive inflates to more than ${formatBytes(maxInflated)}, more than this runner accepts.`,
        ),
      );
    }
  });
}

class ArchiveExtraction {
  readonly manifest: BaseManifest = new Map();
  private topLevel: string | null = null;
  private bytes = 0;
  private entries = 0;

  constructor(
    private readonly root: string,
    private readonly limits: ArchiveLimits,
  ) {}

  async add(entry: TarEntry): Promise<void> {
    const { header } = entry;
    this.countEntry();
    this.countBytes(header.size ?? 0);
    const relative = this.workspacePath(header.name);
    if (relative === null && header.type !== "directory") throw this.notBelowTopLevel(header.name);
    if (relative === null || isInsideGitDirectory(relative)) return drain(entry);
    this.refuseBeneathSymlink(relative);
    switch (header.type) {
      case "directory":
        await mkdir(this.absolute(relative), { recursive: true });
        return drain(entry);
      case "file":
      case "contiguous-file":
        return this.writeFile(entry, relative);
      case "symlink":
        await this.writeSymlink(relative, header.linkname ?? "");
        return drain(entry);
      case "link":
        await this.copyHardLink(relative, header.linkname ?? "");
        return drain(entry);
      default:
        // Devices, FIFOs and unknown types carry nothing a repository can hold.
        return drain(entry);
    }
  }

  async verifySymlinksOnDisk(): Promise<void> {
    for (const [relative, entry] of this.manifest) {
      if (entry.kind === "symlink" && !(await symlinkResolvesInside(this.root, relative, entry.target))) {
        throw symlinkOutsideError(relative, entry.target);
      }
    }
  }

  private countEntry(): void {
    this.entries += 1;
    if (this.entries > this.limits.maxArchiveEntries) {
      throw new TaskFailedError(
        `The base archive has more than ${this.limits.maxArchiveEntries} entries, more than this runner accepts.`,
      );
    }
  }

  private countBytes(size: number): void {
    this.bytes += size;
    if (this.bytes > this.limits.maxArchiveBytes) {
      throw new TaskFailedError(
        `The base archive holds more than ${formatBytes(this.limits.maxArchiveBytes)} of files, more than this runner accepts.`,
      );
    }
  }

  /** The path below the archive's single top-level directory; null for that directory itself. */
  private workspacePath(name: string): string | null {
    const safe = safeRelativePath(name);
    if (safe === null) {
      throw new TaskFailedError(
        `The base archive holds an entry with an unsafe path (${JSON.stringify(name)}): absolute paths and ".." are refused.`,
      );
    }
    const [top = "", ...rest] = safe.split("/");
    this.topLevel ??= top;
    if (top !== this.topLevel || top === "") throw this.notBelowTopLevel(name);
    return rest.length === 0 ? null : rest.join("/");
  }

  private notBelowTopLevel(name: string): TaskFailedError {
    return new TaskFailedError(
      `The base archive should have a single top-level directory, as GitHub and GitLab archives do, but ${JSON.stringify(name)} is not below ${JSON.stringify(this.topLevel)}.`,
    );
  }

  private refuseBeneathSymlink(relative: string): void {
    for (let slash = relative.indexOf("/"); slash !== -1; slash = relative.indexOf("/", slash + 1)) {
      const parent = relative.slice(0, slash);
      if (this.manifest.get(parent)?.kind === "symlink") {
        throw new TaskFailedError(
          `The base archive holds ${JSON.stringify(relative)} beneath the symlink ${JSON.stringify(parent)}; writing through symlinks is refused.`,
        );
      }
    }
  }

  private absolute(relative: string): string {
    return path.join(this.root, relative);
  }

  private async writeFile(entry: TarEntry, relative: string): Promise<void> {
    const absolute = this.absolute(relative);
    await mkdir(path.dirname(absolute), { recursive: true });
    const hash = createHash("sha256");
    // "wx": a second entry for the same path must not write through whatever the first one made.
    await pipeline(hashedChunks(entry, hash), createWriteStream(absolute, { flags: "wx" })).catch((error: unknown) => {
      throw isAlreadyExists(error) ? duplicateEntryError(relative) : error;
    });
    const mode = fileModeOf(entry.header.mode ?? 0o644);
    await chmod(absolute, permissionsOf(mode));
    this.manifest.set(relative, { kind: "file", sha256: hash.digest("hex"), mode, size: entry.header.size ?? 0 });
  }

  private async writeSymlink(relative: string, target: string): Promise<void> {
    if (!symlinkTargetStaysInside(relative, target)) throw symlinkOutsideError(relative, target);
    const absolute = this.absolute(relative);
    await mkdir(path.dirname(absolute), { recursive: true });
    await symlink(target, absolute).catch((error: unknown) => {
      throw isAlreadyExists(error) ? duplicateEntryError(relative) : error;
    });
    this.manifest.set(relative, { kind: "symlink", target });
  }

  /** Hard links are rare in forge archives; a copy of the earlier file is what a checkout would hold. */
  private async copyHardLink(relative: string, linkName: string): Promise<void> {
    const source = this.workspacePath(linkName);
    const sourceEntry: ManifestEntry | undefined = source === null ? undefined : this.manifest.get(source);
    if (source === null || sourceEntry?.kind !== "file") {
      throw new TaskFailedError(
        `The base archive holds a hard link ${JSON.stringify(relative)} to ${JSON.stringify(linkName)}, which is not a file extracted before it.`,
      );
    }
    this.countBytes(sourceEntry.size);
    const absolute = this.absolute(relative);
    await mkdir(path.dirname(absolute), { recursive: true });
    await copyFile(this.absolute(source), absolute, fsConstants.COPYFILE_EXCL);
    await chmod(absolute, permissionsOf(sourceEntry.mode));
    this.manifest.set(relative, { ...sourceEntry });
  }
}

async function* hashedChunks(entry: TarEntry, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of entry) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    yield bytes;
  }
}

async function drain(entry: TarEntry): Promise<void> {
  for await (const _chunk of entry) {
    // Entry content must be consumed before the next entry is read.
  }
}

function permissionsOf(mode: FileMode): number {
  return mode === "100755" ? 0o755 : 0o644;
}

function isInsideGitDirectory(relative: string): boolean {
  return relative.split("/").includes(".git");
}

function isAlreadyExists(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === "EEXIST";
}

function duplicateEntryError(relative: string): TaskFailedError {
  return new TaskFailedError(`The base archive holds ${JSON.stringify(relative)} twice; refusing to overwrite it.`);
}

function symlinkOutsideError(relative: string, target: string): TaskFailedError {
  return new TaskFailedError(
    `The base archive holds a symlink ${JSON.stringify(relative)} -> ${JSON.stringify(target)} that points outside the repository; symlinks must stay inside it.`,
  );
}
