import type { CoreEvent } from "../../src/core/events.js";
import { originAllows, startsWork } from "../../src/core/origin.js";
import { FakeForge } from "../helpers/fake-forge.js";

const runDone = (actor: { login: string; isBot: boolean }): CoreEvent => ({
  type: "task-run.completed",
  deliveryId: "d",
  actor,
  issueNumber: 1,
  attempt: 1,
  runId: "1",
  url: "",
  succeeded: true,
});

describe("origin rules", () => {
  it("lets bots cause CI work but never a task or a command", () => {
    const bot = { login: "renovate[bot]", isBot: true };
    expect(
      startsWork({ type: "ci.completed", deliveryId: "d", actor: bot, headSha: "a", changeRequestNumbers: [] }),
    ).toBe(true);
    expect(
      startsWork({
        type: "command",
        deliveryId: "d",
        actor: bot,
        command: "retry",
        target: { kind: "issue", number: 1 },
        commentId: 1,
      }),
    ).toBe(false);
  });

  it("counts a task run only from the app where the forge says so", () => {
    const forge = new FakeForge();
    const person = { login: "mallory", isBot: false };
    expect(originAllows(runDone(person), forge)).toBe(true); // GitHub proves runs by the payload
    const gitlabLike = new FakeForge();
    gitlabLike.taskRunOrigin = "the-app";
    expect(originAllows(runDone(person), gitlabLike)).toBe(false);
    expect(originAllows(runDone({ login: gitlabLike.botLogin, isBot: true }), gitlabLike)).toBe(true);
  });
});
