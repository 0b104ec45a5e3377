import { verify } from "@octokit/webhooks-methods";

/** The part of Probot's `app.webhooks` the guard wraps. */
interface VerifyingWebhooks {
  verifyAndReceive(options: { id: string; name: string; payload: string; signature: string }): Promise<void>;
}

/**
 * Probot answers 500 to a signed delivery it cannot make a context of (a body that is `[]`, `"x"`,
 * `1` or `null`; an `installation.id` that is not a number). The guard answers those 400, after the
 * signature matched (so a forged body still gets Probot's own answer), and lets the rest through.
 * Probot's middleware answers with the `status` of the first error in the AggregateError.
 */
export function guardWebhookPayloads(webhooks: VerifyingWebhooks, secret: string): void {
  const verifyAndReceive = webhooks.verifyAndReceive.bind(webhooks);
  webhooks.verifyAndReceive = async (options) => {
    // `verify` compares in constant time; a mismatch is left to Probot, which refuses it with 400.
    const signed = await verify(secret, options.payload, options.signature).catch(() => false);
    const problem = signed ? payloadProblem(options.payload) : null;
    if (problem) throw new AggregateError([Object.assign(new Error(problem), { status: 400 })], problem);
    return verifyAndReceive(options);
  };
}

/** Why a signed body is not a webhook payload, or null when it is one (or not JSON: Probot says so). */
export function payloadProblem(body: string): string | null {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    return "the webhook payload is not a JSON object";
  const installation = (payload as { installation?: unknown }).installation;
  if (installation === undefined) return null;
  const id = (installation as { id?: unknown } | null)?.id;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0
    ? null
    : "the webhook payload's installation.id is not a positive whole number";
}
