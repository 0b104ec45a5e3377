/** A server under test for the webhook benchmark: `factory` (ours) or `bare` (Probot 14, no-op handler). */
import { run } from "probot";
import { startFactoryServer } from "../../src/entry/server.js";

const kind = process.argv[2];
const env = { ...process.env };
if (kind === "factory") {
  await startFactoryServer({ env });
} else {
  await run(
    (app) => {
      app.on("issues", async () => {});
    },
    { env },
  );
}
process.send?.("ready");
