import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { Logger } from "../../core/deps.js";
import { decodeDelivery, type ForgeName, type QueuedDelivery } from "./queue.js";

/** Runs one delivery's handlers to the end; throws when any of their work failed. */
export type DeliveryProcessor = (delivery: QueuedDelivery, logger: Logger) => Promise<void>;

export interface WorkerDeps {
  processors: Partial<Record<ForgeName, DeliveryProcessor>>;
  logger: Logger;
}

export type WorkerHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/**
 * The worker function (SQS event source with `ReportBatchItemFailures`): each message's delivery
 * runs through the same handlers as on the Docker server. A message whose work failed, or that
 * cannot be read, is reported back; SQS delivers it again after the visibility timeout and moves
 * it to the dead-letter queue after `maxReceiveCount` receives, so nothing is retried forever.
 */
export function createWorkerHandler(deps: WorkerDeps): WorkerHandler {
  return async (event) => {
    const failures: SQSBatchItemFailure[] = [];
    const fail = (records: SQSRecord[]) => failures.push(...records.map((r) => ({ itemIdentifier: r.messageId })));
    const batches = groupByDelivery(event.Records, deps.logger, fail);
    await Promise.all(
      [...batches.values()].map(async ({ delivery, records }) => {
        if (!(await processDelivery(delivery, records, deps))) fail(records);
      }),
    );
    return { batchItemFailures: failures };
  };
}

interface DeliveryGroup {
  delivery: QueuedDelivery;
  records: SQSRecord[];
}

/**
 * At-least-once delivery can put one delivery in a batch twice; it runs once and both messages
 * share the outcome. Unreadable messages are logged and failed at once.
 */
function groupByDelivery(
  records: SQSRecord[],
  logger: Logger,
  fail: (records: SQSRecord[]) => void,
): Map<string, DeliveryGroup> {
  const groups = new Map<string, DeliveryGroup>();
  for (const record of records) {
    const decoded = decodeDelivery(record.body);
    if (!decoded.ok) {
      logger.error(
        {
          messageId: record.messageId,
          receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
          reason: decoded.reason,
        },
        "unreadable queue message: reported as failed; it moves to the dead-letter queue after " +
          "maxReceiveCount receives",
      );
      fail([record]);
      continue;
    }
    const key = `${decoded.delivery.forge}:${decoded.delivery.deliveryId}`;
    const group = groups.get(key);
    if (group) group.records.push(record);
    else groups.set(key, { delivery: decoded.delivery, records: [record] });
  }
  return groups;
}

async function processDelivery(delivery: QueuedDelivery, records: SQSRecord[], deps: WorkerDeps): Promise<boolean> {
  const logger = deps.logger.child({
    forge: delivery.forge,
    event: delivery.event,
    deliveryId: delivery.deliveryId,
    messageIds: records.map((r) => r.messageId),
  });
  const processor = deps.processors[delivery.forge];
  if (!processor) {
    logger.error(
      {},
      `${delivery.forge} is not configured on the worker: the message will be retried, then dead-lettered`,
    );
    return false;
  }
  try {
    await processor(delivery, logger);
    return true;
  } catch (err) {
    logger.error(
      { err, receiveCount: Number(records[0]?.attributes?.ApproximateReceiveCount ?? 1) },
      "delivery failed: reported for a retry",
    );
    return false;
  }
}
