import type { AppClient } from "../../src/entry/cli/redeliver.js";
import { redeliverIntervalMs, startRedeliverSchedule } from "../../src/entry/redeliver-schedule.js";
import { recordingLogger } from "../helpers/logger.js";

const NOW = new Date("2026-12-01T12:00:00Z");

/** An app client whose deliveries are one failed guid; records what was asked. */
function client() {
  const calls: string[] = [];
  const api: AppClient = {
    request: async (route, params) => {
      calls.push(`${route} ${JSON.stringify(params)}`);
      if (route.startsWith("GET"))
        return {
          data: [
            {
              id: 9,
              guid: "g-1",
              delivered_at: new Date(NOW.getTime() - 20 * 60_000).toISOString(),
              redelivery: false,
              status: "Invalid HTTP Response: 502",
              status_code: 502,
              event: "issues",
              action: "labeled",
            },
          ],
          headers: {},
        };
      return { data: {}, headers: {} };
    },
  };
  return { api, calls };
}

function schedule(env: NodeJS.ProcessEnv, lease?: () => Promise<boolean>) {
  const { api, calls } = client();
  const ticks: Array<() => void> = [];
  let every: number | null = null;
  const logger = recordingLogger();
  const stop = startRedeliverSchedule({
    env,
    logger,
    client: async () => api,
    lease,
    now: () => NOW,
    every: (ms, run) => {
      every = ms;
      ticks.push(run);
      return () => ticks.splice(0);
    },
  });
  const tick = async () => {
    ticks.forEach((t) => t());
    await new Promise((r) => setTimeout(r, 10));
  };
  return { stop, calls, tick, every: () => every, logger };
}

describe("FACTORY_REDELIVER_MINUTES", () => {
  it.each([[undefined], ["0"], ["soon"], ["-5"]])("is off when %j", (value) => {
    expect(redeliverIntervalMs({ FACTORY_REDELIVER_MINUTES: value })).toBeNull();
    expect(schedule({ FACTORY_REDELIVER_MINUTES: value }).stop).toBeNull();
  });

  it("sweeps every N minutes and asks once for each failed delivery", async () => {
    const s = schedule({ FACTORY_REDELIVER_MINUTES: "15" });
    expect(s.every()).toBe(15 * 60_000);
    await s.tick();
    expect(s.calls).toEqual([
      'GET /app/hook/deliveries {"per_page":100}',
      'POST /app/hook/deliveries/{delivery_id}/attempts {"delivery_id":9}',
    ]);
    expect(s.logger.lines.find((l) => l.msg === "redelivery sweep")).toMatchObject({ redelivered: ["g-1"] });
  });

  it("does nothing on a replica that does not hold the lease", async () => {
    const s = schedule({ FACTORY_REDELIVER_MINUTES: "15" }, async () => false);
    await s.tick();
    expect(s.calls).toEqual([]);
  });
});
