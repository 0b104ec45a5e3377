import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { extractArchive } from "../../src/runner/archive.js";
import { TaskFailedError } from "../../src/runner/errors.js";
import { DEFAULT_LIMITS } from "../../src/runner/limits.js";
import { makeArchive, removeDirectory, temporaryDirectory, type ArchiveEntry } from "./helpers.js";

const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x01]);
const sha256 = (content: string | Buffer) => createHash("sha256").update(content).digest("hex");

let root: string;
beforeEach(async () => {
  root = await temporaryDirectory();
});
afterEach(async () => {
  await removeDirectory(root);
});

async function extract(
  entries: ArchiveEntry[],
  options: { top?: string | null; limits?: Partial<typeof DEFAULT_LIMITS> } = {},
) {
  const archive = await makeArchive(entries, { top: options.top });
  return extractArchive(Readable.from([archive]), root, { ...DEFAULT_LIMITS, ...options.limits });
}

test("extracts below the top-level directory and records a manifest of what it wrote", async () => {
  const manifest = await extract([
    { name: "src/", type: "directory" },
    { name: "src/index.ts", content: "export {};\n" },
    { name: "bin/run", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
    { name: "logo.png", content: BINARY },
    { name: "docs/README.md", type: "symlink", linkname: "../src/index.ts" },
  ]);

  expect(await readFile(path.join(root, "src/index.ts"), "utf8")).toBe("export {};\n");
  expect(await readFile(path.join(root, "logo.png"))).toEqual(BINARY);
  expect((await lstat(path.join(root, "bin/run"))).mode & 0o777).toBe(0o755);
  expect((await lstat(path.join(root, "src/index.ts"))).mode & 0o777).toBe(0o644);
  expect(await readlink(path.join(root, "docs/README.md"))).toBe("../src/index.ts");
  expect(Object.fromEntries(manifest)).toEqual({
    "src/index.ts": { kind: "file", sha256: sha256("export {};\n"), mode: "100644", size: 11 },
    "bin/run": { kind: "file", sha256: sha256("#!/bin/sh\necho hi\n"), mode: "100755", size: 18 },
    "logo.png": { kind: "file", sha256: sha256(BINARY), mode: "100644", size: BINARY.length },
    "docs/README.md": { kind: "symlink", target: "../src/index.ts" },
  });
});

test("copies hard links and skips FIFOs, devices and anything under .git", async () => {
  const manifest = await extract([
    { name: "a.txt", content: "same" },
    { name: "b.txt", type: "link", linkname: "a.txt" },
    { name: "pipe", type: "fifo" },
    { name: "tty", type: "character-device" },
    { name: ".git/config", content: "[core]" },
  ]);

  expect([...manifest.keys()].sort()).toEqual(["a.txt", "b.txt"]);
  expect(await readFile(path.join(root, "b.txt"), "utf8")).toBe("same");
  expect((await readdir(root)).sort()).toEqual(["a.txt", "b.txt"]);
});

describe("refuses entries that would land outside the workspace", () => {
  test.each([
    ["a .. path", [{ name: "../evil", content: "x" }], /unsafe path/],
    ["a nested .. path", [{ name: "src/../../evil", content: "x" }], /unsafe path/],
    ["an absolute path", [{ name: "/tmp/evil", content: "x" }], /unsafe path/],
    [
      "a symlink to an absolute path",
      [{ name: "link", type: "symlink", linkname: "/etc/passwd" }],
      /points outside the repository/,
    ],
    [
      "a symlink climbing out",
      [{ name: "a/link", type: "symlink", linkname: "../../outside" }],
      /points outside the repository/,
    ],
    [
      "a file written through a symlink",
      [
        { name: "dir", type: "symlink", linkname: "real" },
        { name: "dir/file", content: "x" },
      ],
      /beneath the symlink "dir"/,
    ],
    [
      "a symlink that escapes on disk through another symlink",
      [
        { name: "here", type: "symlink", linkname: "." },
        { name: "sub/", type: "directory" },
        { name: "escape", type: "symlink", linkname: "here/sub/../.." },
      ],
      /"escape" -> "here\/sub\/..\/.." that points outside/,
    ],
    [
      "a duplicate entry",
      [
        { name: "a", content: "1" },
        { name: "a", content: "2" },
      ],
      /holds "a" twice/,
    ],
  ] as [string, ArchiveEntry[], RegExp][])("%s", async (_label, entries, message) => {
    const extraction = extract(entries);
    await expect(extraction).rejects.toThrow(TaskFailedError);
    await expect(extraction).rejects.toThrow(message);
  });

  test("nothing is written outside the workspace", async () => {
    await expect(extract([{ name: "../evil", content: "x" }])).rejects.toThrow();
    await expect(lstat(path.join(root, "..", "evil"))).rejects.toThrow(/ENOENT/);
  });
});

test("requires the single top-level directory forge archives have", async () => {
  await expect(extract([{ name: "README.md", content: "x" }], { top: null })).rejects.toThrow(
    /single top-level directory/,
  );
  await expect(
    extract(
      [
        { name: "one/a", content: "x" },
        { name: "two/b", content: "y" },
      ],
      { top: null },
    ),
  ).rejects.toThrow(/"two\/b" is not below "one"/);
});

test("stops at the size and entry limits with a clear error", async () => {
  const big = [{ name: "big.bin", content: Buffer.alloc(2048) }];
  await expect(extract(big, { limits: { maxArchiveBytes: 1024 } })).rejects.toThrow(
    "The base archive holds more than 1.0 KiB of files, more than this runner accepts.",
  );
  const many = Array.from({ length: 5 }, (_, index) => ({ name: `f${index}`, content: "x" }));
  await expect(extract(many, { limits: { maxArchiveEntries: 3 } })).rejects.toThrow(/more than 3 entries/);
});

test("bounds what gunzip inflates, not only the entries' sizes", async () => {
  const tarball = gunzipSync(await makeArchive([{ name: "a", content: "x" }]));
  const bomb = gzipSync(Buffer.concat([tarball, Buffer.alloc(4 * 1024 * 1024)]));
  const extraction = extractArchive(Readable.from([bomb]), root, { maxArchiveBytes: 1024, maxArchiveEntries: 10 });

  await expect(extraction).rejects.toThrow(/The base archive inflates to more than 1\.0 MiB/);
});

test("an abort stops an extraction waiting on a slow download", async () => {
  const controller = new AbortController();
  const stalled = new PassThrough();
  stalled.write((await makeArchive([{ name: "a", content: "x" }])).subarray(0, 20));
  const extraction = extractArchive(stalled, root, DEFAULT_LIMITS, controller.signal);

  controller.abort(new Error("stopped by /factory stop"));
  await expect(extraction).rejects.toThrow("stopped by /factory stop");
  expect(stalled.destroyed).toBe(true);
});

test("reports an archive that is not gzip as a task failure", async () => {
  const extraction = extractArchive(Readable.from([Buffer.from("not a tarball")]), root, DEFAULT_LIMITS);
  await expect(extraction).rejects.toThrow(TaskFailedError);
  await expect(extraction).rejects.toThrow(/could not be extracted/);
});
