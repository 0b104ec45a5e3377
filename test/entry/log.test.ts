import { Writable } from "node:stream";
import { pino } from "pino";
import { quietSignatureFailures, serverLog } from "../../src/entry/log.js";
import { parseStrictJson } from "../helpers/strict-json.js";
import { lambdaLogger } from "../../src/entry/lambda/setup.js";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ hooks: { logMethod: quietSignatureFailures } }, stream);
  return { log, lines };
}

describe("server log", () => {
  it("logs a webhook with a bad signature as one warning, without its payload", async () => {
    const { log, lines } = capture();
    const error = Object.assign(new Error("[@octokit/webhooks] signature does not match event payload and secret"), {
      event: { id: "d-1", name: "issues", payload: '{"secret-ish":"attacker text"}' },
      status: 400,
    });
    log.error(error);
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, deliveryId: "d-1", event: "issues", status: 400 });
    expect(JSON.stringify(lines[0])).not.toContain("attacker text");
  });

  it("leaves every other log line as it is", async () => {
    const { log, lines } = capture();
    log.error(new Error("GitHub comment creation: 502"));
    log.info({ repo: "acme/widgets" }, "forge write");
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [50, "GitHub comment creation: 502"],
      [30, "forge write"],
    ]);
  });
});

describe("serverLog", () => {
  async function lines(env: NodeJS.ProcessEnv, write: (log: Awaited<ReturnType<typeof serverLog>>) => void) {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const audited: Array<[Record<string, unknown>, string]> = [];
    const log = await serverLog(env, { destination, audit: (fields, message) => audited.push([fields, message]) });
    write(log);
    await new Promise((r) => setImmediate(r));
    return { text: chunks.join(""), audited };
  }

  it("writes each key once although child loggers and lines repeat them (the last value wins)", async () => {
    const { text } = await lines({ LOG_FORMAT: "json" }, (log) => {
      log.child({ name: "probot" }).child({ name: "event", id: "d-1" }).info({ id: "d-1", repo: "a/b" }, "handled");
    });
    const [line] = text.trim().split("\n");
    expect(() => parseStrictJson(line!)).not.toThrow();
    expect(JSON.parse(line!)).toMatchObject({ name: "event", id: "d-1", repo: "a/b", msg: "handled" });
    expect(line!.match(/"name":/g)).toHaveLength(1);
  });

  it("writes people's format with LOG_FORMAT=pretty", async () => {
    const { text } = await lines({ LOG_FORMAT: "pretty" }, (log) => log.info({ repo: "a/b" }, "hello"));
    expect(text).toContain("INFO");
    expect(text).toContain("hello");
    expect(() => JSON.parse(text)).toThrow();
  });

  it("hands audit lines, and only those, to the audit sink", async () => {
    const { audited } = await lines({ LOG_FORMAT: "json" }, (log) => {
      log.info({ audit: true, action: "createComment", outcome: "ok" }, "forge write");
      log.info({ repo: "a/b" }, "not an audit line");
    });
    expect(audited).toEqual([[{ audit: true, action: "createComment", outcome: "ok" }, "forge write"]]);
  });
});

describe("lambdaLogger", () => {
  it("writes each key once, as the servers do", () => {
    const written: string[] = [];
    const log = lambdaLogger({}, "worker", { write: (line: string) => written.push(line) });
    log.child({ forge: "gitlab", repo: "a/b" }).info({ forge: "gitlab", repo: "a/b" }, "handled");
    expect(written).toHaveLength(1);
    expect(parseStrictJson(written[0]!)).toMatchObject({ fn: "worker", forge: "gitlab", repo: "a/b", msg: "handled" });
  });
});
