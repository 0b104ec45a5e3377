import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from "aws-lambda";

/**
 * The three HTTP event shapes Lambda hands a function: API Gateway REST (payload v1), HTTP API
 * (payload v2) and Function URLs (the v2 shape with `routeKey: "$default"`).
 */
export type LambdaHttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

/** One HTTP request as the webhook intake reads it, whatever the event shape. */
export interface WebhookRequest {
  method: string;
  path: string;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string | undefined>;
  /** The body as sent (base64 bodies decoded), so signatures are checked over the same bytes. */
  body: string;
}

/** What every shape accepts as an answer (v2 also takes a bare string; this form suits all three). */
export interface LambdaHttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function isV2(event: LambdaHttpEvent): event is APIGatewayProxyEventV2 {
  return (event as APIGatewayProxyEventV2).version === "2.0";
}

export function toWebhookRequest(event: LambdaHttpEvent): WebhookRequest {
  const method = isV2(event) ? event.requestContext.http.method : event.httpMethod;
  const path = isV2(event) ? event.rawPath : event.path;
  return {
    method: method.toUpperCase(),
    path,
    headers: lowerCaseHeaders(event.headers),
    body: decodeBody(event.body, event.isBase64Encoded),
  };
}

/**
 * API Gateway REST keeps the sender's header case (`X-GitHub-Event`); HTTP API and Function URLs
 * lower-case them. The signature checks look names up lower-cased, as Node does.
 */
export function lowerCaseHeaders(
  headers: Record<string, string | undefined> | null | undefined,
): Record<string, string | undefined> {
  const lowered: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) lowered[name.toLowerCase()] = value;
  }
  return lowered;
}

/** Binary media types, Function URLs and some proxies hand the body over base64-encoded. */
function decodeBody(body: string | null | undefined, isBase64Encoded: boolean | undefined): string {
  if (!body) return "";
  return isBase64Encoded ? Buffer.from(body, "base64").toString("utf8") : body;
}

export function jsonResult(statusCode: number, body: object, headers: Record<string, string> = {}): LambdaHttpResult {
  return { statusCode, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}
