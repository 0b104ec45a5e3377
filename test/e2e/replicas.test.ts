import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MARKERS } from "../../src/core/markers.js";
import { allowExactly } from "../helpers/allow.js";
import { FakeGitHub } from "../helpers/fake-github-server.js";
import { E2E_SECRET, labeledPayload } from "../helpers/github-e2e.js";
import { RedisServer } from "../helpers/redis-server.js";
import { Replica } from "../helpers/replica.js";
import { postGitHubWebhook } from "../helpers/webhooks.js";

// The agent records where and when it ran, then takes long enough to be killed mid-run.
const AGENT = `echo "start $FACTORY_ISSUE_NUMBER $E2E_REPLICA" >> "$E2E_RUNS_FILE"; sleep 2; printf 'export const dark = true;\\n' > theme.ts; printf 'Added a dark theme flag.' > "$FACTORY_SUMMARY_FILE"; echo "end $FACTORY_ISSUE_NUMBER $E2E_REPLICA" >> "$E2E_RUNS_FILE"`;
const TEST = "test -f theme.ts";
const CONFIG = `
agent:
  command: ${JSON.stringify(AGENT)}
  timeout_seconds: 60
tests:
  - name: theme exists
    command: ${TEST}
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, check: () => T | Promise<T>, ms = 60_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe("several replicas on one Redis (REDIS_URL)", () => {
  const redis = new RedisServer();
  const fake = new FakeGitHub({ ".github/factory.yml": CONFIG, "README.md": "# widgets\n" });
  const dir = mkdtempSync(join(tmpdir(), "factory-replicas-"));
  const runsFile = join(dir, "runs");
  let replicas: Replica[] = [];

  const runs = () =>
    readFileSync(runsFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [event, issue, replica] = line.split(" ");
        return { event: event!, issue: Number(issue), replica: replica! };
      });
  const issuePayload = (issue: number, title: string) => {
    const payload = labeledPayload(fake);
    payload.issue.number = issue;
    payload.issue.title = title;
    return payload;
  };
  const deliver = (replica: Replica, payload: unknown, deliveryId: string) =>
    postGitHubWebhook(`${replica.url}/api/github/webhooks`, "issues", payload, { secret: E2E_SECRET, deliveryId });
  const pullFor = (issue: number) => fake.pulls.find((p) => p.head.startsWith(`factory/${issue}-`));
  const taskComments = (issue: number) =>
    fake.comments.filter((c) => c.issue === issue && c.body.includes(MARKERS.task));

  beforeAll(async () => {
    writeFileSync(runsFile, "");
    fake.permissions.set("alice", "write");
    await Promise.all([redis.start(), fake.start()]);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const env: NodeJS.ProcessEnv = {
      APP_ID: "1",
      PRIVATE_KEY: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
      WEBHOOK_SECRET: E2E_SECRET,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: (process.env.E2E_LOG_LEVEL ?? "warn") as "warn",
      LOG_FORMAT: "json",
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: redis.url,
      FACTORY_QUEUE_LOCK_SECONDS: "2",
      FACTORY_MAX_TASKS: "2",
      FACTORY_MAX_TASKS_PER_REPO: "1",
      FACTORY_ALLOWED_COMMANDS: allowExactly(AGENT, TEST),
      FACTORY_AGENT_ENV: "E2E_RUNS_FILE,E2E_REPLICA",
      FACTORY_SANDBOX: "none",
      FACTORY_SHUTDOWN_SECONDS: "1",
      E2E_RUNS_FILE: runsFile,
    };
    replicas = ["r1", "r2", "r3"].map((name) => new Replica(name, { ...env, FACTORY_WORKDIR: dir }));
    await Promise.all(replicas.map((r) => r.start()));
  }, 120_000);

  afterEach(() => {
    if (process.env.E2E_DUMP) for (const r of replicas) writeFileSync(`${process.env.E2E_DUMP}-${r.name}`, r.output);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([redis.stop(), fake.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("concurrent and redelivered deliveries spread over three replicas make one branch, one PR, one agent run", async () => {
    const payload = issuePayload(12, "Add a dark theme");
    const [r1, r2, r3] = replicas as [Replica, Replica, Replica];
    const answers = await Promise.all([
      deliver(r1, payload, "d-12-a"),
      deliver(r2, payload, "d-12-a"),
      deliver(r3, payload, "d-12-b"),
      deliver(r1, payload, "d-12-b"),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    await until("the pull request", () => pullFor(12));
    expect((await deliver(r2, payload, "d-12-a")).status).toBe(200); // a late redelivery elsewhere
    await sleep(1500);

    expect(fake.pulls.filter((p) => p.head.startsWith("factory/12-"))).toHaveLength(1);
    expect([...fake.refs.keys()].filter((ref) => ref.startsWith("heads/factory/12-"))).toHaveLength(1);
    expect(taskComments(12)).toHaveLength(1);
    expect(runs().filter((r) => r.issue === 12 && r.event === "start")).toHaveLength(1);
    expect(pullFor(12)!.body).toContain("Closes #12");
  }, 90_000);

  it("runs one repository's tasks one at a time across replicas (FACTORY_MAX_TASKS_PER_REPO=1)", async () => {
    const [r1, r2, r3] = replicas as [Replica, Replica, Replica];
    await Promise.all([
      deliver(r1, issuePayload(20, "First task"), "d-20"),
      deliver(r2, issuePayload(21, "Second task"), "d-21"),
      deliver(r3, issuePayload(22, "Third task"), "d-22"),
    ]);
    await until("three pull requests", () => pullFor(20) && pullFor(21) && pullFor(22), 90_000);
    const events = runs().filter((r) => r.issue >= 20 && r.issue <= 22);
    let running = 0;
    let most = 0;
    for (const e of events) {
      running += e.event === "start" ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(events.filter((e) => e.event === "start")).toHaveLength(3);
    expect(most).toBe(1);
  }, 120_000);

  it("a task whose replica is killed mid-run finishes on another replica", async () => {
    const payload = issuePayload(30, "Survive a crash");
    expect((await deliver(replicas[0]!, payload, "d-30")).status).toBe(200);
    const first = await until("the agent to start", () => runs().find((r) => r.issue === 30 && r.event === "start"));
    const victim = replicas.find((r) => r.name === first.replica)!;
    victim.kill();
    await until("the pull request", () => pullFor(30), 60_000);
    const mine = runs().filter((r) => r.issue === 30);
    const resumed = mine.filter((r) => r.event === "start" && r.replica !== victim.name);
    expect(resumed).toHaveLength(1);
    // The killed replica's agent may still finish on its own (a crashed container would take it along).
    expect(mine.filter((r) => r.event === "end").map((r) => r.replica)).toContain(resumed[0]!.replica);
    expect(fake.pulls.filter((p) => p.head.startsWith("factory/30-"))).toHaveLength(1);
    await until("the task comment to link the PR", () => taskComments(30)[0]?.body.includes(`#${pullFor(30)!.number}`));
    expect(taskComments(30)).toHaveLength(1);
  }, 90_000);

  it("answers deliveries while Redis is away, reports it on /healthz, and recovers when Redis comes back empty", async () => {
    const alive = replicas.filter((r) => r.alive);
    await redis.stop();
    await until("/healthz to report Redis down", async () => (await alive[0]!.health()).redis === false);
    expect(await alive[0]!.health()).toMatchObject({ status: "ok", redis: false, ready: false });
    const payload = issuePayload(40, "While Redis is away");
    expect((await deliver(alive[0]!, payload, "d-40")).status).toBe(200);

    // The task could not be queued: the issue says so and how to go on, nothing is lost silently.
    const failed = await until("the issue to say the task could not be queued", () =>
      taskComments(40)[0]?.body.includes("unreachable") ? taskComments(40)[0] : null,
    );
    expect(failed.body).toContain("/factory retry");
    expect(pullFor(40)).toBeUndefined();

    await redis.start(); // same port, no data: every limiter and queue key is gone
    await Promise.all(alive.map((r) => until("/healthz to report Redis back", async () => (await r.health()).redis)));
    expect((await deliver(alive[1]!, payload, "d-40-relabel")).status).toBe(200);
    expect((await deliver(alive[0]!, issuePayload(41, "After Redis came back"), "d-41")).status).toBe(200);
    await until("both pull requests after Redis came back", () => pullFor(40) && pullFor(41), 60_000);
    expect(taskComments(40)).toHaveLength(1);
  }, 150_000);
});
