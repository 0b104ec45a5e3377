import { createHash, timingSafeEqual } from "node:crypto";

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * `X-Gitlab-Token` against the secret, in constant time (digests make the lengths equal). Its own
 * module so the Lambda HTTP function can verify without loading the handlers.
 */
export function hasValidToken(headers: Record<string, string | undefined>, secret: string): boolean {
  const token = headers["x-gitlab-token"];
  return token !== undefined && timingSafeEqual(sha256(token), sha256(secret));
}
