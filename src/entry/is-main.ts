import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** True when this module is the process entry; resolves symlinks, as npm's `bin` links are ones. */
export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}
