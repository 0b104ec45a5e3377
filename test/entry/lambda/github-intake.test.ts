import { generateKeyPairSync } from "node:crypto";
import { createRequire } from "node:module";
import type { EmitterWebhookEvent } from "@octokit/webhooks";
import { Probot } from "probot";
import { inBackground, type BackgroundJobs } from "../../../src/entry/background-jobs.js";
import { githubWouldHandle } from "../../../src/entry/lambda/github-intake.js";
import { LambdaTaskRunner } from "../../../src/entry/lambda/lambda-runner.js";
import { factoryGitHubApp } from "../../../src/github/app.js";
import { fixedClock } from "../../helpers/logger.js";
import { TestOctokit } from "../../helpers/octokit.js";

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const require = createRequire(import.meta.url);
const groups = require("@octokit/webhooks-examples/api.github.com/index.json") as Array<{
  name: string;
  examples: Payload[];
}>;

const human = { login: "alice", type: "User", id: 1 };
const bot = { login: "renovate[bot]", type: "Bot", id: 2 };

/** Variants that reach the branches the documented examples do not: commands, task runs, humans and bots. */
function variants(name: string, example: Payload): Payload[] {
  const copies = [example, { ...example, sender: human }, { ...example, sender: bot }];
  if (name === "issue_comment") {
    for (const sender of [human, bot])
      copies.push({ ...example, sender, comment: { ...example.comment, body: "/factory retry" } });
  }
  if (name === "issues")
    copies.push({
      ...example,
      sender: human,
      label: { name: "factory" },
      issue: { ...example.issue, pull_request: undefined },
    });
  if (name === "workflow_run" && example.workflow_run) {
    const run = {
      ...example.workflow_run,
      display_title: "factory task #12 (attempt 1)",
      event: "workflow_dispatch",
      head_repository: { full_name: example.repository?.full_name },
    };
    copies.push(
      { ...example, workflow_run: run },
      { ...example, workflow_run: { ...example.workflow_run, conclusion: "failure" } },
    );
  }
  if (name === "check_run" && example.check_run) {
    copies.push({ ...example, check_run: { ...example.check_run, conclusion: "failure", app: { slug: "circleci" } } });
    copies.push({
      ...example,
      check_run: { ...example.check_run, conclusion: "failure", app: { slug: "github-actions" } },
    });
  }
  return copies.map((copy) => structuredClone(copy));
}

const cases = groups.flatMap((group) =>
  group.examples.flatMap((example) => variants(group.name, example).map((payload) => ({ name: group.name, payload }))),
);

describe("the HTTP function's GitHub filter", () => {
  const started: string[] = [];
  const recordingJobs = { start: (name: string) => started.push(name) } as unknown as BackgroundJobs;
  let probot: Probot;

  beforeAll(async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    probot = new Probot({
      appId: 1,
      privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      secret: "s",
      Octokit: TestOctokit,
      logLevel: "fatal",
    });
    const deliver = inBackground(recordingJobs, { runner: new LambdaTaskRunner(), clock: fixedClock() });
    await probot.load(factoryGitHubApp({ deliver }));
  });

  it("queues exactly the deliveries for which the Probot app starts work, over every documented payload", async () => {
    expect(cases.length).toBeGreaterThan(300);
    const disagreements: string[] = [];
    let handled = 0;
    for (const [index, { name, payload }] of cases.entries()) {
      started.length = 0;
      await probot.receive({ id: `example-${index}`, name, payload } as EmitterWebhookEvent);
      const appStartsWork = started.length > 0;
      if (appStartsWork) handled++;
      if (githubWouldHandle(name, payload) !== appStartsWork) {
        disagreements.push(
          `${name}.${payload.action}: app ${appStartsWork ? "starts" : "skips"} ${started.join(",") || "work"}, filter says ${!appStartsWork}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
    // The variants reach every kind of work the app does, so the comparison means something.
    expect(handled).toBeGreaterThan(10);
  });
});
