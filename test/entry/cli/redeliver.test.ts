import { PassThrough } from "node:stream";
import { MARKERS, decodeState } from "../../../src/core/markers.js";
import type { TaskState } from "../../../src/core/task-state.js";
import {
  parseDuration,
  pickRedeliveries,
  redeliverCommandWith,
  type HookDelivery,
} from "../../../src/entry/cli/redeliver.js";
import { main } from "../../../src/entry/cli.js";
import { allowExactly } from "../../helpers/allow.js";
import { AGENT_COMMAND, TASK_CONFIG, TEST_COMMAND } from "../../helpers/e2e-task.js";
import type { HookDeliveryRecord } from "../../helpers/fake-github-server.js";
import { labeledPayload, startGitHubE2E, type GitHubE2E } from "../../helpers/github-e2e.js";
import { validateGitHubRequest } from "../../helpers/github-openapi.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString();
let nextId = 1;
function delivery(guid: string, hoursAgo: number, statusCode: number, redelivery = false): HookDeliveryRecord {
  return {
    id: nextId++,
    guid,
    delivered_at: at(hoursAgo),
    redelivery,
    duration: 0.2,
    status: statusCode >= 200 && statusCode < 300 ? "OK" : `Invalid HTTP Response: ${statusCode}`,
    status_code: statusCode,
    event: "issues",
    action: "labeled",
    installation_id: 42,
    repository_id: 1,
  };
}

describe("pickRedeliveries", () => {
  it("asks once for each failed guid in the window that no later attempt delivered", () => {
    const deliveries: HookDelivery[] = [
      delivery("ok", 1, 200),
      delivery("failed-once", 2, 502),
      delivery("failed-twice", 3, 504),
      delivery("failed-twice", 1, 502, true),
      delivery("already-redelivered", 4, 500),
      delivery("already-redelivered", 3, 202, true),
      delivery("too-old", 7, 502),
      delivery("no-answer", 5, 0),
    ];
    const picked = pickRedeliveries(deliveries, new Date(NOW.getTime() - 6 * 3_600_000));
    expect(picked.map((d) => [d.guid, d.delivered_at])).toEqual([
      ["no-answer", at(5)],
      ["failed-once", at(2)],
      ["failed-twice", at(1)],
    ]);
  });

  it.each([
    ["6h", 6 * 3_600_000],
    ["30m", 1_800_000],
    ["2d", 172_800_000],
    ["90s", 90_000],
    ["6", null],
    ["h", null],
    ["-1h", null],
  ])("reads --since %s", (text, ms) => expect(parseDuration(text)).toBe(ms));
});

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += String(c)));
  stderr.on("data", (c) => (err += String(c)));
  return { io: { stdin: new PassThrough(), stdout, stderr, cwd: process.cwd(), env }, out: () => out, err: () => err };
}

