import { chmod, lstat, mkdtemp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "../core/deps.js";

/** A fresh directory `<parent>/<prefix>XXXXXX`, removed (whatever happens in `use`) once `use` settles. */
export async function withTemporaryDirectory<T>(
  parent: string,
  prefix: string,
  logger: Logger,
  use: (directory: string) => Promise<T>,
): Promise<T> {
  const directory = await mkdtemp(path.join(parent, prefix));
  try {
    return await use(directory);
  } finally {
    await removeTree(directory, logger);
  }
}

/** Removes a tree even where the agent took away write permission on its directories. */
export async function removeTree(directory: string, logger: Logger): Promise<void> {
  try {
    await rm(directory, { recursive: true, force: true });
  } catch {
    try {
      await restoreOwnerPermissions(directory);
      await rm(directory, { recursive: true, force: true });
    } catch (error) {
      logger.error({ err: error, directory }, "could not remove a task directory");
    }
  }
}

async function restoreOwnerPermissions(directory: string): Promise<void> {
  if (!(await lstat(directory)).isDirectory()) return;
  await chmod(directory, 0o700);
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) await restoreOwnerPermissions(path.join(directory, entry.name));
  }
}
