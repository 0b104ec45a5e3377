/**
 * Summarizer benchmark: `npx tsx bench/summarize.bench.ts`.
 *
 * Generates GitHub-Actions-style logs (timestamps, groups, ANSI colours, a failing test near the
 * end) in a temporary directory, runs the `summarize` CLI path in a child process (tsx startup
 * included) next to `grep -c error` over the same file, and prints throughput and peak RSS.
 * Targets: at least 100 MB/s on 100 MB, peak RSS under 150 MB on 1 GB. Temporary files are
 * deleted whatever happens.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, open, rm, statfs, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MB = 1024 * 1024;
const SMALL_LOG_BYTES = 100 * MB;
const LARGE_LOG_BYTES = 1024 * MB;
const TARGET_MB_PER_S = 100;
const TARGET_PEAK_RSS_MB = 150;
const FAILING_TEST = "applies the coupon before tax for EU invoices";

const repoRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));
// The local tsx binary, as `npx tsx` would run it, without npm's own startup in the timing.
const localTsx = join(repoRoot, "node_modules", ".bin", "tsx");
const tsx = existsSync(localTsx) ? [localTsx] : ["npx", "tsx"];
const entry = join(repoRoot, "bench", "summarize-main.ts");
const timeBinary = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

interface Measurement {
  label: string;
  bytes: number;
  seconds: number;
  peakRssMb: number | null;
  stdout: string;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "factory-bot-bench-"));
  try {
    const rows: Measurement[] = [];
    const small = join(dir, "job-100mb.log");
    await generateLog(small, SMALL_LOG_BYTES);
    const empty = join(dir, "empty.log");
    await writeFile(empty, "");
    const startup = await measure("summarize, empty log (tsx startup)", empty, 0, summarizeCommand(empty));
    const grep = await measure("grep -c error (floor)", small, SMALL_LOG_BYTES, ["grep", "-c", "error", small]);
    const summarized = await measure(
      "summarize (tsx startup included)",
      small,
      SMALL_LOG_BYTES,
      summarizeCommand(small),
    );
    assertFoundFailure(summarized);
    rows.push(startup, grep, summarized);

    const large = join(dir, "job-1gb.log");
    const free = await freeBytes(dir);
    let largeNote = "";
    if (free < LARGE_LOG_BYTES * 1.2) {
      largeNote = `1 GB run skipped: only ${(free / MB).toFixed(0)} MB free in ${dir}`;
    } else {
      await generateLog(large, LARGE_LOG_BYTES);
      const largeRun = await measure("summarize 1 GB", large, LARGE_LOG_BYTES, summarizeCommand(large));
      assertFoundFailure(largeRun);
      rows.push(largeRun);
      await rm(large, { force: true });
    }
    report(rows, summarized, grep, startup, largeNote);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function summarizeCommand(file: string): string[] {
  return [...tsx, entry, "--max-lines", "20", file];
}

/** Runs a command (under `/usr/bin/time -v` when present, for its peak RSS) and times it. */
async function measure(label: string, file: string, bytes: number, command: string[]): Promise<Measurement> {
  const argv = timeBinary ? [timeBinary, "-v", ...command] : command;
  const env = { ...process.env, SUMMARIZE_REPORT_RSS: timeBinary ? "0" : "1" };
  const started = performance.now();
  const { stdout, stderr, code } = await run(argv, env);
  const seconds = (performance.now() - started) / 1000;
  // grep exits 1 when nothing matched, which is still a measurement.
  if (code !== 0 && !(command[0] === "grep" && code === 1))
    throw new Error(`${label} failed (${code}) on ${file}:\n${stderr}`);
  return { label, bytes, seconds, peakRssMb: peakRssMb(stderr), stdout };
}

function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolvePromise({ stdout, stderr, code }));
  });
}

function peakRssMb(stderr: string): number | null {
  const fromTime = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const fromChild = /maxRSS_kB (\d+)/.exec(stderr);
  const kb = fromTime?.[1] ?? fromChild?.[1];
  return kb ? Number(kb) / 1024 : null;
}

function assertFoundFailure(m: Measurement): void {
  if (!m.stdout.includes(FAILING_TEST))
    throw new Error(`${m.label}: the summary misses the failing test:\n${m.stdout}`);
}

async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}

