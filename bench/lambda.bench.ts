/**
 * Lambda: bundle sizes and cold start (a fresh `node` process imports the bundle and answers one
 * signed webhook), median of 10, side by side with a bare Probot 14 handler bundled the same way
 * (target: factory-bot's HTTP function at most 1.2 times bare Probot). Then the time from request
 * to 202 for an accepted event in a warm HTTP function, median of 100, and its share of the cold
 * start. The HTTP function runs as deployed: secrets from SSM, deliveries to SQS, both a local
 * fake on 127.0.0.1. Run alone: `npx tsx bench/lambda.bench.ts`.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { BUNDLE_OPTIONS, buildLambdaBundles } from "../scripts/build-lambda.js";
import { encodeDelivery } from "../src/entry/lambda/queue.js";
import { githubExample, signGitHub } from "../test/helpers/webhooks.js";
import { startFakeAws } from "../test/entry/fixtures/fake-aws.js";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const out = join(here, "../dist/bench/lambda"); // dist/: ignored by git and eslint
const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 10);
const WARM = Number(process.env.BENCH_WARM_RUNS ?? 100);
const SECRET = "bench-webhook-secret";
const TARGET_RATIO = 1.2;

interface DriverResult {
  importMs: number;
  firstEventMs: number;
  coldMs: number;
  status: number;
  warm: number[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const kib = (file: string) => `${(statSync(file).size / 1024).toFixed(0)} KiB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** One accepted `issues.labeled` delivery by a person, as an HTTP API (v2) event. */
function acceptedEvent(deliveryId: string) {
  const payload = githubExample("issues", "labeled");
  payload.sender = { ...payload.sender, login: "alice", type: "User" };
  payload.label = { ...payload.label, name: "factory" };
  delete payload.issue.pull_request;
  const body = JSON.stringify(payload);
  return {
    version: "2.0",
    routeKey: "POST /api/github/webhooks",
    rawPath: "/api/github/webhooks",
    rawQueryString: "",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": signGitHub(body, SECRET),
    },
    requestContext: {
      http: { method: "POST", path: "/api/github/webhooks" },
      requestId: deliveryId,
      stage: "$default",
    },
    body,
    isBase64Encoded: false,
  };
}

async function drive(bundle: string, eventsFile: string, env: NodeJS.ProcessEnv, warm = 0): Promise<DriverResult> {
  const { stdout } = await run(
    process.execPath,
    [join(here, "fixtures/lambda-driver.mjs"), bundle, eventsFile, String(warm)],
    { env },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!) as DriverResult;
}

async function coldStarts(
  name: string,
  bundle: string,
  eventsFile: string,
  env: NodeJS.ProcessEnv,
  expectStatus: number | undefined,
) {
  const results: DriverResult[] = [];
  for (let i = 0; i < RUNS; i++) results.push(await drive(bundle, eventsFile, env));
  const wrong = results.find((r) => r.status !== expectStatus);
  if (wrong) throw new Error(`${name} answered ${wrong.status}, expected ${expectStatus}`);
  return {
    import: median(results.map((r) => r.importMs)),
    first: median(results.map((r) => r.firstEventMs)),
    cold: median(results.map((r) => r.coldMs)),
  };
}

async function main() {
  mkdirSync(out, { recursive: true });
  const ours = await buildLambdaBundles(join(out, "factory-bot"));
  const bare = join(out, "bare-probot/index.mjs");
  await build({ ...BUNDLE_OPTIONS, entryPoints: [join(here, "fixtures/bare-probot-lambda.ts")], outfile: bare });
  const http = ours.find((b) => b.name === "http")!.file;
  const worker = ours.find((b) => b.name === "worker")!.file;

  const events = Array.from({ length: WARM + 1 }, (_, i) => acceptedEvent(`bench-${i}`));
  const eventsFile = join(out, "events.json");
  writeFileSync(eventsFile, JSON.stringify(events));
  // The worker's first batch: one queued delivery that starts no work, so no GitHub API is needed.
  const star = JSON.stringify(githubExample("star", "created"));
  const queued = encodeDelivery({ forge: "github", event: "star", deliveryId: "bench-worker", body: star });
  const workerEventsFile = join(out, "worker-events.json");
  writeFileSync(
    workerEventsFile,
    JSON.stringify([{ Records: [{ messageId: "m-1", body: queued, attributes: { ApproximateReceiveCount: "1" } }] }]),
  );
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  const aws = await startFakeAws({ "/factory-bot/WEBHOOK_SECRET": SECRET });
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    LOG_LEVEL: "error" as const,
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIAFAKE",
    AWS_SECRET_ACCESS_KEY: "fake",
    NODE_NO_WARNINGS: "1",
  };
  const httpEnv: NodeJS.ProcessEnv = {
    ...base,
    AWS_ENDPOINT_URL_SSM: aws.url,
    AWS_ENDPOINT_URL_SQS: aws.url,
    FACTORY_SSM_PARAMETERS: "/factory-bot/WEBHOOK_SECRET,/factory-bot/GITLAB_WEBHOOK_SECRET",
    FACTORY_QUEUE_URL: `${aws.url}/123456789012/factory-bot-bench-deliveries`,
  };
  const bareEnv: NodeJS.ProcessEnv = {
    ...base,
    APP_ID: "1",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: SECRET,
    LOG_LEVEL: "fatal",
  };
  const workerEnv: NodeJS.ProcessEnv = {
    ...bareEnv,
    AWS_ENDPOINT_URL_SSM: aws.url,
    FACTORY_SSM_PARAMETERS: "/factory-bot/WEBHOOK_SECRET",
  };

  try {
    const factory = await coldStarts("factory-bot HTTP function", http, eventsFile, httpEnv, 202);
    const probot = await coldStarts("bare Probot 14", bare, eventsFile, bareEnv, 200);
    const workerCold = await coldStarts("factory-bot worker", worker, workerEventsFile, workerEnv, undefined);
    const warm = await drive(http, eventsFile, httpEnv, WARM);
    const accepted = median(warm.warm);
    const ratio = factory.cold / probot.cold;

    console.log(
      `| bundle | size | cold start (import + first signed event), median of ${RUNS} | import | first event |`,
    );
    console.log("| --- | --- | --- | --- | --- |");
    console.log(
      `| factory-bot HTTP function | ${kib(http)} | ${ms(factory.cold)} | ${ms(factory.import)} | ${ms(factory.first)} (SSM + SQS, 202) |`,
    );
    console.log(
      `| bare Probot 14 handler | ${kib(bare)} | ${ms(probot.cold)} | ${ms(probot.import)} | ${ms(probot.first)} (200) |`,
    );
    console.log(
      `| factory-bot worker | ${kib(worker)} | ${ms(workerCold.cold)} | ${ms(workerCold.import)} | ${ms(workerCold.first)} (a queued event that starts no work) |`,
    );
    console.log("");
    console.log(
      `cold start ratio factory-bot / bare Probot: ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}) ${ratio <= TARGET_RATIO ? "OK" : "OVER TARGET"}`,
    );
    console.log(
      `request → 202 for an accepted event, warm, median of ${WARM}: ${ms(accepted)} (${((accepted / factory.cold) * 100).toFixed(1)}% of the cold start); SQS messages sent: ${aws.messages().length}`,
    );
    if (ratio > TARGET_RATIO) process.exitCode = 1;
  } finally {
    await aws.close();
  }
}

await main();