describe("factory-bot redeliver", () => {
  it("is listed in the CLI's usage and has --help", async () => {
    const usage = io();
    await main(["--help"], usage.io);
    expect(usage.out()).toContain("factory-bot redeliver [--since 6h] [--dry-run]");
    const help = io();
    expect(await main(["redeliver", "--help"], help.io)).toBe(0);
    expect(help.out()).toContain("POST /app/hook/deliveries/{id}/attempts");
  });

  it("refuses a bad --since and missing credentials with a clear message", async () => {
    const bad = io({ APP_ID: "1", PRIVATE_KEY: "x" });
    expect(await redeliverCommandWith()(["--since", "yesterday"], bad.io)).toBe(2);
    expect(bad.err()).toContain("--since takes a duration");
    const none = io();
    expect(await redeliverCommandWith()([], none.io)).toBe(2);
    expect(none.err()).toContain("set APP_ID and PRIVATE_KEY");
  });

  describe("against the server and a fake GitHub", () => {
    let e2e: GitHubE2E;
    const redeliveries: Array<Promise<number>> = [];

    beforeEach(async () => {
      e2e = await startGitHubE2E(
        { ".github/factory.yml": TASK_CONFIG, "README.md": "# widgets\n" },
        { FACTORY_ALLOWED_COMMANDS: allowExactly(AGENT_COMMAND, TEST_COMMAND) },
      );
      e2e.fake.onRequest = (req) => {
        const check = validateGitHubRequest(req.method, req.path + (req.query.size ? `?${req.query}` : ""), req.body);
        e2e.problems.push(...check.problems.map((p) => `${req.method} ${req.path}: ${p}`));
      };
    });
    afterEach(() => e2e.stop());

    /** The CLI with the server's own credentials, app-authenticated (JWT) against the fake. */
    function cli(args: string[]) {
      const env = {
        APP_ID: "1",
        PRIVATE_KEY: e2e.privateKey,
        GHE_HOST: e2e.fake.host,
        GHE_PROTOCOL: "http",
      };
      const out = io(env);
      return redeliverCommandWith({ now: () => new Date() })(args, out.io).then((code) => ({ code, ...out }));
    }

    it("lists every page, asks only for the failed ones, and --dry-run asks for nothing", async () => {
      const records = Array.from({ length: 130 }, (_, i) => delivery(`g-${i}`, 0, i % 50 === 7 ? 502 : 202));
      records.forEach((r) => (r.delivered_at = new Date(Date.now() - 60_000).toISOString()));
      e2e.fake.hookDeliveries = [...records];
      const asked: number[] = [];
      e2e.fake.redeliver = async (d) => (asked.push(d.id), 202);
      const dry = await cli(["--dry-run"]);
      expect(dry.code).toBe(0);
      expect(dry.out()).toContain("130 deliveries listed; 3 failed");
      expect(asked).toEqual([]);
      const gets = e2e.fake.requests.filter((r) => r.path === "/app/hook/deliveries");
      expect(gets.map((r) => r.query.get("cursor"))).toEqual([null, "100"]);
      const real = await cli(["--since", "1h"]);
      expect(real.code).toBe(0);
      expect(asked.sort((a, b) => a - b)).toEqual([records[7]!.id, records[57]!.id, records[107]!.id]);
      expect(e2e.problems).toEqual([]);
    });

    it("finishes a delivery that half-ran: one branch commit, one PR, one progress comment", async () => {
      const fake = e2e.fake;
      // The first run pushes the branch, then PR creation is refused; the edge answered GitHub 504.
      fake.injectFault("POST", /\/pulls$/, {
        kind: "status",
        status: 403,
        body: { message: "Resource not accessible by integration" },
      });
      const payload = labeledPayload(fake);
      expect((await e2e.deliver("issues", payload, "guid-half")).status).toBe(200);
      await e2e.server.jobs.drain();
      expect(fake.pulls).toHaveLength(0);
      // The refusal is reported once, as the error it is (and not printed as an unexpected one).
      expect(e2e.takeLogs((line) => line.msg === "task failed" && line.level === 50)).toHaveLength(1);
      const branch = [...fake.refs.keys()].find((r) => r.startsWith("heads/factory/"))!;
      expect(branch).toBeDefined();
      const firstHead = fake.refs.get(branch)!;
      fake.hookDeliveries = [
        { ...delivery("guid-half", 0, 504), delivered_at: new Date(Date.now() - 60_000).toISOString() },
      ];
      fake.redeliver = (d) => {
        const sent = e2e.deliver("issues", payload, d.guid).then((r) => r.status);
        redeliveries.push(sent);
        return sent;
      };

      const result = await cli(["--since", "6h"]);
      expect(result.code).toBe(0);
      expect(result.out()).toContain("redelivered guid-half");
      await Promise.all(redeliveries);
      await e2e.server.jobs.drain();

      expect(fake.pulls).toHaveLength(1);
      expect(fake.refs.get(branch)).toBe(firstHead); // no second commit
      const taskComments = fake.comments.filter((c) => c.body.includes(MARKERS.task));
      expect(taskComments).toHaveLength(1);
      expect(decodeState<TaskState>(taskComments[0]!.body)).toMatchObject({ phase: "opened" });
      // Asking again finds nothing left: the redelivery succeeded.
      const again = await cli(["--since", "6h"]);
      expect(again.out()).toContain("0 failed");
      expect(fake.pulls).toHaveLength(1);
      expect(e2e.problems).toEqual([]);
    });
  });
});
