/**
 * REDIS_URL against one process, same run: webhook throughput of routed deliveries (each one a
 * Redis `SET NX EX` for de-duplication with REDIS_URL), API calls per task (queued through
 * BullMQ with REDIS_URL, the in-memory queue without), and the time a task takes to resume on
 * another replica after its replica is killed (FACTORY_QUEUE_LOCK_SECONDS=2 here; the default 30).
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { allowExactly } from "../test/helpers/allow.js";
import { FakeGitHub } from "../test/helpers/fake-github-server.js";
import { E2E_SECRET, labeledPayload } from "../test/helpers/github-e2e.js";
import { RedisServer } from "../test/helpers/redis-server.js";
import { Replica } from "../test/helpers/replica.js";
import { postGitHubWebhook } from "../test/helpers/webhooks.js";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const CONCURRENCY = 16;
const AGENT = `echo "start $FACTORY_ISSUE_NUMBER $E2E_REPLICA $(date +%s%3N)" >> "$E2E_RUNS_FILE"; sleep 2; printf 'x\\n' > theme.ts`;
const CONFIG = `agent:\n  command: ${JSON.stringify(AGENT)}\n  timeout_seconds: 60\n`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(check: () => T, ms = 90_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(20);
  }
}

async function main() {
  const redis = new RedisServer();
  const fake = new FakeGitHub({ ".github/factory.yml": CONFIG, "README.md": "# widgets\n" });
  fake.permissions.set("alice", "write");
  const dir = mkdtempSync(join(tmpdir(), "factory-bench-"));
  const runsFile = join(dir, "runs");
  writeFileSync(runsFile, "");
  await Promise.all([redis.start(), fake.start()]);
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const env: NodeJS.ProcessEnv = {
    APP_ID: "1",
    PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    WEBHOOK_SECRET: E2E_SECRET,
    GHE_HOST: fake.host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "error",
    LOG_FORMAT: "json",
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FACTORY_WORKDIR: dir,
    FACTORY_QUEUE_LOCK_SECONDS: "2",
    FACTORY_ALLOWED_COMMANDS: allowExactly(AGENT),
    FACTORY_AGENT_ENV: "E2E_RUNS_FILE,E2E_REPLICA",
    FACTORY_SANDBOX: "none",
    E2E_RUNS_FILE: runsFile,
  };
  const single = new Replica("single", env);
  const shared = [
    new Replica("a", { ...env, REDIS_URL: redis.url }),
    new Replica("b", { ...env, REDIS_URL: redis.url }),
  ];
  await Promise.all([single, ...shared].map((r) => r.start()));

  // First, while nothing else runs: every API call counted belongs to the task.
  const apiCalls = async (replica: Replica, issue: number) => {
    const payload = labeledPayload(fake);
    payload.issue.number = issue;
    payload.issue.title = `Task ${issue}`;
    const before = fake.requests.length;
    await postGitHubWebhook(`${replica.url}/api/github/webhooks`, "issues", payload, {
      secret: E2E_SECRET,
      deliveryId: `task-${issue}`,
    });
    await until(() =>
      fake.comments.find((c) => c.issue === issue && /"phase":"(opened|failed|no-changes)"/.test(c.body)),
    );
    await sleep(500);
    return fake.requests.length - before;
  };
  const singleCalls = await apiCalls(single, 100);
  const redisCalls = await apiCalls(shared[0]!, 101);
  console.log(`GitHub API calls for one task: one process ${singleCalls}, REDIS_URL ${redisCalls}`);

  // Routed deliveries the bot then finds nothing to do for: a label that is not the trigger.
  const labeled = labeledPayload(fake);
  labeled.label = { ...labeled.label, name: "bug" };
  const throughput = async (replica: Replica, tag: string) => {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) {
          const id = `${tag}-${next++}`;
          const res = await postGitHubWebhook(`${replica.url}/api/github/webhooks`, "issues", labeled, {
            secret: E2E_SECRET,
            deliveryId: id,
          });
          await res.arrayBuffer();
        }
      }),
    );
    return REQUESTS / ((performance.now() - started) / 1000);
  };
  const rounds: Array<{ single: number; redis: number }> = [];
  for (let round = 0; round < 3; round++) {
    rounds.push({ single: await throughput(single, `s${round}`), redis: await throughput(shared[0]!, `r${round}`) });
  }
  const best = (k: "single" | "redis") => Math.max(...rounds.map((r) => r[k]));
  console.log(`webhook throughput (${REQUESTS} routed deliveries, ${CONCURRENCY} at once, best of 3):`);
  console.log(`  one process:  ${best("single").toFixed(0)} req/s`);
  console.log(
    `  REDIS_URL:    ${best("redis").toFixed(0)} req/s  (ratio ${(best("redis") / best("single")).toFixed(2)})`,
  );
  await sleep(3000); // let the background work of those deliveries finish

  // Resume after a crash: from SIGKILL to the agent starting again on the other replica.
  const payload = labeledPayload(fake);
  payload.issue.number = 200;
  payload.issue.title = "Crash";
  await postGitHubWebhook(`${shared[0]!.url}/api/github/webhooks`, "issues", payload, {
    secret: E2E_SECRET,
    deliveryId: "crash",
  });
  const lines = () =>
    readFileSync(runsFile, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("start 200 "));
  const first = (await until(() => lines()[0])).split(" ")[2]!;
  const victim = shared.find((r) => r.name === first)!;
  const killedAt = Date.now();
  victim.kill();
  const resumed = await until(() => lines()[1]);
  console.log(
    `task resumed on replica ${resumed.split(" ")[2]} ${((Number(resumed.split(" ")[3]) - killedAt) / 1000).toFixed(1)} s after its replica was killed (FACTORY_QUEUE_LOCK_SECONDS=2)`,
  );

  await Promise.all([single.stop(), ...shared.map((r) => r.stop())]);
  await Promise.all([redis.stop(), fake.stop()]);
  rmSync(dir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
