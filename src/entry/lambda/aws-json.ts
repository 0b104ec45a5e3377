import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import aws4 from "aws4";

/**
 * The two AWS calls the functions make (SQS SendMessage, SSM GetParameters) over AWS's JSON
 * protocol, signed with SigV4 by `aws4`. The AWS SDK v3 clients cost 50 to 70 ms each to load,
 * more than a whole bare Probot handler's cold start (bench/lambda.bench.ts); this costs about 10.
 * Lambda always provides credentials and region as environment variables; `AWS_ENDPOINT_URL_<SERVICE>`
 * and `AWS_ENDPOINT_URL` override the endpoint as they do for the SDK.
 */
export type AwsService = "sqs" | "ssm";

const PROTOCOL: Record<AwsService, { contentType: string; targetPrefix: string }> = {
  sqs: { contentType: "application/x-amz-json-1.0", targetPrefix: "AmazonSQS" },
  ssm: { contentType: "application/x-amz-json-1.1", targetPrefix: "AmazonSSM" },
};

/** One retry for a dropped connection or a 5xx, as the SDK's standard mode would. */
const ATTEMPTS = 2;
const TIMEOUT_MS = 5000;

export class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code} (${status}): ${message}`);
  }
}

export type AwsCall = <T>(service: AwsService, operation: string, input: object) => Promise<T>;

export function awsJsonClient(env: NodeJS.ProcessEnv = process.env): AwsCall {
  return async <T>(service: AwsService, operation: string, input: object): Promise<T> => {
    const signed = signedRequest(env, service, operation, JSON.stringify(input));
    for (let attempt = 1; ; attempt++) {
      try {
        return (await send(signed)) as T;
      } catch (error) {
        const retryable = !(error instanceof AwsError) || error.status >= 500;
        if (!retryable || attempt >= ATTEMPTS) throw error;
      }
    }
  };
}

interface SignedRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
}

function signedRequest(env: NodeJS.ProcessEnv, service: AwsService, operation: string, body: string): SignedRequest {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("AWS_REGION is not set (Lambda sets it)");
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  if (!accessKeyId || !secretAccessKey)
    throw new Error(
      "AWS credentials are not in the environment (Lambda sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
    );
  const url = new URL(
    env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ||
      env.AWS_ENDPOINT_URL ||
      `https://${service}.${region}.amazonaws.com/`,
  );
  const { contentType, targetPrefix } = PROTOCOL[service];
  const options = {
    host: url.host,
    path: url.pathname || "/",
    method: "POST",
    service,
    region,
    headers: { "content-type": contentType, "x-amz-target": `${targetPrefix}.${operation}` },
    body,
  };
  aws4.sign(options, { accessKeyId, secretAccessKey, sessionToken });
  return { url, headers: options.headers as Record<string, string>, body };
}

function send({ url, headers, body }: SignedRequest): Promise<unknown> {
  const request = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers, timeout: TIMEOUT_MS }, (res) => {
      readJson(res).then((json) => {
        if ((res.statusCode ?? 0) < 300) return resolve(json);
        const fault = json as { __type?: string; message?: string; Message?: string };
        reject(
          new AwsError(
            res.statusCode ?? 0,
            (fault.__type ?? "UnknownError").split("#").pop()!,
            fault.message ?? fault.Message ?? "",
          ),
        );
      }, reject);
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url.host} within ${TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

async function readJson(res: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of res) text += (chunk as Buffer).toString("utf8");
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { __type: "InvalidResponse", message: text.slice(0, 200) };
  }
}
