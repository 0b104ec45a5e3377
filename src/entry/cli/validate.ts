import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { formatProblem, resolveConfig } from "../../config/index.js";
import type { CliCommand, CliIo } from "./types.js";

const DEFAULT_FILE = ".github/factory.yml";

const USAGE = `Usage: factory-bot validate [file]

Checks a factory-bot config file (default: ${DEFAULT_FILE}) against the schema.
Prints "<file>: valid" and exits 0, or prints one problem per line as
"file:line:column: message" and exits 1. Only the named file is checked: a base
named by \`_extends\` lives in another repository and is checked there.

Options:
  -h, --help  show this help
`;

/** Exit status for a command line this verb cannot understand, as most Unix tools use. */
const USAGE_ERROR = 2;

export const validateCommand: CliCommand = async (args, io) => {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(USAGE);
    return 0;
  }
  const file = chooseFile(args);
  if (file === null) {
    io.stderr.write(`factory-bot validate: expected at most one file name, got: ${args.join(" ")}\n\n${USAGE}`);
    return USAGE_ERROR;
  }
  const text = await readText(resolve(io.cwd, file));
  if (typeof text !== "string") {
    io.stderr.write(`factory-bot validate: cannot read ${file}: ${text.reason}\n`);
    return 1;
  }
  return report(file, text, io);
};

/** The one file argument (after an optional `--`), the default without one, null when unclear. */
function chooseFile(args: readonly string[]): string | null {
  const operands = args[0] === "--" ? args.slice(1) : args;
  if (operands.length > 1 || (args[0] !== "--" && operands[0]?.startsWith("-"))) return null;
  return operands[0] ?? DEFAULT_FILE;
}

async function readText(path: string): Promise<string | { reason: string }> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { reason: "no such file (the config lives at .github/factory.yml)" };
    if (code === "EISDIR") return { reason: "it is a directory, not a file" };
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

function report(file: string, text: string, io: CliIo): number {
  const result = resolveConfig([{ file, text }]);
  if (result.status === "ok") {
    io.stdout.write(`${file}: valid\n`);
    return 0;
  }
  const problems = result.status === "invalid" ? result.problems : [];
  for (const problem of problems) io.stdout.write(`${formatProblem(problem)}\n`);
  return 1;
}
