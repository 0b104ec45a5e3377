import { spawn, type ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { TaskRunResult } from "../../src/core/task-runner.js";
import { LocalTaskRunner } from "../../src/runner/local-runner.js";
import {
  bwrapArguments,
  effectiveSandboxMode,
  probeSandbox,
  sandboxLayout,
  sandboxSettingFromEnv,
  type SandboxLayout,
  type SandboxSetting,
} from "../../src/runner/sandbox.js";
import { recordingLogger } from "../helpers/logger.js";
import { makeConfig } from "../helpers/config.js";
import { archiveSource, makeArchive, steppingClock, taskSpec, testSpec } from "./helpers.js";

/*
 * A hostile agent, shipped in the repository like any agent script, tries what issue 10 found an
 * agent could do: read the bot's key and environment, read and write other workspaces, the host's
 * /tmp and the server's home, reach the network with `agent.network: off`, and leave processes
 * behind. It writes what each attempt got into results/ in its workspace, so what comes back is
 * what would be pushed: the ChangeSet. The same script without a sandbox shows each attempt works.
 */
const HOSTILE_SCRIPT = `#!/bin/sh
mkdir -p results
attempt() {
  name=$1; shift
  if out=$("$@" 2>&1); then status=SUCCEEDED; else status=FAILED; fi
  printf '%s\\n%s\\n' "$status" "$out" > "results/$name"
}
attempt read-key cat "$KEY_FILE"
attempt read-server-environ cat "/proc/$SERVER_PID/environ"
attempt read-runner-environ cat "/proc/$RUNNER_PID/environ"
attempt read-other-workspace cat "$OTHER_WORKSPACE/secret.txt"
attempt read-server-directory cat "$SERVER_DIRECTORY/package.json"
attempt write-host-tmp sh -c 'echo pwned > "$HOST_TMP_FILE" && cat "$HOST_TMP_FILE"'
attempt write-server-home sh -c 'echo pwned > "$SERVER_HOME/pwned"'
attempt write-other-workspace sh -c 'echo pwned > "$OTHER_WORKSPACE/pwned"'
attempt write-system sh -c 'echo pwned > "$SYSTEM_FILE"'
# Mount tricks only in the sandbox: run unsandboxed (the control below) as root they would touch the host's mounts.
if [ "$UNSANDBOXED_CONTROL" != 1 ]; then
  attempt uncover-key sh -c 'umount "$KEY_FILE" && cat "$KEY_FILE"'
  attempt remount-system sh -c 'mount -o remount,rw,bind /etc && echo pwned > "$SYSTEM_FILE"'
  attempt new-user-namespace sh -c 'unshare -Urm sh -c "umount \\"$KEY_FILE\\"; cat \\"$KEY_FILE\\""'
fi
attempt reach-network node -e 'fetch("http://127.0.0.1:" + process.env.CANARY_PORT + "/leak", { signal: AbortSignal.timeout(5000) }).then((r) => r.text()).then((t) => console.log(t))'
attempt private-home sh -c 'echo mine > "$HOME/.agent-state" && cat "$HOME/.agent-state" && echo "$HOME"'
attempt list-processes sh -c 'ls /proc | grep -c "^[0-9]"'
setsid sh -c "exec sleep $LEFTOVER_SECONDS" > /dev/null 2>&1 < /dev/null &
# Long enough for the child to have left the process group before the agent exits.
sleep 0.5
exit 0
`;

const KEY = "-----BEGIN RSA PRIVATE KEY-----\nMIIEsandboxtestkeymaterial\n-----END RSA PRIVATE KEY-----\n";
const SERVER_SECRET = "whsec-sandbox-test-server-secret";
const OTHER_SECRET = "another repository's secret source";
const CANARY = "canary-answer-from-the-host";

interface Scene {
  base: string;
  workdir: string;
  keyFile: string;
  serverHome: string;
  otherWorkspace: string;
  hostTmpFile: string;
  systemFile: string;
  serverEnv: NodeJS.ProcessEnv;
}

let scene: Scene;
let fakeServer: ChildProcess;
let canary: Server;
let canaryRequests: number;
let archive: Buffer;

beforeAll(async () => {
  archive = await makeArchive([
    { name: "hostile.sh", content: HOSTILE_SCRIPT, mode: 0o755 },
    { name: "README.md", content: "# target\n" },
  ]);
  // Outside /tmp (which the sandbox replaces), so the key file sits in a directory the sandbox binds: PATH's.
  const base = await mkdtemp(path.join("/var/tmp", "factory-sandbox-test-"));
  const keyDirectory = path.join(base, "server-bin");
  const workdir = path.join(base, "workdir");
  const serverHome = path.join(base, "server-home");
  const otherWorkspace = path.join(workdir, "factory-other");
  await Promise.all([keyDirectory, serverHome, otherWorkspace].map((dir) => mkdir(dir, { recursive: true })));
  const keyFile = path.join(keyDirectory, "app.private-key.pem");
  await writeFile(keyFile, KEY, { mode: 0o600 });
  await writeFile(path.join(otherWorkspace, "secret.txt"), OTHER_SECRET);
  const suffix = `${process.pid}-${randomInt(1e9)}`;
  scene = {
    base,
    workdir,
    keyFile,
    serverHome,
    otherWorkspace,
    hostTmpFile: path.join(os.tmpdir(), `factory-sandbox-pwned-${suffix}`),
    systemFile: `/etc/factory-sandbox-pwned-${suffix}`,
    serverEnv: {
      PATH: `${process.env.PATH}:${keyDirectory}`,
      HOME: serverHome,
      LANG: "C.UTF-8",
      PRIVATE_KEY_PATH: keyFile,
      WEBHOOK_SECRET: SERVER_SECRET,
    },
  };
  // Stands in for the bot's server process: its environ holds a webhook secret.
  fakeServer = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], {
    env: { PATH: process.env.PATH, WEBHOOK_SECRET: SERVER_SECRET },
    stdio: "ignore",
  });
  canaryRequests = 0;
  canary = createServer((req, res) => {
    canaryRequests += 1;
    res.end(CANARY);
  });
  await new Promise<void>((resolve) => canary.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  fakeServer.kill("SIGKILL");
  await new Promise<void>((resolve) => canary.close(() => resolve()));
  await rm(scene.base, { recursive: true, force: true });
  await rm(scene.hostTmpFile, { force: true });
  await rm(scene.systemFile, { force: true });
});

