import type { CiCompletedEvent } from "../events.js";
import { readCiPicture, type CiPicture } from "../ci-picture.js";
import { factoryIssueOf, followUpFactoryChange } from "../task/fix-loop.js";
import type { CiCompletedDeps } from "./ci-completed.js";

/**
 * Checks finished on the head of the bot's own PRs/MRs: run a fix attempt when red (`ci.fix_attempts`),
 * mark it ready for review when green (`pull_request.ready_when_green`), whatever `ci.comments` says.
 */
export async function handleFactoryFollowUp(
  event: CiCompletedEvent,
  deps: CiCompletedDeps,
  read: Promise<CiPicture> = readCiPicture(event, deps.forge, deps.logger),
): Promise<void> {
  const { forge } = deps;
  const picture = await read;
  const { config } = picture;
  if (!config) return;
  const followed = picture.changeRequests.filter((cr) => factoryIssueOf(forge, cr) !== null);
  if (followed.length === 0) return;
  const jobs = await picture.allJobs();
  const failureSummary = (await picture.failed()).length > 0 ? await picture.failingSummary() : "";
  for (const changeRequest of followed)
    await followUpFactoryChange({ config, changeRequest, jobs, failureSummary }, deps);
}
