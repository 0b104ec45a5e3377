import type { FactoryConfig } from "../config/types.js";
import type { Logger } from "../core/deps.js";
import {
  BWRAP_MISSING_REASON,
  effectiveSandboxMode,
  probeSandbox,
  sandboxSettingFromEnv,
  sandboxUnavailableMessage,
  type RunnerSandbox,
  type SandboxProbe,
  type SandboxSetting,
} from "./sandbox.js";

export const NETWORK_OFF_UNSANDBOXED_MESSAGE =
  "This repository's config sets `agent.network: off`, but this bot's server runs tasks without a sandbox " +
  "(FACTORY_SANDBOX=none), so it cannot take the network away from the agent; the task was not run. " +
  "Ask the bot's operator to install bubblewrap and unset FACTORY_SANDBOX (see docs/security.md), " +
  "or remove `agent.network: off` from .github/factory.yml.";

/** Docker's seccomp, AppArmor and masked /proc refuse what bwrap needs: the settings docs/security.md gives. */
const DOCKER_HINT =
  "in Docker, run the container with `--security-opt seccomp=unconfined --security-opt apparmor=unconfined " +
  "--security-opt systempaths=unconfined`, or a seccomp profile that allows user namespaces (docs/security.md)";

interface GateOptions {
  sandbox?: SandboxSetting;
  env: NodeJS.ProcessEnv;
  workdir: string;
  logger: Logger;
}

/**
 * Decides, before a task takes a slot, whether it can run as the sandbox setting demands: bwrap
 * must be installed and work on this host (checked once by running a trivial command through it),
 * and `agent.network: off` needs the sandbox.
 */
export class SandboxGate {
  private readonly setting: SandboxSetting;
  private working: Promise<SandboxProbe> | null = null;

  constructor(private readonly options: GateOptions) {
    this.setting = options.sandbox ?? sandboxSettingFromEnv(options.env);
    if (this.setting.requested === "none") {
      options.logger.warn(
        {},
        "FACTORY_SANDBOX=none: local tasks run as the server's user, without a sandbox (docs/security.md)",
      );
    }
  }

  /** The sandbox this task's commands run in, or the message that refuses the task. */
  async admit(config: FactoryConfig): Promise<RunnerSandbox | string> {
    const mode = effectiveSandboxMode(this.setting);
    if (mode === null) return sandboxUnavailableMessage(BWRAP_MISSING_REASON);
    const sandbox = {
      mode,
      bwrapPath: this.setting.bwrapPath,
      workdir: this.options.workdir,
      serverEnv: this.options.env,
    };
    if (mode === "none") return config.agent.network === "off" ? NETWORK_OFF_UNSANDBOXED_MESSAGE : sandbox;
    const probe = await this.probe(this.setting.bwrapPath as string);
    return probe.ok ? sandbox : sandboxUnavailableMessage(`${probe.reason}; ${DOCKER_HINT}`);
  }

  /** A working sandbox is checked once; a failing one again for the next task, in case the host was fixed. */
  private async probe(bwrapPath: string): Promise<SandboxProbe> {
    this.working ??= probeSandbox(bwrapPath, this.options.env);
    const probe = await this.working;
    if (!probe.ok) {
      this.working = null;
      this.options.logger.error({ reason: probe.reason }, "the bubblewrap sandbox does not work on this host");
    }
    return probe;
  }
}