afterEach(async () => {
  await rm(path.join(scene.otherWorkspace, "pwned"), { force: true });
  await rm(path.join(scene.serverHome, "pwned"), { force: true });
  await rm(scene.hostTmpFile, { force: true });
});

function bwrapSetting(): SandboxSetting {
  const setting = sandboxSettingFromEnv({ FACTORY_SANDBOX: "bwrap", PATH: process.env.PATH });
  // Tests never skip: CI installs bubblewrap (.ci/run), so a missing one fails here.
  expect(setting.bwrapPath).not.toBeNull();
  return setting;
}

function hostileRunner(sandbox: SandboxSetting): LocalTaskRunner {
  return new LocalTaskRunner({
    workdir: scene.workdir,
    maxTasks: 1,
    allowedCommands: [/.*/],
    agentEnvNames: [],
    env: scene.serverEnv,
    logger: recordingLogger(),
    clock: steppingClock(),
    killGraceMs: 200,
    sandbox,
  });
}

function hostileTask(options: {
  network: "on" | "off";
  leftoverSeconds: number;
  systemFile?: string;
  control?: boolean;
}) {
  const config = makeConfig({
    agent: {
      command: "./hostile.sh",
      timeout_seconds: 60,
      // One run: its tests fail on purpose (they cannot read the key), which must not re-run the agent.
      max_iterations: 1,
      network: options.network,
      env: {
        KEY_FILE: scene.keyFile,
        SERVER_PID: String(fakeServer.pid),
        RUNNER_PID: String(process.pid),
        OTHER_WORKSPACE: scene.otherWorkspace,
        SERVER_DIRECTORY: process.cwd(),
        HOST_TMP_FILE: scene.hostTmpFile,
        SERVER_HOME: scene.serverHome,
        SYSTEM_FILE: options.systemFile ?? scene.systemFile,
        CANARY_PORT: String((canary.address() as AddressInfo).port),
        LEFTOVER_SECONDS: String(options.leftoverSeconds),
        UNSANDBOXED_CONTROL: options.control === true ? "1" : "0",
      },
    },
    tests: [
      testSpec({ name: "test reads the key", command: 'cat "$KEY_FILE"; echo "cat-exit=$?"' }),
      testSpec({ name: "test reads the server's environ", command: 'cat "/proc/$SERVER_PID/environ"' }),
    ],
  });
  return taskSpec(config);
}

