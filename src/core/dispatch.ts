import { withAudit } from "./audit.js";
import { resilientForge } from "./resilient-forge.js";
import type { TaskCancellation } from "./cancellation.js";
import type { Clock, Logger } from "./deps.js";
import type { CoreEvent } from "./events.js";
import type { Forge } from "./forge.js";
import { handleCiCompleted } from "./handlers/ci-completed.js";
import { handleCommand } from "./handlers/command.js";
import { handleConfigCheck } from "./handlers/config-check.js";
import { handleIssueLabeled } from "./handlers/issue-labeled.js";
import { handleTaskRunCompleted } from "./handlers/task-run-completed.js";
import { handleReviewSubmitted } from "./handlers/review-submitted.js";
import { originAllows, startsWork } from "./origin.js";
import { runnerWithOrigin, type TaskOrigin, type TaskRunner } from "./task-runner.js";

/** One webhook delivery as an adapter hands it over: core events and the way to the forge. */
export interface Delivery {
  deliveryId: string;
  /** Names the repository in serialization keys (`github:acme/widgets`, `gitlab:7`). */
  repoKey: string;
  events: CoreEvent[];
  /** Carries forge, repo and delivery id. */
  logger: Logger;
  /** Where this forge reads the config (`.github/factory.yml`, …). */
  configPaths: readonly string[];
  /** The repository's forge; may call the API once (the app's own login). */
  forge(): Promise<Forge>;
  /** The same as data, for a runner that queues tasks for other replicas (`REDIS_URL`). */
  origin?: TaskOrigin;
  /** Called by the host once every job of this delivery has finished, however it ended. */
  settled?: () => void;
}

/** What the host gives every handler besides the forge. */
export interface DispatchDeps {
  runner: TaskRunner;
  clock: Clock;
  /** Running local tasks, so `/factory stop` and shutdown can abort one. */
  cancellation?: TaskCancellation;
}

/** One piece of work a delivery starts; the host decides when it runs. */
export interface Job {
  name: string;
  /** Jobs with the same key run one after another. */
  key?: string;
  logger: Logger;
  run(): Promise<void>;
}

/** How a host takes a delivery: the server backgrounds its jobs, the Lambda worker awaits them. */
export type Deliver = (delivery: Delivery) => Promise<void>;

interface HandlerDeps extends DispatchDeps {
  forge: Forge;
  logger: Logger;
  configPaths: readonly string[];
}

interface Route<E extends CoreEvent> {
  job: string;
  /** Serialization key within the repository, when jobs of this kind must not overlap. */
  key?(event: E): string;
  handle(event: E, deps: HandlerDeps): Promise<void>;
}

type Routes = { [T in CoreEvent["type"]]: Array<Route<Extract<CoreEvent, { type: T }>>> };

const ROUTES: Routes = {
  "issue.labeled": [
    {
      // Not serialized per issue: deliveries racing for one issue are settled by claiming its task
      // comment, whereas one queued behind a finished task would look like a deliberate relabel.
      job: "task",
      handle: (event, deps) => handleIssueLabeled(event, deps),
    },
  ],
  "ci.completed": [
    {
      // Several workflows finishing on one commit would otherwise race to write the same comment.
      job: "ci-summary",
      key: (event) => `@${event.headSha}`,
      handle: (event, deps) => handleCiCompleted(event, deps),
    },
  ],
  "task-run.completed": [
    {
      job: "task-run",
      key: (event) => `#${event.issueNumber}`,
      handle: (event, deps) => handleTaskRunCompleted(event, deps),
    },
  ],
  "change.updated": [
    {
      job: "config-check",
      key: (event) => `!${event.number}`,
      handle: (event, deps) => handleConfigCheck(event, deps),
    },
  ],
  "review.submitted": [
    {
      // Reviews of one PR answered one after another: the second sees the first's round in the trailers.
      job: "review-round",
      key: (event) => `!${event.number}`,
      handle: (event, deps) => handleReviewSubmitted(event, deps),
    },
  ],
  command: [
    {
      // Not serialized with the task: `/factory stop` must reach a task that is running.
      job: "command",
      handle: (event, deps) => handleCommand(event, deps),
    },
  ],
};

function routesOf(event: CoreEvent): Array<Route<CoreEvent>> {
  return ROUTES[event.type] as Array<Route<CoreEvent>>;
}

/** The jobs one delivery starts, each checking its event's origin once the forge is known. */
export function jobsFor(delivery: Delivery, deps: DispatchDeps): Job[] {
  let forge: Promise<Forge> | null = null;
  const forgeOnce = () => (forge ??= delivery.forge());
  return delivery.events.filter(startsWork).flatMap((event) =>
    routesOf(event).map((route) => ({
      name: route.job,
      ...(route.key ? { key: `${delivery.repoKey}${route.key(event)}` } : {}),
      logger: delivery.logger,
      run: () => runRoute(route, event, delivery, deps, forgeOnce),
    })),
  );
}

async function runRoute(
  route: Route<CoreEvent>,
  event: CoreEvent,
  delivery: Delivery,
  deps: DispatchDeps,
  forgeOnce: () => Promise<Forge>,
): Promise<void> {
  const { logger } = delivery;
  const forge = await forgeOnce();
  if (!originAllows(event, forge)) {
    const why =
      event.type === "task-run.completed"
        ? "a task run's result counts only from a pipeline the bot created"
        : "events caused by the bot start nothing";
    return logger.info({ actor: event.actor.login, job: route.job }, why);
  }
  // Retries sit inside the audit: one audit line per write, however many attempts it took.
  const audited = withAudit(resilientForge(forge, logger), logger, {
    actor: event.actor.login,
    deliveryId: delivery.deliveryId,
  });
  const runner = delivery.origin ? runnerWithOrigin(deps.runner, delivery.origin) : deps.runner;
  await route.handle(event, { ...deps, runner, forge: audited, logger, configPaths: delivery.configPaths });
}
