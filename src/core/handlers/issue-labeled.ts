import type { FactoryConfig, ConfigLoadResult, MinPermission } from "../../config/types.js";
import type { Clock, Logger } from "../deps.js";
import type { TaskCancellation } from "../cancellation.js";
import type { IssueLabeledEvent } from "../events.js";
import { PERMISSION_LEVELS, type Forge, type PermissionLevel } from "../forge.js";
import type { TaskCommentView } from "../messages/task-comment.js";
import type { TaskRunner } from "../task-runner.js";
import { claimTask, findTaskRecord, INTERRUPTED_GRACE_MS, longestRunMs } from "../task/record.js";
import { runTask } from "../task/execute.js";

export interface IssueLabeledDeps {
  forge: Forge;
  runner: TaskRunner;
  logger: Logger;
  clock: Clock;
  /** Where this forge reads the config, for messages (`.github/factory.yml`, …). */
  configPaths: readonly string[];
  cancellation?: TaskCancellation;
}

const DEFAULT_LABEL = "factory";
const DEFAULT_MIN_PERMISSION: MinPermission = "write";

export function meetsPermission(has: PermissionLevel, needs: MinPermission): boolean {
  return PERMISSION_LEVELS.indexOf(has) >= PERMISSION_LEVELS.indexOf(needs);
}

/** An issue got a label: if it is the trigger label, start (once) a task that ends in a PR/MR. */
export async function handleIssueLabeled(event: IssueLabeledEvent, deps: IssueLabeledDeps): Promise<void> {
  const { forge, logger } = deps;
  if (event.issue.isPullRequest) return logger.debug({}, "labels on pull requests start nothing");
  const loaded = await forge.loadConfig();
  const config = loaded.status === "ok" ? loaded.config : null;
  if (event.label !== (config?.trigger.label ?? DEFAULT_LABEL)) return;

  const needs = config?.trigger.min_permission ?? DEFAULT_MIN_PERMISSION;
  const has = await forge.getPermission(event.actor.login);
  const view = initialView(
    loaded,
    config,
    { user: event.actor.login, has, needs, label: event.label },
    deps.configPaths,
  );
  if (view.phase === "denied" && (await findTaskRecord(forge, event.issue.number)) !== null) {
    // The issue's one task comment already tells its story (maybe a PR); a refused label must not replace it.
    return logger.info(
      { user: event.actor.login },
      "label from a user below min_permission on an issue that has a task; ignored",
    );
  }
  const timeoutMs = config ? longestRunMs(config) : 1800 * 1000;
  const progress = await claimTask({
    forge,
    issueNumber: event.issue.number,
    deliveryId: event.deliveryId,
    view,
    clock: deps.clock,
    logger,
    staleAfterMs: timeoutMs + INTERRUPTED_GRACE_MS,
  });
  if (!progress || view.phase !== "queued" || !config) return;
  const { isPullRequest: _, ...issue } = event.issue;
  // The branch recorded by an earlier run, even if the title (and so the slug) changed since.
  // With `plan.required` a label (again) always starts with a new plan (docs/plans.md).
  const mode = config.plan.required ? "plan" : "implement";
  await runTask({ config, issue, progress, attempt: 1, branch: progress.current.branch, mode }, deps);
}

/** Decided before anything is written, so a refused task writes its one comment once. */
function initialView(
  loaded: ConfigLoadResult,
  config: FactoryConfig | null,
  who: { user: string; has: PermissionLevel; needs: MinPermission; label: string },
  configPaths: readonly string[],
): TaskCommentView {
  if (!meetsPermission(who.has, who.needs)) return { phase: "denied", ...who };
  if (loaded.status === "invalid") {
    const problems = loaded.problems.map(
      (p) => `\`${p.file}${p.line ? `:${p.line}:${p.column ?? 1}` : ""}\`${p.key ? ` \`${p.key}\`` : ""}: ${p.message}`,
    );
    return { phase: "needs-config", reason: "invalid", problems, configPaths };
  }
  if (!config?.agent.command) return { phase: "needs-config", reason: "missing-command", problems: [], configPaths };
  return { phase: "queued" };
}
