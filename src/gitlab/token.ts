import { createHash, randomUUID, timingSafeEqual } from "node:crypto";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * `X-Gitlab-Token` against the secret, in constant time (digests make the lengths equal). Its own
 * module so the Lambda HTTP function can verify without loading the handlers.
 */
export function hasValidToken(headers: Record<string, string | undefined>, secret: string): boolean {
  const token = headers["x-gitlab-token"];
  return token !== undefined && timingSafeEqual(sha256(token), sha256(secret));
}

/** A delivery whose token was right, as the router takes it. */
export interface VerifiedGitLabDelivery {
  /** `X-Gitlab-Event` (`Issue Hook`). */
  event: string;
  /** GitLab's id for the delivery, the same across its retries when it sends `Idempotency-Key`. */
  deliveryId: string;
  /** `Idempotency-Key`, when GitLab sent one: stable across retries and resends of one delivery. */
  idempotencyKey?: string;
}

export type GitLabVerification =
  { ok: true; delivery: VerifiedGitLabDelivery } | { ok: false; error: string; event: string; instance?: string };

/**
 * The one check of a GitLab delivery's headers (Docker server and Lambda HTTP function): the token,
 * then its event and delivery id. The caller logs a refusal once; the token is never in it.
 */
export function verifyGitLabDelivery(headers: Record<string, string | undefined>, secret: string): GitLabVerification {
  const event = headers["x-gitlab-event"] ?? "";
  if (!hasValidToken(headers, secret)) {
    const instance = headers["x-gitlab-instance"];
    return { ok: false, error: "X-Gitlab-Token is missing or wrong", event, ...(instance ? { instance } : {}) };
  }
  const idempotencyKey = headers["idempotency-key"] || undefined;
  const deliveryId = idempotencyKey || headers["x-gitlab-webhook-uuid"] || randomUUID();
  return { ok: true, delivery: { event, deliveryId, ...(idempotencyKey ? { idempotencyKey } : {}) } };
}
