import { STATUS_CONTEXTS } from "../markers.js";
import type { Clock, Logger } from "../deps.js";
import type { ChangeRequestUpdatedEvent } from "../events.js";
import type { Forge } from "../forge.js";

export interface ConfigCheckDeps {
  forge: Forge;
  logger: Logger;
  clock: Clock;
  /** The config file paths this forge reads (GitHub `.github/factory.yml`; GitLab also `.gitlab/factory.yml`). */
  configPaths: readonly string[];
}

// GitHub cuts status descriptions at 140 characters.
const MAX_DESCRIPTION = 140;

/**
 * A PR/MR that changes the factory config gets a `factory/config` status on its head, so a
 * broken config is caught where it is edited, before it reaches the default branch.
 */
export async function handleConfigCheck(event: ChangeRequestUpdatedEvent, deps: ConfigCheckDeps): Promise<void> {
  const { forge } = deps;
  const changed = await forge.listChangedFiles(event.number);
  if (!changed.some((path) => deps.configPaths.includes(path))) return;
  const result = await forge.loadConfig(event.headSha);
  const status =
    result.status === "invalid"
      ? { state: "failure" as const, description: describeProblems(result.problems) }
      : result.status === "missing"
        ? { state: "success" as const, description: "No factory config: tasks are off, CI summaries use defaults" }
        : {
            state: "success" as const,
            description: result.config.agent.command
              ? "Factory config is valid"
              : "Factory config is valid (tasks off: no agent.command)",
          };
  await forge.setCommitStatus(event.headSha, { context: STATUS_CONTEXTS.config, ...status });
}

function describeProblems(
  problems: Array<{ file: string; line: number | null; column: number | null; message: string }>,
): string {
  const [first] = problems;
  if (!first) return "Factory config is invalid";
  const where = `${first.file.split("/").pop()}${first.line ? `:${first.line}:${first.column ?? 1}` : ""}`;
  const more = problems.length > 1 ? ` (+${problems.length - 1} more)` : "";
  // The count of the others survives the cut: it says how much is left to fix.
  const room = MAX_DESCRIPTION - more.length;
  const text = `${where} ${first.message}`;
  return (text.length <= room ? text : text.slice(0, room - 1) + "…") + more;
}
