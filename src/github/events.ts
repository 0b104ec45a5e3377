import type { IssueLabeledEvent } from "../core/events.js";

/** The fields of an `issues.labeled` payload the bot reads; anything else is ignored. */
interface IssuesLabeledPayload {
  label?: { name?: string };
  issue?: { number?: number; title?: string; body?: string | null; html_url?: string; pull_request?: unknown };
  sender?: { login?: string; type?: string };
}

/** Payload → core event, or null for a payload missing what the bot needs (never a crash). */
export function toIssueLabeledEvent(payload: IssuesLabeledPayload, deliveryId: string): IssueLabeledEvent | null {
  const { label, issue, sender } = payload;
  if (!label?.name || typeof issue?.number !== "number" || !sender?.login) return null;
  return {
    type: "issue.labeled",
    deliveryId,
    label: label.name,
    actor: { login: sender.login, isBot: sender.type === "Bot" },
    issue: {
      number: issue.number,
      title: issue.title ?? "",
      body: issue.body ?? "",
      url: issue.html_url ?? "",
      isPullRequest: issue.pull_request !== undefined,
    },
  };
}

export interface RepositoryPayload {
  repository?: { name?: string; owner?: { login?: string }; html_url?: string; default_branch?: string };
}

export function repositoryOf(payload: RepositoryPayload) {
  const r = payload.repository;
  if (!r?.name || !r.owner?.login) return null;
  return { owner: r.owner.login, name: r.name, htmlUrl: r.html_url ?? "", defaultBranch: r.default_branch };
}
