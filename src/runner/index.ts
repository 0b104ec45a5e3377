/** The task runner: `LocalTaskRunner` for `runner: local`, `runTaskInDirectory` for `factory-bot task` in CI. */
export { LocalTaskRunner } from "./local-runner.js";
export { localRunnerOptionsFromEnv, agentEnvNamesFromEnv, BOT_SECRET_NAMES } from "./options.js";
export type { LocalTaskRunnerOptions, LocalRunnerEnvOptions } from "./options.js";
export { runTaskInDirectory, DEFAULT_KILL_GRACE_MS } from "./run-task.js";
export type { TaskInDirectoryOptions } from "./run-task.js";
export { scanDirectory } from "./manifest.js";
export type { BaseManifest, ManifestEntry, FileMode } from "./manifest.js";
export { extractArchive } from "./archive.js";
export { localRunnerRefusal, MISSING_AGENT_COMMAND_MESSAGE } from "./allowlist.js";
export { TaskFailedError } from "./errors.js";
export { DEFAULT_LIMITS } from "./limits.js";
export type { RunnerLimits } from "./limits.js";
