import type { IncomingMessage, ServerResponse } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { ForgeKind } from "../core/forge.js";
import type { TaskRunner } from "../core/task-runner.js";

/**
 * The Prometheus series of one server (docs/observability.md). Labels are bounded: forge, a known
 * event name or `other`, an outcome from a fixed set, an HTTP method and status code; never a
 * repository, user or id.
 */
export class FactoryMetrics {
  readonly registry = new Registry();
  readonly deliveries = new Counter({
    name: "factory_webhook_deliveries_total",
    help: "Webhook deliveries answered, by forge, event and outcome (ok: 2xx, refused: 4xx, error: 5xx).",
    labelNames: ["forge", "event", "outcome"] as const,
    registers: [this.registry],
  });
  readonly tasks = new Counter({
    name: "factory_tasks_total",
    help: "Tasks the runner finished, by forge and outcome (completed, agent-failed, refused, dispatched, aborted, error).",
    labelNames: ["forge", "outcome"] as const,
    registers: [this.registry],
  });
  readonly taskDuration = new Histogram({
    name: "factory_task_duration_seconds",
    help: "Time from a task leaving the queue to its result (agent, tests and change set).",
    labelNames: ["forge"] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
    registers: [this.registry],
  });
  readonly forgeRequests = new Counter({
    name: "factory_forge_requests_total",
    help: "Forge API requests, by forge, HTTP method and final status code (after retries; `error` when no response).",
    labelNames: ["forge", "method", "status"] as const,
    registers: [this.registry],
  });
  readonly ciSummaries = new Counter({
    name: "factory_ci_summaries_total",
    help: "CI failure summary comments written or updated, by forge.",
    labelNames: ["forge"] as const,
    registers: [this.registry],
  });
  #queued = 0;
  #running = 0;

  constructor() {
    const queued = () => this.#queued;
    const running = () => this.#running;
    new Gauge({
      name: "factory_task_queue_depth",
      help: "Tasks waiting for a free runner slot (FACTORY_MAX_TASKS).",
      registers: [this.registry],
      collect() {
        this.set(queued());
      },
    });
    new Gauge({
      name: "factory_tasks_running",
      help: "Tasks running now.",
      registers: [this.registry],
      collect() {
        this.set(running());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  forgeRequest(forge: ForgeKind, method: string, status: number | "error"): void {
    this.forgeRequests.inc({ forge, method: knownMethod(method), status: String(status) });
  }

  /** The runner, counting its tasks for `forge` (one runner serves both forges through two wrappers). */
  runner(runner: TaskRunner, forge: ForgeKind): TaskRunner {
    return {
      run: async (task, ctx) => {
        const phase: { now: "queued" | "running" | "done" } = { now: "queued" };
        this.#queued += 1;
        let startedAt = performance.now();
        const leave = () => {
          if (phase.now === "queued") this.#queued -= 1;
          if (phase.now === "running") this.#running -= 1;
          phase.now = "done";
        };
        const started = async () => {
          if (phase.now === "queued") {
            this.#queued -= 1;
            this.#running += 1;
            phase.now = "running";
            startedAt = performance.now();
          }
          await ctx.started?.();
        };
        try {
          const result = await runner.run(task, { ...ctx, started });
          this.tasks.inc({ forge, outcome: result.kind });
          if (phase.now === "running") this.taskDuration.observe({ forge }, (performance.now() - startedAt) / 1000);
          return result;
        } catch (err) {
          this.tasks.inc({ forge, outcome: ctx.signal?.aborted ? "aborted" : "error" });
          throw err;
        } finally {
          leave();
        }
      },
    };
  }
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);

function knownMethod(method: string): string {
  const upper = method.toUpperCase();
  return METHODS.has(upper) ? upper : "OTHER";
}

/** `outcome` of a delivery from its HTTP status. */
export function deliveryOutcome(status: number): "ok" | "refused" | "error" {
  if (status < 400) return "ok";
  return status < 500 ? "refused" : "error";
}

export interface WebhookRoute {
  forge: ForgeKind;
  path: string;
  /** The request header naming the event. */
  eventHeader: string;
  /** Events that become their own label value; anything else (an unsigned request can say anything) is `other`. */
  events: ReadonlySet<string>;
}

/**
 * Counts each webhook request once its answer is sent. Called first for every request of the
 * server, before any handler, so refused deliveries count too.
 */
export function deliveryObserver(metrics: FactoryMetrics, routes: readonly WebhookRoute[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== "POST") return;
    const path = (req.url ?? "").split("?")[0];
    const route = routes.find((r) => r.path === path);
    if (!route) return;
    const header = req.headers[route.eventHeader];
    const event = typeof header === "string" && route.events.has(header) ? header : "other";
    res.once("finish", () =>
      metrics.deliveries.inc({ forge: route.forge, event, outcome: deliveryOutcome(res.statusCode) }),
    );
  };
}

/** `GET /metrics`: the Prometheus text format. */
export function metricsHandler(metrics: FactoryMetrics) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if ((req.url ?? "").split("?")[0] !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const body = await metrics.registry.metrics();
    res
      .writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" })
      .end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}

/** `FACTORY_METRICS=off` turns `/metrics` and the counting off. */
export function metricsEnabled(env: NodeJS.ProcessEnv): boolean {
  return !["off", "false", "0"].includes((env.FACTORY_METRICS ?? "").trim().toLowerCase());
}
