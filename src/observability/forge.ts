import { isForgeWrite } from "../core/audit.js";
import type { Forge } from "../core/forge.js";
import { MARKERS } from "../core/markers.js";
import type { Observation, Tracing } from "../core/tracing.js";
import type { FactoryMetrics } from "./metrics.js";

/** A sticky CI summary is written by creating or updating a comment that carries its marker. */
function writesCiSummary(method: string, args: unknown[]): boolean {
  const body = method === "createComment" ? args[1] : method === "updateComment" ? args[2] : undefined;
  return typeof body === "string" && body.includes(MARKERS.ciSummary);
}

/**
 * The forge with a span around its config load and each write (`forge.<method>`), counting CI
 * summaries written. A Proxy, as in the audit wrapper: adapters keep private fields.
 */
export function observedForge(forge: Forge, tracing: Tracing, metrics: FactoryMetrics | null): Forge {
  const attributes = { forge: forge.kind, repo: forge.repo.fullName };
  return new Proxy(forge, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const bound = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
      if (prop === "loadConfig")
        return (...args: unknown[]) => tracing.span("config.load", attributes, () => bound(...args));
      if (!isForgeWrite(prop)) return bound;
      const method = prop as string;
      return async (...args: unknown[]) => {
        const result = await tracing.span(`forge.${method}`, { ...attributes, "forge.write": method }, () =>
          bound(...args),
        );
        if (metrics && writesCiSummary(method, args)) metrics.ciSummaries.inc({ forge: forge.kind });
        return result;
      };
    },
  });
}

/** What the server hands the adapters: spans when tracing is on, forge observation when anything is on. */
export function serverObservation(tracing: Tracing, metrics: FactoryMetrics | null): Observation {
  return { tracing, forge: (forge) => observedForge(forge, tracing, metrics) };
}
