import { systemClock } from "../../core/deps.js";
import { awsJsonClient } from "./aws-json.js";
import { lambdaEnv, lambdaLogger } from "./setup.js";
import { workerDepsFromEnv } from "./worker-setup.js";
import { createWorkerHandler } from "./worker-handler.js";

/**
 * Lambda entry of the worker function (SQS event source, `ReportBatchItemFailures`). Probot and the
 * GitLab client are set up once per container, before the first batch, outside the handler.
 */
const logger = lambdaLogger(process.env, "worker");
const env = await lambdaEnv(process.env, awsJsonClient(), logger);

export const handler = createWorkerHandler(await workerDepsFromEnv(env, { clock: systemClock, logger }));
