import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

/**
 * Loads `./.env` into `process.env` the way Probot's `run()` does (its values win), but before
 * anything reads the environment: Probot's setup flow writes the app's credentials there, and the
 * server's own checks (WEBHOOK_SECRET, GitLab settings) and `doctor` must see them too.
 */
export function applyDotEnv(cwd = process.cwd()): void {
  let text: string;
  try {
    text = readFileSync(join(cwd, ".env"), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  Object.assign(process.env, parseEnv(text));
}
