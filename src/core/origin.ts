import type { CoreEvent } from "./events.js";
import type { Forge } from "./forge.js";

/**
 * Who may cause an event that starts work: `people` (no bot, not the app itself), `anyone`, or
 * `the-app` (only what the app itself caused counts).
 */
export type Origin = "people" | "anyone" | "the-app";

/**
 * The origin rule of each core event, beside the dispatch table (dispatch.ts) rather than in it so
 * the Lambda HTTP function can filter deliveries without loading the handlers.
 */
export const ORIGINS: { readonly [T in CoreEvent["type"]]: Origin | ((forge: Forge) => Origin) } = {
  "issue.labeled": "people",
  command: "people",
  // Reviews are not commands, but only people's reviews ask for a round.
  "review.submitted": "people",
  // The app's own commits run CI too, and its change requests need summaries most.
  "ci.completed": "anyone",
  // Dependabot's and the app's own changes to the config file get the check like anyone's.
  "change.updated": "anyone",
  "task-run.completed": (forge) => forge.taskRunOrigin,
};

/**
 * Would this event start work? Pure, so adapters and the Lambda HTTP function drop an event
 * before any API call: bots never start what people start. The app itself is recognised later,
 * by its forge (`originAllows`).
 */
export function startsWork(event: CoreEvent): boolean {
  return !event.actor.isBot || ORIGINS[event.type] !== "people";
}

/** Whether the event's cause may start its work, now that the forge knows the app's identity. */
export function originAllows(event: CoreEvent, forge: Forge): boolean {
  const rule = ORIGINS[event.type];
  const origin = typeof rule === "function" ? rule(forge) : rule;
  if (origin === "people") return !event.actor.isBot && !forge.isApp(event.actor);
  return origin === "anyone" || forge.isApp(event.actor);
}
