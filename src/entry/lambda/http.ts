import { awsJsonClient } from "./aws-json.js";
import { createHttpHandler } from "./http-handler.js";
import { httpDepsFromEnv, queueUrlFromEnv } from "./http-setup.js";
import { SqsDeliveryQueue } from "./queue.js";
import { lambdaEnv, lambdaLogger } from "./setup.js";

/**
 * Lambda entry of the HTTP function (API Gateway REST or HTTP API, or a Function URL). Everything
 * is set up once per container, before the first event, outside the handler.
 */
const logger = lambdaLogger(process.env, "http");
const aws = awsJsonClient();
const env = await lambdaEnv(process.env, aws, logger);
const queue = new SqsDeliveryQueue(aws, queueUrlFromEnv(env));

export const handler = createHttpHandler(httpDepsFromEnv(env, queue, logger));
