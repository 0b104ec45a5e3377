import { open } from "node:fs/promises";
import { resolve } from "node:path";
import {
  DEFAULT_MAX_LINES,
  MAX_MAX_LINES,
  renderSummaryMarkdown,
  renderSummaryText,
  summarizeLog,
  type LogInput,
} from "../../summarize/index.js";
import type { CliCommand, CliIo } from "./types.js";

const USAGE = `Usage: factory-bot summarize [--max-lines N] [--format markdown|text] [log-file]

Prints the lines of a CI job log that explain why it failed: the root error with a few
lines of context, without timestamps or colours, secrets redacted. Reads standard input
when no log file is given (or when it is "-"). Logs of any size are read as a stream.

Options:
  --max-lines N   at most N lines, "…" gap markers included (default ${DEFAULT_MAX_LINES}, at most ${MAX_MAX_LINES})
  --format F      markdown (default): a code block ready for a comment; text: plain lines for terminals
  -h, --help      show this help
`;

/** Exit status for a command line this verb cannot understand, as most Unix tools use. */
const USAGE_ERROR = 2;
const CANNOT_READ = 1;
/** Big reads: the summarizer keeps up with the disk, so fewer, larger chunks are cheaper. */
const READ_CHUNK_BYTES = 1 << 20;

type Format = "markdown" | "text";

interface Options {
  maxLines: number;
  format: Format;
  file: string | null;
}

export const summarizeCommand: CliCommand = async (args, io) => {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(USAGE);
    return 0;
  }
  const parsed = parseArgs(args);
  if (typeof parsed === "string") {
    io.stderr.write(`factory-bot summarize: ${parsed}\nRun \`factory-bot summarize --help\` for usage.\n`);
    return USAGE_ERROR;
  }
  return summarizeInput(parsed, io);
};

async function summarizeInput(options: Options, io: CliIo): Promise<number> {
  const { file } = options;
  const handle = file === null ? null : await openLog(resolve(io.cwd, file));
  if (handle !== null && "reason" in handle) {
    io.stderr.write(`factory-bot summarize: cannot read ${file}: ${handle.reason}\n`);
    return CANNOT_READ;
  }
  const input: LogInput = handle
    ? handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES })
    : (io.stdin as LogInput);
  try {
    const summary = await summarizeLog(input, { maxLines: options.maxLines });
    io.stdout.write(options.format === "markdown" ? renderSummaryMarkdown(summary) : renderSummaryText(summary));
    return 0;
  } catch (error) {
    // A directory, a vanished file, a broken pipe: reading failed, not the summarizer.
    if (!isSystemError(error)) throw error;
    io.stderr.write(`factory-bot summarize: cannot read ${file ?? "standard input"}: ${describe(error)}\n`);
    return CANNOT_READ;
  } finally {
    await handle?.close();
  }
}

async function openLog(path: string): Promise<Awaited<ReturnType<typeof open>> | { reason: string }> {
  try {
    return await open(path, "r");
  } catch (error) {
    if (!isSystemError(error)) throw error;
    return { reason: describe(error) };
  }
}

/** Options in any order, `--name value` or `--name=value`; `--` ends them; `-` is stdin. */
function parseArgs(args: readonly string[]): Options | string {
  const options: Options = { maxLines: DEFAULT_MAX_LINES, format: "markdown", file: null };
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      operands.push(arg);
      continue;
    }
    const [name, inline] = splitOption(arg);
    const value = inline ?? args[++i];
    const problem =
      name === "--max-lines"
        ? setMaxLines(options, value)
        : name === "--format"
          ? setFormat(options, value)
          : `unknown option ${name}`;
    if (problem) return problem;
  }
  if (operands.length > 1) return `expected at most one log file, got ${operands.length}: ${operands.join(" ")}`;
  const file = operands[0];
  options.file = file === undefined || file === "-" ? null : file;
  return options;
}

function splitOption(arg: string): [string, string | undefined] {
  const equals = arg.indexOf("=");
  return equals === -1 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)];
}

function setMaxLines(options: Options, value: string | undefined): string | null {
  if (value === undefined) return "--max-lines needs a number";
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_MAX_LINES)
    return `--max-lines must be a whole number from 1 to ${MAX_MAX_LINES}, got "${value}"`;
  options.maxLines = n;
  return null;
}

function setFormat(options: Options, value: string | undefined): string | null {
  if (value !== "markdown" && value !== "text")
    return `--format must be markdown or text, got ${value === undefined ? "nothing" : `"${value}"`}`;
  options.format = value;
  return null;
}

/** Duck-typed: errors raised by Node's own modules may come from another realm. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return typeof error === "object" && error !== null && typeof (error as NodeJS.ErrnoException).code === "string";
}

function describe(error: NodeJS.ErrnoException): string {
  if (error.code === "ENOENT") return "no such file";
  if (error.code === "EISDIR") return "it is a directory";
  if (error.code === "EACCES") return "permission denied";
  return error.message;
}
