import { Readable } from "node:stream";
import { readCiPicture } from "../../src/core/ci-picture.js";
import type { CiCompletedEvent } from "../../src/core/events.js";
import type { ChangeRequest, CiJob } from "../../src/core/forge.js";
import { FakeForge } from "../helpers/fake-forge.js";
import { recordingLogger } from "../helpers/logger.js";

const HEAD = "a".repeat(40);

function job(name: string, state: CiJob["state"]): CiJob {
  const log = "src/cart.ts(12,7): error TS2322: Type 'string' is not assignable to type 'number'.\n";
  return { id: name, name, url: `https://ci.test/${name}`, state, openLog: async () => Readable.from([log]) };
}

function forgeWithPr(overrides: Partial<ChangeRequest> = {}): FakeForge {
  const forge = new FakeForge();
  forge.changeRequests.push({
    number: 5,
    url: "https://github.test/acme/widgets/pull/5",
    title: "t",
    body: "",
    headBranch: "feature",
    headSha: HEAD,
    baseBranch: "main",
    draft: false,
    state: "open",
    author: "alice",
    labels: [],
    ...overrides,
  });
  forge.ciJobs.set(HEAD, [job("build", "failure"), job("lint", "pending"), job("factory/task", "failure")]);
  return forge;
}

const event: CiCompletedEvent = {
  type: "ci.completed",
  deliveryId: "d-1",
  actor: { login: "github-actions[bot]", isBot: true },
  headSha: HEAD,
  changeRequestNumbers: [5],
};

test("reads the commit's jobs once however many handlers ask, and leaves out the bot's own statuses", async () => {
  const forge = forgeWithPr();
  const picture = await readCiPicture(event, forge, recordingLogger());
  expect((await picture.failed()).map((j) => j.name)).toEqual(["build"]);
  expect(await picture.pending()).toBe(1);
  expect((await picture.allJobs()).map((j) => j.name)).toContain("factory/task");
  expect(await picture.failingSummary()).toContain("error TS2322");
  expect(forge.calls.filter((c) => c === "listCiJobs")).toHaveLength(1);
});

test("reads no job when no handler asks (nothing to comment on or follow up)", async () => {
  const forge = forgeWithPr();
  const picture = await readCiPicture(event, forge, recordingLogger());
  expect(picture.changeRequests.map((cr) => cr.number)).toEqual([5]);
  expect(forge.calls).not.toContain("listCiJobs");
});

test("a run for an older commit finds no change request whose head it is", async () => {
  const forge = forgeWithPr({ headSha: "b".repeat(40) });
  const picture = await readCiPicture(event, forge, recordingLogger());
  expect(picture.changeRequests).toEqual([]);
});
