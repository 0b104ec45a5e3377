import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { load } from "js-yaml";

export type PermissionLevel = "read" | "write" | "admin";

/** What app.yml asks for: the permissions and events an installation must have granted. */
export interface AppManifest {
  permissions: Record<string, PermissionLevel>;
  events: string[];
}

/** app.yml ships in the package root (package.json `files`); found by walking up from here. */
export function readAppManifest(): AppManifest {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const file = join(dir, "app.yml");
    if (existsSync(file)) return parseAppManifest(readFileSync(file, "utf8"));
  }
  throw new Error("app.yml is missing from the installation");
}

export function parseAppManifest(text: string): AppManifest {
  const manifest = (load(text) ?? {}) as {
    default_permissions?: Record<string, PermissionLevel>;
    default_events?: string[];
  };
  return { permissions: manifest.default_permissions ?? {}, events: manifest.default_events ?? [] };
}

const RANK: Record<string, number> = { read: 1, write: 2, admin: 3 };

/** `name: level` for each permission granted below what the manifest asks, e.g. `actions: write (granted: read)`. */
export function missingPermissions(
  wanted: AppManifest["permissions"],
  granted: Record<string, string | undefined>,
): string[] {
  return Object.entries(wanted)
    .filter(([name, level]) => (RANK[granted[name] ?? ""] ?? 0) < (RANK[level] ?? 0))
    .map(([name, level]) => `${name}: ${level}${granted[name] ? ` (granted: ${granted[name]})` : ""}`);
}

export function missingEvents(wanted: readonly string[], subscribed: readonly string[]): string[] {
  return wanted.filter((event) => !subscribed.includes(event));
}
