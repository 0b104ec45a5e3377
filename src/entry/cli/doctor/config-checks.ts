import { formatProblem } from "../../../config/index.js";
import type { ConfigLoadResult, FactoryConfig } from "../../../config/types.js";
import { renderTemplate } from "../../../core/templates.js";
import { fail, pass, type Check } from "./report.js";

/** A sample branch name from the config's template, to ask the forge whether the bot may create it. */
export function sampleTaskBranch(config: FactoryConfig | null): string {
  return renderTemplate(config?.pull_request.branch ?? "factory/{number}-{slug}", { number: 1, title: "doctor check" });
}

/** The config check shared by both forges; returns the config when it is usable. */
export function configCheck(
  repo: string,
  loaded: ConfigLoadResult,
  paths: string,
): { check: Check; config: FactoryConfig | null } {
  if (loaded.status === "missing") {
    return {
      check: fail(
        `${repo}: no ${paths} on the default branch, so tasks are off (CI summaries still work)`,
        "add one with at least `agent:\\n  command: …` (README Quick start)",
      ),
      config: null,
    };
  }
  if (loaded.status === "invalid") {
    const problems = loaded.problems.map(formatProblem).join("; ");
    return {
      check: fail(
        `${repo}: the config is invalid: ${problems}`,
        "fix it on the default branch; `npx factory-bot validate` checks a local copy",
      ),
      config: null,
    };
  }
  const config = loaded.config;
  if (!config.agent.command)
    return {
      check: fail(`${repo}: the config sets no agent.command, so tasks are off`, "set agent.command in the config"),
      config,
    };
  return {
    check: pass(`${repo}: the config is valid (runner: ${config.runner}, trigger label: ${config.trigger.label})`),
    config,
  };
}