function report(
  rows: Measurement[],
  summarized: Measurement,
  grep: Measurement,
  startup: Measurement,
  note: string,
): void {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  const out = [
    line(["run", "size", "wall s", "MB/s", "peak RSS MB"]),
    line(["---", "---:", "---:", "---:", "---:"]),
    ...rows.map((m) =>
      line([
        m.label,
        m.bytes ? `${(m.bytes / MB).toFixed(0)} MB` : "0",
        m.seconds.toFixed(2),
        m.bytes ? (m.bytes / MB / m.seconds).toFixed(0) : "-",
        m.peakRssMb === null ? "n/a" : m.peakRssMb.toFixed(0),
      ]),
    ),
  ];
  const steady = summarized.bytes / MB / Math.max(0.001, summarized.seconds - startup.seconds);
  out.push(
    "",
    `summarize takes ${(summarized.seconds / grep.seconds).toFixed(1)}× the time of grep -c (100 MB); without tsx startup: ${steady.toFixed(0)} MB/s.`,
  );
  const throughput = summarized.bytes / MB / summarized.seconds;
  out.push(
    `target ≥ ${TARGET_MB_PER_S} MB/s (100 MB, startup included): ${throughput >= TARGET_MB_PER_S ? "met" : "MISSED"}`,
  );
  const large = rows.find((r) => r.label === "summarize 1 GB");
  if (large?.peakRssMb != null) {
    out.push(
      `target peak RSS < ${TARGET_PEAK_RSS_MB} MB (1 GB): ${large.peakRssMb < TARGET_PEAK_RSS_MB ? "met" : "MISSED"}`,
    );
  }
  if (note) out.push(note);
  process.stdout.write(`${out.join("\n")}\n`);
}

// --- the generated log -----------------------------------------------------------------

const STEPS = ["actions/checkout@v4", "actions/setup-node@v4", "npm ci", "npm run build", "npm test"];
const MODULES = ["billing", "invoices", "customers", "payments", "reports", "webhooks", "ledger", "exports"];

/** Writes `bytes` of log, streaming in large blocks: memory stays flat whatever the size. */
async function generateLog(path: string, bytes: number): Promise<void> {
  const file = await open(path, "w");
  try {
    const clock = { ms: Date.UTC(2026, 0, 15, 9, 0, 0) };
    let written = 0;
    let step = 0;
    let lineNo = 0;
    const failureBlock = failingTestBlock(clock);
    const budget = bytes - Buffer.byteLength(failureBlock);
    while (written < budget) {
      const parts: string[] = [];
      let blockBytes = 0;
      while (blockBytes < 4 * MB && written + blockBytes < budget) {
        const text = lineNo % 5000 === 0 ? stepHeader(clock, STEPS[step++ % STEPS.length]!) : outputLine(clock, lineNo);
        parts.push(text);
        blockBytes += text.length;
        lineNo++;
      }
      const block = Buffer.from(parts.join(""), "utf8");
      await file.write(block);
      written += block.length;
    }
    await file.write(failureBlock);
  } finally {
    await file.close();
  }
}

function stamp(clock: { ms: number }): string {
  clock.ms += 3;
  return `${new Date(clock.ms).toISOString().slice(0, 23)}1234Z `;
}

function stepHeader(clock: { ms: number }, name: string): string {
  return (
    `${stamp(clock)}##[group]Run ${name}\n` +
    `${stamp(clock)}\x1b[36;1m${name}\x1b[0m\n` +
    `${stamp(clock)}shell: /usr/bin/bash -e {0}\n` +
    `${stamp(clock)}##[endgroup]\n`
  );
}

/** Compiler progress, passing tests in colour, downloads, the odd warning: the bulk of a log. */
function outputLine(clock: { ms: number }, n: number): string {
  const module = MODULES[n % MODULES.length]!;
  switch (n % 10) {
    case 0:
    case 1:
    case 2:
      return `${stamp(clock)}  \x1b[32m✓\x1b[39m ${module} computes the total for order ${n} with ${n % 7} items \x1b[2m(${n % 40} ms)\x1b[22m\n`;
    case 3:
      return `${stamp(clock)}[${n % 1000}/1000] Compiling src/${module}/handlers/${module}-${n % 97}.ts\n`;
    case 4:
      return `${stamp(clock)}Downloading https://registry.example.com/${module}/-/${module}-${n % 13}.${n % 7}.0.tgz (${n % 900} kB)\n`;
    case 5:
      return `${stamp(clock)}\x1b[90m  at ${module}.process (src/${module}/index.ts:${n % 300}:${n % 40})\x1b[39m\n`;
    case 6:
      return n % 1000 === 6
        ? `${stamp(clock)}\x1b[33mwarning\x1b[39m: ${module} uses a deprecated option 'legacyTotals'\n`
        : `${stamp(clock)}PASS test/${module}/${module}-${n % 50}.test.ts (${(n % 90) / 10} s)\n`;
    default:
      return `${stamp(clock)}  ${module}: processed batch ${n} of ${n + 1000} records in ${n % 500} ms\n`;
  }
}

function failingTestBlock(clock: { ms: number }): string {
  const lines = [
    "FAIL test/invoices/coupons.test.ts",
    `  \x1b[31m●\x1b[39m coupons › ${FAILING_TEST}`,
    "",
    "    expect(received).toBe(expected) // Object.is equality",
    "",
    "    Expected: 9000",
    "    Received: 10000",
    "",
    "      41 |     const invoice = applyCoupon(order, 'EU10');",
    "    > 42 |     expect(invoice.total).toBe(9000);",
    "         |                           ^",
    "",
    "      at Object.toBe (test/invoices/coupons.test.ts:42:27)",
    "",
    "Tests:       1 failed, 4211 passed, 4212 total",
    "##[error]Process completed with exit code 1.",
    "Post job cleanup.",
  ];
  return lines.map((l) => `${stamp(clock)}${l}\n`).join("");
}

await main();
