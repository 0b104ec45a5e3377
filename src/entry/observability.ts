import type { IncomingMessage, ServerResponse } from "node:http";
import type { ForgeKind } from "../core/forge.js";
import type { TaskRunner } from "../core/task-runner.js";
import { noObservation, type ForgeRequestObserver, type Observation } from "../core/tracing.js";
import { GITHUB_EVENTS } from "../github/events.js";
import { GITLAB_WEBHOOK_PATH } from "../gitlab/node-handler.js";
import { serverObservation } from "../observability/forge.js";
import {
  deliveryObserver,
  FactoryMetrics,
  metricsEnabled,
  metricsHandler,
  type WebhookRoute,
} from "../observability/metrics.js";
import { startTelemetry, type Telemetry } from "../observability/telemetry.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** Probot's default, which `WEBHOOK_PATH` changes. */
const GITHUB_WEBHOOK_PATH = "/api/github/webhooks";

// The hooks a GitLab project or group webhook sends (https://docs.gitlab.com/user/project/integrations/webhook_events/).
const GITLAB_EVENTS = new Set([
  "Push Hook",
  "Tag Push Hook",
  "Issue Hook",
  "Confidential Issue Hook",
  "Note Hook",
  "Confidential Note Hook",
  "Merge Request Hook",
  "Wiki Page Hook",
  "Pipeline Hook",
  "Job Hook",
  "Deployment Hook",
  "Release Hook",
  "Emoji Hook",
  "Member Hook",
  "Milestone Hook",
]);

/** Metrics, traces and audit export of one server, each on only when configured (docs/observability.md). */
export interface ServerObservability {
  /** Null when `FACTORY_METRICS=off`. */
  metrics: FactoryMetrics | null;
  telemetry: Telemetry;
  /** For the adapters: a span per delivery, the forge observed. */
  observation: Observation;
  /** `GET /metrics`, when metrics are on. */
  handlers: Handler[];
  /** Called first for every HTTP request: counts webhook deliveries by their answer. */
  observeRequest(req: IncomingMessage, res: ServerResponse): void;
  /** The runner as seen from one forge: tasks counted and timed. */
  runner(runner: TaskRunner, forge: ForgeKind): TaskRunner;
  /** Counts one forge's API requests, or undefined when metrics are off. */
  forgeRequests(forge: ForgeKind): ForgeRequestObserver | undefined;
}

export async function startObservability(env: NodeJS.ProcessEnv, version: string): Promise<ServerObservability> {
  const telemetry = await startTelemetry(env, version);
  const metrics = metricsEnabled(env) ? new FactoryMetrics() : null;
  const observation = metrics || telemetry.enabled ? serverObservation(telemetry.tracing, metrics) : noObservation;
  const routes: WebhookRoute[] = [
    {
      forge: "github",
      path: env.WEBHOOK_PATH || GITHUB_WEBHOOK_PATH,
      eventHeader: "x-github-event",
      events: new Set(GITHUB_EVENTS.map((name) => name.split(".")[0]!)),
    },
    { forge: "gitlab", path: GITLAB_WEBHOOK_PATH, eventHeader: "x-gitlab-event", events: GITLAB_EVENTS },
  ];
  return {
    metrics,
    telemetry,
    observation,
    handlers: metrics ? [metricsHandler(metrics)] : [],
    observeRequest: metrics ? deliveryObserver(metrics, routes) : () => undefined,
    runner: (runner, forge) => (metrics ? metrics.runner(runner, forge) : runner),
    forgeRequests: (forge) => (metrics ? (method, status) => metrics.forgeRequest(forge, method, status) : undefined),
  };
}
