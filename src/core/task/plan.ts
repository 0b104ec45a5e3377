import { createHash } from "node:crypto";
import type { FactoryConfig } from "../../config/types.js";
import type { PlanRequest, PlanState, TaskState } from "../task-state.js";
import { isActive } from "../task-state.js";
import { untrustedSection, visibleText } from "../untrusted-text.js";

/**
 * Plans before changes (docs/plans.md): with `plan.required` the agent first writes a plan, a
 * person approves exactly the plan shown, and only then does a run change the repository.
 */

/** Longest plan kept and shown: with its copy in the hidden state it stays within GitHub's 65,536-character comment. */
export const MAX_PLAN_CHARS = 16_000;
/** Longest `/factory plan <text>` kept; the newest requests are kept when there are many. */
export const MAX_REQUEST_CHARS = 2_000;
const MAX_REQUESTS = 5;

export function planRequired(config: FactoryConfig): boolean {
  return config.plan.required;
}

export function planSha(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** How people and commit trailers name a plan: the first 12 hex of its sha256. */
export function planId(sha: string): string {
  return sha.slice(0, 12);
}

/** A plan as stored and shown: visible text only (no hidden comments that could fake markers), capped. */
export function cleanPlan(text: string): string {
  const visible = visibleText(text).trim();
  return visible.length <= MAX_PLAN_CHARS
    ? visible
    : `${visible.slice(0, MAX_PLAN_CHARS).trimEnd()}\n\n(plan truncated)`;
}

/** The state after a plan run wrote `text`: it is the plan shown now, and any approval is for an older one. */
export function withNewPlan(previous: PlanState | undefined, text: string, now: string): PlanState {
  const earlier = [...(previous?.earlier ?? []), ...(previous?.sha ? [planId(previous.sha)] : [])];
  return { requests: previous?.requests ?? [], earlier, text, sha: planSha(text), shownAt: now };
}

/** The state after `/factory plan <text>`: the request joins the history the next plan run reads. */
export function withRequest(previous: PlanState | undefined, request: PlanRequest): PlanState {
  const text = visibleText(request.text).trim().slice(0, MAX_REQUEST_CHARS);
  const requests = [...(previous?.requests ?? []), { ...request, text }].slice(-MAX_REQUESTS);
  return { ...previous, requests, approved: undefined };
}

/** The refinement requests as untrusted sections for the task file; empty when there are none. */
export function planRequestsMarkdown(requests: readonly PlanRequest[]): string {
  if (requests.length === 0) return "";
  return [
    "## Plan refinements",
    "People asked for changes to earlier plans, oldest first. Take all of them into account.",
    ...requests.map((r, i) => untrustedSection(`Refinement ${i + 1}`, r.author, r.text)),
  ].join("\n\n");
}

/** What an approval names: the plan id after `/factory approve`, if any. */
export interface ApprovalRequest {
  user: string;
  commentId: number;
  /** When the comment was written, as the forge says; absent when the payload had none. */
  writtenAt?: string;
  /** The text after `/factory approve` (a plan id, or nothing). */
  argument: string;
}

export type ApprovalDecision =
  | { kind: "approve"; plan: string; sha: string }
  /** Said once to the person, politely; nothing starts. */
  | { kind: "refuse"; message: string }
  /** The same approval again (a redelivery): nothing to say, nothing to start. */
  | { kind: "ignore" };

/**
 * Whether `/factory approve` starts the implementation. An approval applies to the plan shown
 * when it was written: it may name the plan (`/factory approve <id>`), and one written before the
 * plan now shown was about an older plan, so it approves nothing.
 */
export function decideApproval(state: TaskState | null, request: ApprovalRequest): ApprovalDecision {
  const plan = state?.plan;
  if (plan?.approved?.commentId === request.commentId) return { kind: "ignore" };
  if (state && isActive(state.phase)) {
    return state.mode === "plan"
      ? { kind: "refuse", message: "a plan is being written right now; approve it once it is shown here." }
      : { kind: "refuse", message: "the approved plan is already being implemented." };
  }
  if (!state || !plan?.text || !plan.sha || !plan.shownAt) {
    return { kind: "refuse", message: "there is no plan to approve yet; add the trigger label to have one written." };
  }
  const current = planId(plan.sha);
  if (state.phase !== "planned") {
    return plan.approved?.sha === plan.sha
      ? { kind: "refuse", message: `plan \`${current}\` was already approved by @${plan.approved.by}.` }
      : { kind: "refuse", message: "the plan shown is not waiting for approval; `/factory plan <text>` plans again." };
  }
  const named = request.argument.trim().split(/\s+/, 1)[0]?.toLowerCase() ?? "";
  if (named !== "" && !(named.length >= 7 && /^[0-9a-f]+$/.test(named) && plan.sha.startsWith(named))) {
    return {
      kind: "refuse",
      message:
        `you approved plan \`${named}\`, but the plan shown now is \`${current}\`. Read it, then ` +
        `comment \`/factory approve ${current}\`.`,
    };
  }
  const written = request.writtenAt ? Date.parse(request.writtenAt) : NaN;
  // Forges give comment times to the second (GitLab webhooks: `2026-12-02 03:00:00 UTC`).
  const shown = Math.floor(Date.parse(plan.shownAt) / 1000) * 1000;
  if (named === "" && !Number.isNaN(written) && written < shown) {
    return {
      kind: "refuse",
      message:
        `your approval was written before the plan shown now (\`${current}\`), so it approved an older plan. ` +
        `Read the new one, then comment \`/factory approve ${current}\`.`,
    };
  }
  return { kind: "approve", plan: plan.text, sha: plan.sha };
}
