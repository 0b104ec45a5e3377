import type { IssueRef } from "./task.js";

/** Who caused an event; bots (including this one) never start work. */
export interface Actor {
  login: string;
  isBot: boolean;
}

interface EventBase {
  deliveryId: string;
  actor: Actor;
}

export interface IssueLabeledEvent extends EventBase {
  type: "issue.labeled";
  /** The label that was just added. */
  label: string;
  issue: IssueRef & { isPullRequest: boolean };
}

export type CoreEvent = IssueLabeledEvent;
