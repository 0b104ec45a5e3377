import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { doctorCommand } from "../../../../src/entry/cli/doctor.js";
import { sandboxSection } from "../../../../src/entry/cli/doctor/sandbox.js";
import { renderReport } from "../../../../src/entry/cli/doctor/report.js";
import { runVerb } from "../../fixtures/cli.js";

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), "factory-doctor-sandbox-"));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const report = async (env: NodeJS.ProcessEnv) => renderReport([await sandboxSection(env)]);

test("says the sandbox works when a command runs through bubblewrap on this host", async () => {
  // CI installs bubblewrap (.ci/run): it must be found and work here.
  expect(await report({ PATH: process.env.PATH })).toMatch(
    /✓ bubblewrap \(\/.*bwrap\) runs a command in the sandbox, network off included\n\nAll checks passed/,
  );
});

test("says local tasks are refused when bubblewrap is not installed, and how to fix it", async () => {
  const out = await report({ PATH: directory });
  expect(out).toContain("✗ bubblewrap (`bwrap`) is not installed on the bot's server: local tasks are refused");
  expect(out).toContain("fix: install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap");
  expect(out).toContain("FACTORY_SANDBOX=none");
});

test("says what a bubblewrap the host refuses answered, with the Docker setting", async () => {
  await writeFile(
    path.join(directory, "bwrap"),
    "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n",
    { mode: 0o755 },
  );
  const out = await report({ PATH: `${directory}:/usr/bin:/bin` });
  expect(out).toContain(
    "✗ bubblewrap fails on this host (exit code 1: bwrap: setting up uid map: Permission denied): local tasks are refused",
  );
  // All three: Docker's masked /proc alone makes bwrap fail to mount its own (docs/security.md#docker).
  for (const option of ["seccomp", "apparmor", "systempaths"])
    expect(out).toContain(`--security-opt ${option}=unconfined`);
});

test("FACTORY_SANDBOX=none is reported as the operator's choice, and a wrong value as an error", async () => {
  expect(await report({ FACTORY_SANDBOX: "none", PATH: directory })).toContain(
    "✓ FACTORY_SANDBOX=none: local tasks run as the server's user, without a sandbox",
  );
  expect(await report({ FACTORY_SANDBOX: "yes", PATH: process.env.PATH })).toContain(
    '✗ FACTORY_SANDBOX must be "bwrap" or "none", got "yes".',
  );
});

test("`factory-bot doctor` prints the section and fails on it", async () => {
  const { code, out } = await runVerb(doctorCommand, [], { FACTORY_SANDBOX: "bwrap", PATH: directory });
  expect(out).toContain("Local runner sandbox (FACTORY_SANDBOX)\n  ✗ bubblewrap (`bwrap`) is not installed");
  expect(code).toBe(1);
});
