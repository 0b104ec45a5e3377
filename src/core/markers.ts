/**
 * Every hidden marker the bot writes (docs/architecture.md, "Markers"). Comments are found by these, never by
 * remembered ids, so redeliveries, restarts and several replicas agree.
 */
export const MARKERS = {
  task: "<!-- factory:task -->",
  ciSummary: "<!-- factory:ci-summary -->",
  /** Delimit the failure section of a CI summary, so a green update can keep it collapsed. */
  ciFailureStart: "<!-- factory:ci-failure:start -->",
  ciFailureEnd: "<!-- factory:ci-failure:end -->",
  /** The one comment that hands a factory PR to people after the last fix attempt. */
  handover: "<!-- factory:handover -->",
  /** Left by `/factory stop` on a PR: no more fix attempts there. */
  fixStopped: "<!-- factory:fix-stopped -->",
  /** The one note that a failure also happens on the base branch, so no attempt was spent. */
  baseAlsoFails: "<!-- factory:base-also-fails -->",
  /** The bot's reply in a review thread; `reviewReplyMarker(N)` tells the round. */
  reviewReply: "<!-- factory:review-reply -->",
} as const;

export type MarkerName = keyof typeof MARKERS;

/** The commit statuses the bot sets; they describe its own work, not the repository's CI. */
export const STATUS_CONTEXTS = {
  task: "factory/task",
  config: "factory/config",
} as const;

/** Whether a CI job or status is one of the bot's own (`factory/…`). */
export function isOwnStatus(name: string): boolean {
  return name.startsWith("factory/");
}

/** The reply marker of review round N, so one thread gets one reply per round, however often delivered. */
export function reviewReplyMarker(round: number): string {
  return `${MARKERS.reviewReply}<!-- factory:review-round ${round} -->`;
}

export function hasMarker(body: string, name: MarkerName): boolean {
  return body.includes(MARKERS[name]);
}

const STATE_PREFIX = "<!-- factory:state ";
const STATE_SUFFIX = " -->";

/** Machine-readable state kept next to a marker, as a hidden JSON comment. */
export function encodeState(state: object): string {
  // `--` would end the HTML comment early; JSON never needs it outside strings.
  return STATE_PREFIX + JSON.stringify(state).replaceAll("--", "\\u002d\\u002d") + STATE_SUFFIX;
}

export function decodeState<T>(body: string): T | null {
  const start = body.indexOf(STATE_PREFIX);
  if (start < 0) return null;
  const end = body.indexOf(STATE_SUFFIX, start + STATE_PREFIX.length);
  if (end < 0) return null;
  try {
    return JSON.parse(body.slice(start + STATE_PREFIX.length, end)) as T;
  } catch {
    return null;
  }
}

/** The text between two markers, or null. */
export function between(body: string, start: MarkerName, end: MarkerName): string | null {
  const from = body.indexOf(MARKERS[start]);
  const to = body.indexOf(MARKERS[end], from + 1);
  if (from < 0 || to < 0) return null;
  return body.slice(from + MARKERS[start].length, to).trim();
}
