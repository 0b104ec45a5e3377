/**
 * The summarizer CLI path with process I/O, for the benchmark's child process:
 * `tsx bench/summarize-main.ts [summarize args…]`. With SUMMARIZE_REPORT_RSS=1 it prints its
 * peak resident set size on stderr, for systems without /usr/bin/time.
 */
import { summarizeCommand } from "../src/entry/cli/summarize.js";

const code = await summarizeCommand(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});
if (process.env.SUMMARIZE_REPORT_RSS === "1") process.stderr.write(`maxRSS_kB ${process.resourceUsage().maxRSS}\n`);
process.exitCode = code;
