import {
  BWRAP_MISSING_REASON,
  effectiveSandboxMode,
  probeSandbox,
  sandboxSettingFromEnv,
  type SandboxSetting,
} from "../../../runner/sandbox.js";
import { fail, pass, type Section } from "./report.js";

const TITLE = "Local runner sandbox (FACTORY_SANDBOX)";
const INSTALL_FIX =
  "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; the Docker image has it), or set FACTORY_SANDBOX=none to run local tasks without a sandbox; docs/security.md";
const HOST_FIX =
  "in Docker run with --security-opt seccomp=unconfined --security-opt apparmor=unconfined --security-opt systempaths=unconfined (or a seccomp profile that allows user namespaces); elsewhere allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1); docs/security.md";

/** Whether local tasks can run here as FACTORY_SANDBOX asks: bubblewrap installed, and working (a trivial command run through it). */
export async function sandboxSection(env: NodeJS.ProcessEnv): Promise<Section> {
  let setting: SandboxSetting;
  try {
    setting = sandboxSettingFromEnv(env);
  } catch (error) {
    return {
      title: TITLE,
      checks: [fail((error as Error).message, "set FACTORY_SANDBOX to bwrap, none, or leave it unset")],
    };
  }
  const mode = effectiveSandboxMode(setting);
  if (mode === "none") {
    return {
      title: TITLE,
      checks: [
        pass("FACTORY_SANDBOX=none: local tasks run as the server's user, without a sandbox (docs/security.md)"),
      ],
    };
  }
  if (mode === null || setting.bwrapPath === null) {
    return { title: TITLE, checks: [fail(`${BWRAP_MISSING_REASON}: local tasks are refused`, INSTALL_FIX)] };
  }
  const probe = await probeSandbox(setting.bwrapPath, env);
  return {
    title: TITLE,
    checks: [
      probe.ok
        ? pass(`bubblewrap (${setting.bwrapPath}) runs a command in the sandbox, network off included`)
        : fail(`${probe.reason}: local tasks are refused`, HOST_FIX),
    ],
  };
}
