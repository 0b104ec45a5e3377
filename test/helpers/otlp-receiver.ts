import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import { LocalServer, sendJson } from "./local-server.js";

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type OtlpAttribute = { key: string; value: OtlpValue };

interface Resource {
  resource?: { attributes?: OtlpAttribute[] };
}
interface ResourceSpans extends Resource {
  scopeSpans?: Array<{
    spans?: Array<{
      traceId: string;
      spanId: string;
      parentSpanId?: string;
      name: string;
      attributes?: OtlpAttribute[];
      status?: ReceivedSpan["status"];
    }>;
  }>;
}
interface ResourceLogs extends Resource {
  scopeLogs?: Array<{
    logRecords?: Array<{
      traceId?: string;
      spanId?: string;
      eventName?: string;
      severityText?: string;
      body?: OtlpValue;
      attributes?: OtlpAttribute[];
    }>;
  }>;
}

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  resource: Record<string, unknown>;
}

export interface ReceivedLogRecord {
  traceId: string;
  spanId: string;
  eventName?: string;
  severityText?: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? [])
    out[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue);
  return out;
}

/**
 * An OTLP/HTTP collector on 127.0.0.1 that decodes what it is sent (JSON encoding, gzip or not)
 * into spans and log records.
 */
export class OtlpReceiver extends LocalServer {
  readonly spans: ReceivedSpan[] = [];
  readonly logRecords: ReceivedLogRecord[] = [];
  readonly contentTypes: string[] = [];

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
    this.contentTypes.push(String(req.headers["content-type"]));
    const data = JSON.parse(body.toString("utf8")) as {
      resourceSpans?: ResourceSpans[];
      resourceLogs?: ResourceLogs[];
    };
    if (req.url === "/v1/traces") this.receiveTraces(data);
    else if (req.url === "/v1/logs") this.receiveLogs(data);
    else return sendJson(res, 404, { message: `no route ${req.url}` });
    sendJson(res, 200, {});
  }

  private receiveTraces(data: { resourceSpans?: ResourceSpans[] }): void {
    for (const rs of data.resourceSpans ?? []) {
      const resource = attributes(rs.resource?.attributes);
      for (const scope of rs.scopeSpans ?? [])
        for (const span of scope.spans ?? [])
          this.spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ?? "",
            name: span.name,
            attributes: attributes(span.attributes),
            status: span.status ?? {},
            resource,
          });
    }
  }

  private receiveLogs(data: { resourceLogs?: ResourceLogs[] }): void {
    for (const rl of data.resourceLogs ?? []) {
      const resource = attributes(rl.resource?.attributes);
      for (const scope of rl.scopeLogs ?? [])
        for (const record of scope.logRecords ?? [])
          this.logRecords.push({
            traceId: record.traceId ?? "",
            spanId: record.spanId ?? "",
            eventName: record.eventName,
            severityText: record.severityText,
            body: record.body?.stringValue,
            attributes: attributes(record.attributes),
            resource,
          });
    }
  }
}
