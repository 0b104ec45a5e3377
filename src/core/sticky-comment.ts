import type { CommentTarget, Forge, ForgeComment } from "./forge.js";
import { hasMarker, type MarkerName } from "./markers.js";

/** The bot's own comments carrying a marker, oldest first (people can quote markers; only ours count). */
export async function markedComments(forge: Forge, target: CommentTarget, marker: MarkerName): Promise<ForgeComment[]> {
  const comments = await forge.listComments(target);
  return comments.filter((c) => c.author === forge.botLogin && hasMarker(c.body, marker)).sort((a, b) => a.id - b.id);
}

export type EnsureOutcome = "created" | "updated" | "unchanged";

/**
 * One comment per target and marker: found, then created or edited. When two writers race to
 * create it, the oldest comment wins and the newer one is removed, so readers always agree.
 */
export async function ensureStickyComment(
  forge: Forge,
  target: CommentTarget,
  marker: MarkerName,
  body: string,
  existing?: ForgeComment | null,
): Promise<EnsureOutcome> {
  const current = existing === undefined ? (await markedComments(forge, target, marker))[0] : existing;
  if (current) {
    if (current.body === body) return "unchanged";
    await forge.updateComment(target, current.id, body);
    return "updated";
  }
  const created = await forge.createComment(target, body);
  const winner = (await markedComments(forge, target, marker))[0];
  if (winner && winner.id !== created.id) {
    await forge.deleteComment(target, created.id);
    if (winner.body !== body) await forge.updateComment(target, winner.id, body);
    return "updated";
  }
  return "created";
}
