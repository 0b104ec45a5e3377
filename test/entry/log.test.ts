import { Writable } from "node:stream";
import { pino } from "pino";
import { quietSignatureFailures } from "../../src/entry/log.js";

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
