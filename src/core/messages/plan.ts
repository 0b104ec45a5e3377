import type { MinPermission } from "../../config/types.js";
import type { ForgeWording } from "../forge.js";
import type { PlanState, TaskPhase } from "../task-state.js";
import { planId } from "../task/plan.js";
import { codeBlock, inlineCode, plural } from "./format.js";

/** Plans longer than this are collapsed in the task comment, so the next steps stay in sight. */
const INLINE_PLAN_LINES = 30;
const INLINE_PLAN_CHARS = 3_000;

/** The task comment while a plan waits: the plan, and how to approve it or plan again. Pure. */
export function plannedText(plan: PlanState, needs: MinPermission, words: ForgeWording): string {
  const id = planId(plan.sha ?? "");
  return [
    `📝 **factory** wrote a plan for this issue (plan ${inlineCode(id)}). Nothing was changed in the ` +
      `repository: no branch, no commit, no ${words.changeRequest}.`,
    planBody(plan.text ?? "", `The plan ${inlineCode(id)}`),
    "**What next?** Someone with " +
      `**${words.permissionName(needs)}** permission or higher comments:\n\n` +
      `- \`/factory approve\` (or \`/factory approve ${id}\`) to have exactly this plan implemented; an ` +
      "approval written before a newer plan is shown does not count for it;\n" +
      "- `/factory plan <what to change>` to have it planned again with your notes added to the task.",
  ].join("\n\n");
}

/** Below the outcome of later runs: the approved plan and the refinement history, collapsed. */
export function planHistory(plan: PlanState | undefined, phase: TaskPhase): string {
  if (!plan) return "";
  const parts: string[] = [];
  if (phase !== "planned" && plan.approved && plan.text && plan.approved.sha === plan.sha) {
    parts.push(
      details(
        `Approved plan ${inlineCode(planId(plan.approved.sha))} (by @${plan.approved.by})`,
        plan.text.trim() || "(empty)",
      ),
    );
  }
  if (plan.requests.length > 0 || (plan.earlier?.length ?? 0) > 0) {
    const requests = plan.requests.map((r) => `@${r.author} asked (${r.at}):\n\n${codeBlock(r.text || "(empty)")}`);
    const earlier = plan.earlier?.length ? [`Earlier plans: ${plan.earlier.map(inlineCode).join(", ")}.`] : [];
    parts.push(
      details(
        `Refinement history (${plural(plan.requests.length, "request")})`,
        [...requests, ...earlier].join("\n\n"),
      ),
    );
  }
  return parts.join("\n\n");
}

/** The plan inline when short; collapsed when long. */
function planBody(text: string, summary: string): string {
  const lines = text.split("\n").length;
  if (lines <= INLINE_PLAN_LINES && text.length <= INLINE_PLAN_CHARS) return `---\n\n${text}\n\n---`;
  return details(`${summary} (${plural(lines, "line")}; click to read)`, text);
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}
