import { appendFile, rm } from "node:fs/promises";
import path from "node:path";
import type { Clock, Logger } from "../core/deps.js";
import { runProcess } from "./process.js";

export interface BaseRepositoryOptions {
  baseSha: string;
  /** Branch name the base commit is on, when it is a plain one. */
  baseBranch: string;
  serverEnv: NodeJS.ProcessEnv;
  logger: Logger;
  clock: Clock;
  killGraceMs: number;
  signal?: AbortSignal;
}

const AUTHOR = { name: "factory-bot", email: "factory-bot@users.noreply.localhost" };
const GIT_TIMEOUT_MS = 10 * 60 * 1000;
const PLAIN_BRANCH = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/**
 * Makes the workspace a git repository whose one commit is the base tree, because agent CLIs
 * (aider, codex) expect one. Best effort: the ChangeSet does not depend on git, so a missing or
 * failing git is logged and the task goes on.
 */
export async function initBaseRepository(workspace: string, options: BaseRepositoryOptions): Promise<void> {
  const branch =
    PLAIN_BRANCH.test(options.baseBranch) && !options.baseBranch.includes("..") ? options.baseBranch : "main";
  const steps = [
    ["-c", `init.defaultBranch=${branch}`, "init", "-q"],
    ["add", "-A", "-f"],
    ["-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "--allow-empty", "-m", `Base ${options.baseSha}`],
  ];
  try {
    for (const args of steps) await git(workspace, args, options);
    // Agents that commit need an identity, and must not pick up the server's.
    await appendFile(
      path.join(workspace, ".git", "config"),
      `[user]\n\tname = ${AUTHOR.name}\n\temail = ${AUTHOR.email}\n`,
    );
  } catch (error) {
    options.signal?.throwIfAborted();
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "git is not installed" : "git failed";
    options.logger.warn({ err: error }, `${reason}: the workspace is not a git repository; the agent runs without one`);
    await rm(path.join(workspace, ".git"), { recursive: true, force: true });
  }
}

async function git(workspace: string, args: string[], options: BaseRepositoryOptions): Promise<void> {
  const outcome = await runProcess({
    file: "git",
    args: ["-c", "core.hooksPath=/dev/null", ...args],
    cwd: workspace,
    env: isolatedGitEnv(options),
    timeoutMs: GIT_TIMEOUT_MS,
    clock: options.clock,
    killGraceMs: options.killGraceMs,
    signal: options.signal,
  });
  if (outcome.exitCode !== 0) {
    throw new Error(`git ${args.join(" ")} failed (${outcome.exitCode ?? outcome.signal}): ${outcome.outputTail}`);
  }
}

/** No system or global git config: the server's settings (hooks, signing, credentials) stay out. */
function isolatedGitEnv(options: BaseRepositoryOptions): Record<string, string> {
  const date = options.clock.now().toISOString();
  return {
    PATH: options.serverEnv.PATH ?? "/usr/bin:/bin",
    LANG: "C",
    HOME: "/nonexistent",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: AUTHOR.name,
    GIT_AUTHOR_EMAIL: AUTHOR.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: AUTHOR.name,
    GIT_COMMITTER_EMAIL: AUTHOR.email,
    GIT_COMMITTER_DATE: date,
  };
}
