import type { WebhookRequest } from "./http-event.js";
import type { QueuedDelivery } from "./queue.js";

/**
 * What the HTTP function decides about one delivery, before anything leaves the function:
 * refused (the forge or a stranger gets a 4xx, nothing is queued), ignored (a 200, nothing is
 * queued: the bot would do nothing with it), or accepted (queued for the worker, then a 202).
 */
export type Intake =
  | { kind: "refused"; status: 400 | 401; error: string }
  | { kind: "ignored"; reason: string }
  | { kind: "accepted"; delivery: QueuedDelivery };

/** One forge's intake: verification and the cheap "would a handler act on this?" filter. */
export type ForgeIntake = (request: WebhookRequest) => Promise<Intake>;

export const refused = (status: 400 | 401, error: string): Intake => ({ kind: "refused", status, error });
export const ignored = (reason: string): Intake => ({ kind: "ignored", reason });

/** JSON.parse that answers null instead of throwing: a body that is not JSON is the sender's fault. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
