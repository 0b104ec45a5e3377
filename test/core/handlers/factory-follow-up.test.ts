import { Readable } from "node:stream";
import { handleFactoryFollowUp } from "../../../src/core/handlers/factory-follow-up.js";
import type { CiCompletedEvent } from "../../../src/core/events.js";
import type { CiJob } from "../../../src/core/forge.js";
import { FakeForge } from "../../helpers/fake-forge.js";
import { fixedClock, recordingLogger } from "../../helpers/logger.js";

const HEAD = "a".repeat(40);

function job(name: string, state: CiJob["state"]): CiJob {
  return { id: name, name, url: `https://ci.test/${name}`, state, openLog: async () => Readable.from(["boom\n"]) };
}

const event: CiCompletedEvent = {
  type: "ci.completed",
  deliveryId: "d-1",
  actor: { login: "github-actions[bot]", isBot: true },
  headSha: HEAD,
  changeRequestNumbers: [5],
};

function forgeWith(author: string): FakeForge {
  const forge = new FakeForge();
  forge.changeRequests.push({
    number: 5,
    url: "https://github.test/acme/widgets/pull/5",
    title: "t",
    body: "",
    headBranch: "factory/7-add-tax",
    headSha: HEAD,
    baseBranch: "main",
    draft: true,
    state: "open",
    author,
    labels: [],
  });
  forge.ciJobs.set(HEAD, [job("test", "success")]);
  return forge;
}

test("leaves a person's pull request alone without reading its CI", async () => {
  const forge = forgeWith("alice");
  await handleFactoryFollowUp(event, { forge, logger: recordingLogger(), clock: fixedClock() });
  expect(forge.calls).not.toContain("listCiJobs");
  expect(forge.calls).not.toContain("markReadyForReview");
  expect(forge.changeRequests[0]!.draft).toBe(true);
});

test("does nothing without a valid config (tasks are off)", async () => {
  const forge = forgeWith(new FakeForge().botLogin);
  forge.config = { status: "invalid", problems: [], files: [] } as never;
  await handleFactoryFollowUp(event, { forge, logger: recordingLogger(), clock: fixedClock() });
  expect(forge.calls).not.toContain("listCiJobs");
});
