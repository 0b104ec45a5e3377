#!/usr/bin/env node
import type { CliCommand, CliIo } from "./cli/types.js";
import { isMainModule } from "./is-main.js";
import { packageVersion } from "./version.js";

const VERBS: Record<string, { describe: string; load: () => Promise<CliCommand> }> = {
  validate: {
    describe: "validate [file]                      check a .github/factory.yml",
    load: async () => (await import("./cli/validate.js")).validateCommand,
  },
  task: {
    describe: "task --issue N --title TEXT --output F [options]   run one task in this checkout (CI runners)",
    load: async () => (await import("./cli/task.js")).taskCommand,
  },
  summarize: {
    describe: "summarize [--max-lines N] [--format markdown|text] [log-file]   the lines that explain a CI failure",
    load: async () => (await import("./cli/summarize.js")).summarizeCommand,
  },
  doctor: {
    describe: "doctor [--repo owner/name] [--project group/name]   check credentials, permissions and webhooks",
    // The same environment as the server, `.env` included. Only here: `task` runs in a repository
    // checkout, whose `.env` must not set variables such as FACTORY_AGENT_ENV.
    load: async () => {
      (await import("./dotenv.js")).applyDotEnv();
      return (await import("./cli/doctor.js")).doctorCommand;
    },
  },
  redeliver: {
    describe: "redeliver [--since 6h] [--dry-run]    ask GitHub to redeliver the app's failed webhook deliveries",
    load: async () => {
      (await import("./dotenv.js")).applyDotEnv();
      return (await import("./cli/redeliver.js")).redeliverCommand;
    },
  },
};

function usage(): string {
  const lines = Object.values(VERBS).map((v) => `  factory-bot ${v.describe}`);
  return (
    [
      "Usage:",
      ...lines,
      "  factory-bot --version                print the version",
      "",
      "Run `factory-bot <verb> --help` for a verb's options.",
    ].join("\n") + "\n"
  );
}

/** `factory-bot <verb> …`: returns the exit code; every verb gets injected I/O. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [verb, ...args] = argv;
  if (!verb || verb === "--help" || verb === "-h" || verb === "help") {
    io.stdout.write(usage());
    return verb ? 0 : 2;
  }
  if (verb === "--version" || verb === "-v") {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const entry = VERBS[verb];
  if (!entry) {
    io.stderr.write(`factory-bot: unknown verb "${verb}"\n\n${usage()}`);
    return 2;
  }
  return (await entry.load())(args, io);
}

if (isMainModule(import.meta.url)) {
  const io: CliIo = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
  };
  main(process.argv.slice(2), io).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`factory-bot: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
