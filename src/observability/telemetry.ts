import { noTracing, type Tracing } from "../core/tracing.js";
import type { AuditSink } from "../entry/log.js";

/** Traces and audit log records, or nothing (the default). */
export interface Telemetry {
  /** Whether spans and audit records are exported. */
  enabled: boolean;
  tracing: Tracing;
  audit?: AuditSink;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

export interface OtelSettings {
  tracesUrl: string;
  logsUrl: string;
  headers: Record<string, string>;
  serviceName: string;
  version: string;
}

const OFF: Telemetry = { enabled: false, tracing: noTracing, shutdown: () => Promise.resolve() };

/** `a=b,c=d`, values percent-decoded, as the OpenTelemetry specification defines `OTEL_EXPORTER_OTLP_HEADERS`. */
export function parseOtlpHeaders(raw: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (raw ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

/**
 * The OpenTelemetry settings from the standard variables, or null when `OTEL_EXPORTER_OTLP_ENDPOINT`
 * is unset (or `OTEL_SDK_DISABLED=true`). Signal paths are appended to the base endpoint, unless a
 * signal's own endpoint variable is set.
 */
export function otelSettingsFromEnv(env: NodeJS.ProcessEnv, version: string): OtelSettings | null {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return null;
  const base = endpoint.replace(/\/+$/, "");
  return {
    tracesUrl: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || `${base}/v1/traces`,
    logsUrl: env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT?.trim() || `${base}/v1/logs`,
    headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || "factory-bot",
    version,
  };
}

/** Loads the OpenTelemetry SDK only when it is configured: without it, nothing is imported. */
export async function startTelemetry(env: NodeJS.ProcessEnv, version: string): Promise<Telemetry> {
  const settings = otelSettingsFromEnv(env, version);
  if (!settings) return OFF;
  const { startOpenTelemetry } = await import("./otel.js");
  return startOpenTelemetry(settings);
}