/** What each attempt got, as the ChangeSet brings it back: `results/<name>` → its text. */
function attempts(result: TaskRunResult): Record<string, string> {
  if (result.kind !== "completed") throw new Error(`expected completed, got ${JSON.stringify(result)}`);
  const found: Record<string, string> = {};
  for (const file of result.changeSet.files) {
    if (!file.path.startsWith("results/") || file.content === null) continue;
    found[file.path.slice("results/".length)] = Buffer.from(file.content, file.encoding).toString("utf8");
  }
  return found;
}

/** A unique sleep duration names the leftover among the host's processes, whatever PID namespace it is in. */
async function leftoverRunning(seconds: number): Promise<boolean> {
  for (const pid of await readdir("/proc")) {
    if (!/^[0-9]+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    const zombie = stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
    if (!zombie && cmdline.split("\0").join(" ").trim() === `sleep ${seconds}`) return true;
  }
  return false;
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

const leftoverSeconds = () => 500_000 + randomInt(400_000);

describe("a hostile agent in the bwrap sandbox (agent.network: off)", () => {
  let results: Record<string, string>;
  let result: TaskRunResult;
  let leftover: number;

  beforeAll(async () => {
    leftover = leftoverSeconds();
    result = await hostileRunner(bwrapSetting()).run(hostileTask({ network: "off", leftoverSeconds: leftover }), {
      downloadArchive: archiveSource(archive),
    });
    results = attempts(result);
  }, 60_000);

  test("ran every attempt", () => {
    expect(Object.keys(results).sort()).toEqual([
      "list-processes",
      "new-user-namespace",
      "private-home",
      "reach-network",
      "read-key",
      "read-other-workspace",
      "read-runner-environ",
      "read-server-directory",
      "read-server-environ",
      "remount-system",
      "uncover-key",
      "write-host-tmp",
      "write-other-workspace",
      "write-server-home",
      "write-system",
    ]);
  });

  test("cannot read the private key: PRIVATE_KEY_PATH is covered by a device it may not open", () => {
    expect(results["read-key"]).not.toContain("PRIVATE KEY");
    expect(results["read-key"]).toMatch(/^FAILED\n.*Permission denied/);
  });

  test("has no capability to uncover the key or remount the system, not even in a user namespace of its own", async () => {
    expect(results["uncover-key"]).toMatch(/^FAILED\n.*(must be superuser|not permitted|Permission denied)/);
    expect(results["remount-system"]).toMatch(/^FAILED\n.*(permission denied|must be superuser|not permitted)/i);
    expect(results["new-user-namespace"]).not.toContain("PRIVATE KEY");
    expect(await exists(scene.systemFile)).toBe(false);
  });

  test("cannot read the server's environment: other processes are not in its /proc", () => {
    expect(results["read-server-environ"]).toMatch(/^FAILED\n.*No such file/);
    expect(results["read-runner-environ"]).toMatch(/^FAILED\n.*No such file/);
    expect(results["list-processes"]).not.toContain(SERVER_SECRET);
    // bwrap's init, the agent's shell, and the few processes of this attempt.
    expect(Number(results["list-processes"]?.split("\n")[1])).toBeLessThan(10);
  });

  test("cannot read another workspace or the server's directory", () => {
    expect(results["read-other-workspace"]).toMatch(/^FAILED\n.*No such file/);
    expect(results["read-server-directory"]).toMatch(/^FAILED\n.*No such file/);
    expect(JSON.stringify(results)).not.toContain(OTHER_SECRET);
  });

  test("cannot write outside its workspace: the host's /tmp, the server's home, another workspace, the system", async () => {
    // Its own /tmp takes the write; the host's /tmp never sees it.
    expect(results["write-host-tmp"]).toBe("SUCCEEDED\npwned\n");
    expect(await exists(scene.hostTmpFile)).toBe(false);
    expect(results["write-server-home"]).toMatch(/^FAILED/);
    expect(await exists(path.join(scene.serverHome, "pwned"))).toBe(false);
    expect(results["write-other-workspace"]).toMatch(/^FAILED/);
    expect(await exists(path.join(scene.otherWorkspace, "pwned"))).toBe(false);
    expect(results["write-system"]).toMatch(/^FAILED\n.*Read-only file system/);
    expect(await exists(scene.systemFile)).toBe(false);
  });

  test("has a private, writable home", () => {
    const [status, written, home] = results["private-home"]?.split("\n") ?? [];
    expect([status, written]).toEqual(["SUCCEEDED", "mine"]);
    expect(home).not.toBe(scene.serverHome);
  });

  test("cannot reach a server on the host's loopback", () => {
    expect(results["reach-network"]).toMatch(/^FAILED/);
    expect(results["reach-network"]).not.toContain(CANARY);
    expect(canaryRequests).toBe(0);
  });

  test("the repository's tests run in the same sandbox", () => {
    if (result.kind !== "completed") throw new Error(result.kind);
    const [readKey, readEnviron] = result.changeSet.tests;
    expect(readKey?.output_tail).toMatch(/Permission denied\ncat-exit=1$/);
    expect(readEnviron?.exit_code).toBe(1);
    expect(readEnviron?.output_tail).toContain("No such file");
  });

  test("a setsid'd process does not outlive a successful agent", async () => {
    expect(await leftoverRunning(leftover)).toBe(false);
  });
});

test("with agent.network: on the sandbox reaches the network, and still none of the server's files", async () => {
  const before = canaryRequests;
  const results = attempts(
    await hostileRunner(bwrapSetting()).run(hostileTask({ network: "on", leftoverSeconds: leftoverSeconds() }), {
      downloadArchive: archiveSource(archive),
    }),
  );
  expect(results["reach-network"]).toBe(`SUCCEEDED\n${CANARY}\n`);
  expect(canaryRequests).toBe(before + 1);
  expect(JSON.stringify(results)).not.toMatch(/PRIVATE KEY|whsec-|another repository/);
}, 60_000);

test("a setsid'd process does not outlive an agent that timed out", async () => {
  const leftover = leftoverSeconds();
  const config = makeConfig({
    agent: {
      command: `setsid sh -c "exec sleep ${leftover}" > /dev/null 2>&1 < /dev/null & sleep 60`,
      timeout_seconds: 1,
    },
  });
  const result = await hostileRunner(bwrapSetting()).run(taskSpec(config), { downloadArchive: archiveSource(archive) });
  expect(result).toMatchObject({ kind: "agent-failed", agent: { timedOut: true } });
  expect(await leftoverRunning(leftover)).toBe(false);
}, 30_000);

describe("the same hostile agent without a sandbox (FACTORY_SANDBOX=none), to show each attempt is real", () => {
  test("reads the key, the server's environment and another workspace, and reaches the network", async () => {
    const before = canaryRequests;
    const leftover = leftoverSeconds();
    const results = attempts(
      await hostileRunner({ requested: "none", bwrapPath: null }).run(
        hostileTask({
          network: "on",
          leftoverSeconds: leftover,
          systemFile: path.join(scene.base, "system-file"),
          control: true,
        }),
        { downloadArchive: archiveSource(archive) },
      ),
    );
    expect(results["read-key"]).toContain("PRIVATE KEY");
    expect(results["read-server-environ"]).toContain(SERVER_SECRET);
    expect(results["read-other-workspace"]).toContain(OTHER_SECRET);
    expect(await exists(path.join(scene.serverHome, "pwned"))).toBe(true);
    expect(await exists(scene.hostTmpFile)).toBe(true);
    expect(results["reach-network"]).toContain(CANARY);
    expect(canaryRequests).toBe(before + 1);
    // Without a sandbox, the /proc sweep still ends the setsid'd leftover.
    expect(await leftoverRunning(leftover)).toBe(false);
  }, 60_000);

  test("agent.network: off is refused rather than run with a network", async () => {
    const result = await hostileRunner({ requested: "none", bwrapPath: null }).run(
      hostileTask({ network: "off", leftoverSeconds: leftoverSeconds() }),
      { downloadArchive: archiveSource(archive) },
    );
    expect(result).toMatchObject({ kind: "refused" });
    expect(result.kind === "refused" && result.message).toContain("FACTORY_SANDBOX=none");
  });
});

describe("without bubblewrap", () => {
  test("local tasks are refused with a message naming FACTORY_SANDBOX and how to install bubblewrap", async () => {
    let downloads = 0;
    const result = await hostileRunner({ requested: "default", bwrapPath: null }).run(
      hostileTask({ network: "on", leftoverSeconds: leftoverSeconds() }),
      {
        downloadArchive: async () => {
          downloads += 1;
          return archiveSource(archive)();
        },
      },
    );
    if (result.kind !== "refused") throw new Error(`expected refused, got ${result.kind}`);
    expect(result.message).toContain("FACTORY_SANDBOX");
    expect(result.message).toContain("apt-get install bubblewrap");
    expect(result.message).toContain("FACTORY_SANDBOX=none");
    expect(downloads).toBe(0);
  });

  test("a bwrap that does not work on the host refuses tasks with what it said", async () => {
    const fakeBwrap = path.join(scene.base, "bwrap-refused");
    await writeFile(fakeBwrap, "#!/bin/sh\necho 'bwrap: No permissions to create a new namespace' >&2\nexit 1\n", {
      mode: 0o755,
    });
    const result = await hostileRunner({ requested: "bwrap", bwrapPath: fakeBwrap }).run(
      hostileTask({ network: "on", leftoverSeconds: leftoverSeconds() }),
      { downloadArchive: archiveSource(archive) },
    );
    if (result.kind !== "refused") throw new Error(`expected refused, got ${result.kind}`);
    expect(result.message).toContain("No permissions to create a new namespace");
    expect(result.message).toContain("seccomp");
    expect(result.message).toContain("--security-opt systempaths=unconfined");
  });
});

describe("FACTORY_SANDBOX", () => {
  test("unset means bwrap where it is installed, and refusal where it is not", () => {
    const installed = sandboxSettingFromEnv({ PATH: process.env.PATH });
    expect(effectiveSandboxMode(installed)).toBe("bwrap");
    expect(effectiveSandboxMode(sandboxSettingFromEnv({ PATH: scene.base }))).toBeNull();
    expect(effectiveSandboxMode(sandboxSettingFromEnv({ FACTORY_SANDBOX: "bwrap", PATH: scene.base }))).toBeNull();
  });

  test("none must be asked for explicitly", () => {
    expect(effectiveSandboxMode(sandboxSettingFromEnv({ FACTORY_SANDBOX: "none", PATH: scene.base }))).toBe("none");
  });

  test("anything else is an error naming the variable", () => {
    expect(() => sandboxSettingFromEnv({ FACTORY_SANDBOX: "docker" })).toThrow(
      'FACTORY_SANDBOX must be "bwrap" or "none", got "docker".',
    );
  });

  test("the probe runs a trivial command through the sandbox on this host", async () => {
    const setting = bwrapSetting();
    await expect(probeSandbox(setting.bwrapPath as string, { PATH: process.env.PATH })).resolves.toEqual({ ok: true });
  });
});

describe("bwrapArguments", () => {
  const layout: SandboxLayout = {
    workspace: "/work/factory-abc",
    writable: ["/work/factory-task-def"],
    home: "/work/factory-task-def/home",
    network: false,
    readOnly: [
      { path: "/usr", kind: "directory" },
      { path: "/bin", kind: "symlink", target: "usr/bin" },
      { path: "/etc", kind: "directory" },
    ],
    hidden: [
      { path: "/etc/factory/key.pem", kind: "file" },
      { path: "/opt/work", kind: "directory" },
    ],
  };
  const args = bwrapArguments(layout, { file: "/bin/sh", args: ["-c", "make it"], cwd: "/work/factory-abc/pkg" });
  const pairs = (flag: string) => args.flatMap((arg, index) => (arg === flag ? [args[index + 1]] : []));

  test("no capabilities; new user, PID, IPC and UTS namespaces, a fresh /proc and /dev, killed with its parent", () => {
    expect(args.slice(0, 3)).toEqual(["--unshare-user", "--cap-drop", "ALL"]);
    expect(args).toEqual(
      expect.arrayContaining(["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent"]),
    );
    expect(pairs("--proc")).toEqual(["/proc"]);
    expect(pairs("--dev")).toEqual(["/dev"]);
  });

  test("network off unshares the network; on keeps it", () => {
    expect(args).toContain("--unshare-net");
    expect(bwrapArguments({ ...layout, network: true }, { file: "true", args: [], cwd: "/" })).not.toContain(
      "--unshare-net",
    );
  });

  test("the system read-only, symlinks re-made, the workspace and task directory read-write", () => {
    expect(pairs("--ro-bind")).toEqual(["/usr", "/etc", "/dev/null"]);
    expect(pairs("--symlink")).toEqual(["usr/bin"]);
    expect(pairs("--bind")).toEqual(["/work/factory-abc", "/work/factory-task-def"]);
    expect(args.slice(args.indexOf("--remount-ro"), args.indexOf("--remount-ro") + 2)).toEqual(["--remount-ro", "/"]);
  });

  test("a private /tmp; hidden files become /dev/null and hidden directories empty, before the workspace is bound", () => {
    expect(pairs("--tmpfs")).toEqual(["/tmp", "/opt/work"]);
    const keyCover = args.indexOf("/etc/factory/key.pem");
    expect(args.slice(keyCover - 2, keyCover + 1)).toEqual(["--ro-bind", "/dev/null", "/etc/factory/key.pem"]);
    expect(args.lastIndexOf("/etc")).toBeLessThan(keyCover);
    expect(args.indexOf("--bind")).toBeGreaterThan(args.lastIndexOf("--tmpfs"));
  });

  test("HOME and TMPDIR point inside the sandbox; the command runs in its directory after `--`", () => {
    const setenv = args.flatMap((arg, index) => (arg === "--setenv" ? [args.slice(index + 1, index + 3)] : []));
    expect(setenv).toEqual([
      ["HOME", "/work/factory-task-def/home"],
      ["TMPDIR", "/tmp"],
    ]);
    expect(pairs("--chdir")).toEqual(["/work/factory-abc/pkg"]);
    expect(args.slice(args.indexOf("--"))).toEqual(["--", "/bin/sh", "-c", "make it"]);
  });
});

describe("sandboxLayout", () => {
  test("binds the system and PATH's directories, and covers the server's files found inside them", async () => {
    const binDirectory = path.join(scene.base, "layout-bin");
    await mkdir(binDirectory, { recursive: true });
    const key = path.join(binDirectory, "key.pem");
    await writeFile(key, KEY);
    const layout = sandboxLayout({
      workspace: "/w",
      writable: [],
      home: "/h",
      network: true,
      serverEnv: { PATH: `/usr/bin:${binDirectory}:relative/bin`, PRIVATE_KEY_PATH: key, HOME: "/root" },
      workdir: path.join(binDirectory, "tasks"),
      serverCwd: scene.base,
    });
    const bound = layout.readOnly.map((entry) => entry.path);
    expect(bound).toEqual(expect.arrayContaining(["/usr", "/etc", binDirectory]));
    // /usr/bin is inside /usr; a relative PATH entry is never bound; nor is anything under /home, /root, /run or /var.
    expect(bound).not.toContain("/usr/bin");
    expect(bound.filter((entry) => /^\/(home|root|run|var\/run)(\/|$)/.test(entry))).toEqual([]);
    expect(bound.some((entry) => entry.includes("relative"))).toBe(false);
    expect(layout.hidden).toEqual([{ path: key, kind: "file" }]);
  });
});
