/**
 * Webhook throughput and p99 latency for signed events the bot ignores, side by side with a bare
 * Probot 14 server (no-op handler) in the same run, plus the API calls those events caused.
 * Target: at least 0.9 of bare Probot's throughput, zero API calls.
 */
import { fork, type ChildProcess } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { freePort, githubExample, signGitHub } from "../test/helpers/webhooks.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = 32;
const ROUNDS = 3;
const SECRET = "bench-secret";

// Events a production install receives constantly and must ignore cheaply.
function ignoredEvents() {
  const byBot = githubExample("issues", "labeled");
  byBot.sender = { ...byBot.sender, login: "renovate[bot]", type: "Bot" };
  byBot.installation = { id: 1 };
  const push = githubExample("push", undefined);
  const star = githubExample("star", "created");
  const suite = githubExample("check_suite", "completed");
  return [
    { name: "issues", payload: byBot },
    { name: "push", payload: push },
    { name: "star", payload: star },
    { name: "check_suite", payload: suite },
  ].map((e) => {
    const body = JSON.stringify(e.payload);
    return { name: e.name, body, signature: signGitHub(body, SECRET) };
  });
}

async function countingApi(): Promise<{ url: string; count: () => number; close: () => void }> {
  let count = 0;
  const server = createServer((req, res) => {
    count++;
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    close: () => server.close(),
  };
}

async function startServer(kind: string, port: number, gheHost: string): Promise<ChildProcess> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const child = fork(fileURLToPath(new URL("./servers/webhook-server.ts", import.meta.url)), [kind], {
    execArgv: ["--import", "tsx"],
    env: {
      PATH: process.env.PATH,
      APP_ID: "1",
      PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: gheHost,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "error",
      LOG_FORMAT: "json",
    },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return child;
}

async function load(port: number, events: ReturnType<typeof ignoredEvents>) {
  const url = `http://127.0.0.1:${port}/api/github/webhooks`;
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const event = events[i % events.length]!;
        const t0 = performance.now();
        const res = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": event.name,
            "x-github-delivery": `bench-${i}`,
            "x-hub-signature-256": event.signature,
          },
          body: event.body,
        });
        await res.arrayBuffer();
        if (res.status >= 300) failures++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rps: REQUESTS / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
    failures,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const events = ignoredEvents();
const api = await countingApi();
const results: Record<string, Array<Awaited<ReturnType<typeof load>>>> = { bare: [], factory: [] };
const servers: Record<string, { port: number; child: ChildProcess }> = {};
for (const kind of ["bare", "factory"]) {
  const port = await freePort();
  servers[kind] = { port, child: await startServer(kind, port, api.url) };
  await load(port, events); // warm-up
}
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of round % 2 === 0 ? ["bare", "factory"] : ["factory", "bare"])
    results[kind]!.push(await load(servers[kind]!.port, events));
}
for (const { child } of Object.values(servers)) child.kill();
api.close();

console.log(
  `${REQUESTS} signed ignored events (issues.labeled by a bot, push, star, check_suite) per round, ${CONCURRENCY} at a time, median of ${ROUNDS} rounds:\n`,
);
console.log("| server | requests/s | p50 ms | p99 ms | non-2xx |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const kind of ["bare", "factory"]) {
  const r = results[kind]!;
  console.log(
    `| ${kind === "bare" ? "bare Probot 14" : "factory-bot"} | ${median(r.map((x) => x.rps)).toFixed(0)} | ${median(r.map((x) => x.p50)).toFixed(2)} | ${median(r.map((x) => x.p99)).toFixed(2)} | ${r.reduce((n, x) => n + x.failures, 0)} |`,
  );
}
const ratio = median(results.factory!.map((x) => x.rps)) / median(results.bare!.map((x) => x.rps));
console.log(`\nThroughput ratio factory-bot / bare Probot: ${ratio.toFixed(2)} (target ≥ 0.90)`);
console.log(`API calls caused by the ignored events: ${api.count()} (target 0)`);
