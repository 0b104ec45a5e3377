import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import type { AwsCall } from "./aws-json.js";

export type ForgeName = "github" | "gitlab";

/** One verified webhook delivery, as the HTTP function hands it to the worker. */
export interface QueuedDelivery {
  forge: ForgeName;
  /** `X-GitHub-Event` (`issues`) or `X-Gitlab-Event` (`Issue Hook`). */
  event: string;
  /** `X-GitHub-Delivery`, or GitLab's `Idempotency-Key` / `X-Gitlab-Webhook-UUID`. */
  deliveryId: string;
  /** The payload exactly as the forge sent it. */
  body: string;
}

export interface DeliveryQueue {
  send(delivery: QueuedDelivery): Promise<void>;
}

/** What travels on the queue; `version` lets a worker refuse messages of a newer HTTP function. */
interface QueueMessage {
  version: 1;
  forge: ForgeName;
  event: string;
  deliveryId: string;
  /** The payload as text when the message fits SQS that way, so people can read the DLQ. */
  body?: string;
  /** Otherwise gzip, base64: webhook JSON shrinks about tenfold. */
  bodyGzip?: string;
}

/** SQS's classic message limit; queues created before the 1 MiB raise still have it. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export class MessageTooLargeError extends Error {
  constructor(bytes: number) {
    super(`the delivery takes ${bytes} bytes on the queue even compressed; the limit is ${MAX_MESSAGE_BYTES}`);
  }
}

export function encodeDelivery(delivery: QueuedDelivery): string {
  const { forge, event, deliveryId, body } = delivery;
  const plain = JSON.stringify({ version: 1, forge, event, deliveryId, body } satisfies QueueMessage);
  if (Buffer.byteLength(plain) <= MAX_MESSAGE_BYTES) return plain;
  const bodyGzip = gzipSync(body).toString("base64");
  const compressed = JSON.stringify({ version: 1, forge, event, deliveryId, bodyGzip } satisfies QueueMessage);
  const bytes = Buffer.byteLength(compressed);
  if (bytes > MAX_MESSAGE_BYTES) throw new MessageTooLargeError(bytes);
  return compressed;
}

export type DecodeResult = { ok: true; delivery: QueuedDelivery } | { ok: false; reason: string };

/** The worker's side: anything that is not a message of this shape is poison, said why. */
export function decodeDelivery(text: string): DecodeResult {
  let message: Partial<QueueMessage>;
  try {
    message = JSON.parse(text) as Partial<QueueMessage>;
  } catch {
    return { ok: false, reason: "the message body is not JSON" };
  }
  if (typeof message !== "object" || message === null)
    return { ok: false, reason: "the message body is not an object" };
  if (message.version !== 1) return { ok: false, reason: `unknown message version ${JSON.stringify(message.version)}` };
  const { forge, event, deliveryId } = message;
  if (forge !== "github" && forge !== "gitlab") return { ok: false, reason: `unknown forge ${JSON.stringify(forge)}` };
  if (typeof event !== "string" || !event) return { ok: false, reason: "the message names no event" };
  if (typeof deliveryId !== "string" || !deliveryId) return { ok: false, reason: "the message has no delivery id" };
  const body = bodyOf(message);
  if (body === null) return { ok: false, reason: "the message carries no payload" };
  return { ok: true, delivery: { forge, event, deliveryId, body } };
}

function bodyOf(message: Partial<QueueMessage>): string | null {
  if (typeof message.body === "string") return message.body;
  if (typeof message.bodyGzip !== "string") return null;
  try {
    return gunzipSync(Buffer.from(message.bodyGzip, "base64")).toString("utf8");
  } catch {
    return null;
  }
}

/** The production queue: one SendMessage per accepted delivery. */
export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly aws: AwsCall,
    private readonly queueUrl: string,
  ) {}

  async send(delivery: QueuedDelivery): Promise<void> {
    const body = encodeDelivery(delivery);
    const reply = await this.aws<{ MD5OfMessageBody?: string }>("sqs", "SendMessage", {
      QueueUrl: this.queueUrl,
      MessageBody: body,
    });
    // What the SDK checks too: SQS stored the bytes that were sent.
    const sent = createHash("md5").update(body, "utf8").digest("hex");
    if (reply.MD5OfMessageBody !== sent)
      throw new Error(`SQS reported MD5 ${reply.MD5OfMessageBody} for a message whose MD5 is ${sent}`);
  }
}
