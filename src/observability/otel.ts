/**
 * OpenTelemetry traces and audit log records over OTLP/HTTP (JSON). Loaded with a dynamic import
 * only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (see ./telemetry.ts), so a server without it
 * never loads the SDK.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { ROOT_CONTEXT, SpanStatusCode, trace, type Context } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { SpanAttributes, Tracing } from "../core/tracing.js";
import type { AuditSink } from "../entry/log.js";
import type { OtelSettings, Telemetry } from "./telemetry.js";

type Attributes = Record<string, string | number | boolean>;

function defined(attributes: Record<string, unknown>): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes))
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out[key] = value;
  return out;
}

export function startOpenTelemetry(settings: OtelSettings): Telemetry {
  const resource = resourceFromAttributes({
    "service.name": settings.serviceName,
    "service.version": settings.version,
  });
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.headers }),
      }),
    ],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: settings.logsUrl, headers: settings.headers }),
      }),
    ],
  });
  const tracer = tracerProvider.getTracer("factory-bot", settings.version);
  const auditLogger = loggerProvider.getLogger("factory-bot.audit", settings.version);
  // Our own context propagation: no global context manager is registered, so nothing else in
  // the process (Probot, Octokit) is affected.
  const current = new AsyncLocalStorage<Context>();

  const tracing: Tracing = {
    async span<T>(name: string, attributes: SpanAttributes, work: () => Promise<T>): Promise<T> {
      const parent = current.getStore() ?? ROOT_CONTEXT;
      const span = tracer.startSpan(name, { attributes: defined(attributes) }, parent);
      try {
        return await current.run(trace.setSpan(parent, span), work);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        throw err;
      } finally {
        span.end();
      }
    },
  };

  const audit: AuditSink = (fields, message) => {
    const failed = fields.outcome === "error";
    auditLogger.emit({
      eventName: "factory.audit",
      severityNumber: failed ? SeverityNumber.WARN : SeverityNumber.INFO,
      severityText: failed ? "WARN" : "INFO",
      body: message,
      attributes: defined(fields),
      // The forge write's span, so the record links to its trace.
      context: current.getStore() ?? ROOT_CONTEXT,
    });
  };

  return {
    enabled: true,
    tracing,
    audit,
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]);
    },
  };
}
