import { resolveConfig } from "../../../src/config/index.js";
import { handleConfigCheck } from "../../../src/core/handlers/config-check.js";
import type { ChangeRequestUpdatedEvent } from "../../../src/core/events.js";
import { FakeForge } from "../../helpers/fake-forge.js";
import { makeConfig } from "../../helpers/config.js";
import { fixedClock, recordingLogger } from "../../helpers/logger.js";

const HEAD = "d".repeat(40);
const event: ChangeRequestUpdatedEvent = {
  type: "change.updated",
  deliveryId: "d",
  actor: { login: "alice", isBot: false },
  number: 3,
  headSha: HEAD,
};

function setup(changed: string[]) {
  const forge = new FakeForge();
  forge.changedFiles.set(3, changed);
  return {
    forge,
    deps: { forge, logger: recordingLogger(), clock: fixedClock(), configPaths: [".github/factory.yml"] },
  };
}

describe("factory/config status", () => {
  it("fails with file, line, column and message when the PR's config is invalid", async () => {
    const { forge, deps } = setup(["src/a.ts", ".github/factory.yml"]);
    forge.configAt.set(HEAD, {
      status: "invalid",
      problems: [
        {
          file: ".github/factory.yml",
          line: 4,
          column: 3,
          key: "ci.comments",
          message: "`ci.comments` must be one of all, factory, off",
        },
      ],
    });
    await handleConfigCheck(event, deps);
    expect(forge.statuses).toEqual([
      {
        sha: HEAD,
        context: "factory/config",
        state: "failure",
        description: "factory.yml:4:3 `ci.comments` must be one of all, factory, off",
      },
    ]);
  });

  it("keeps the count of the other problems within GitHub's 140 characters when there are hundreds", async () => {
    const { forge, deps } = setup([".github/factory.yml"]);
    const text = Array.from({ length: 600 }, (_, i) => `unknown_key_${i}: ${i}`).join("\n");
    forge.configAt.set(HEAD, resolveConfig([{ file: ".github/factory.yml", text }]));
    await handleConfigCheck(event, deps);
    const [status] = forge.statuses;
    expect(status!.description.length).toBeLessThanOrEqual(140);
    expect(status!.description).toMatch(
      /^factory\.yml:1:1 unknown key `unknown_key_0` at the top level; .*… \(\+599 more\)$/,
    );
  });

  it("passes a valid config read at the PR head, not the default branch", async () => {
    const { forge, deps } = setup([".github/factory.yml"]);
    forge.config = { status: "invalid", problems: [] };
    forge.configAt.set(HEAD, { status: "ok", config: makeConfig(), files: [".github/factory.yml"] });
    await handleConfigCheck(event, deps);
    expect(forge.statuses[0]).toMatchObject({ state: "success", description: "Factory config is valid" });
  });

  it("does nothing for PRs that do not touch the config", async () => {
    const { forge, deps } = setup(["src/a.ts"]);
    await handleConfigCheck(event, deps);
    expect(forge.writes).toEqual([]);
    expect(forge.calls).not.toContain("loadConfig");
  });
});
