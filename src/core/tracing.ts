import type { Forge } from "./forge.js";

/** Values a span may carry: ids, names and counts, never secrets or issue text. */
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

/**
 * The seam through which core and the runner mark units of work (config load, agent, tests, forge
 * writes). Injected, so core stays free of any tracing library; the server passes an
 * OpenTelemetry implementation only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (docs/observability.md).
 */
export interface Tracing {
  /** Runs `work` as a span, a child of the span `work`'s caller runs in; an error is recorded and rethrown. */
  span<T>(name: string, attributes: SpanAttributes, work: () => Promise<T>): Promise<T>;
}

export const noTracing: Tracing = { span: (_name, _attributes, work) => work() };

/** What the adapters apply to each delivery: a span around its work, and a watch on its forge. */
export interface Observation {
  tracing: Tracing;
  /** Wraps a repository's forge (outside the audit wrapper) to observe config loads and writes. */
  forge(forge: Forge): Forge;
}

export const noObservation: Observation = { tracing: noTracing, forge: (forge) => forge };

/** Told of each forge API request once it is settled (after retries): its method and status, or `error`. */
export type ForgeRequestObserver = (method: string, status: number | "error") => void;
