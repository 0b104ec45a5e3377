/**
 * What a cleaned log line says about a failure. Rules are general (formats of CI runners,
 * compilers, test runners, linters, package managers), never tuned to one log.
 *
 * Tiers order how strongly a line explains a failure; within a tier, the earliest line wins
 * (causes come before their symptoms):
 * - root: the cause itself (a compiler error, a failing test, an exception, a timeout, OOM);
 * - strong: an explicit error that may be generic (`error: …`, an `##[error]` annotation);
 * - medium: a summary or a header of the real error (`FAIL file`, `Failed to execute goal`);
 * - weak: words of failure in passing (`… failed`, `an error occurred`).
 * Wrappers (`Process completed with exit code 1`, `ERROR: Job failed`) only mark where a job
 * failed; they are never the answer.
 */

export const TIER = { none: 0, weak: 1, medium: 2, strong: 3, root: 4 } as const;
export type Tier = (typeof TIER)[keyof typeof TIER];

export interface Verdict {
  tier: Tier;
  /** Rule family, used to fold a burst of similar lines into the first one. */
  kind: string;
  /** Lines with the same key are the same failure reported again (e.g. a test in a summary). */
  key?: string;
  /** A runner's "the job failed" line: marks the failure point. */
  wrapper?: boolean;
  /** Known boilerplate: never shown as the last words of a failing step. */
  noise?: boolean;
  /** The next non-blank line carries this header's message. */
  promotesNext?: Tier;
}

interface Rule {
  re: RegExp;
  tier: Tier;
  kind: string;
  wrapper?: boolean;
  noise?: boolean;
  promotesNext?: Tier;
  key?: (match: RegExpExecArray) => string | undefined;
}

const NONE: Verdict = { tier: TIER.none, kind: "none" };
/** Go subtests share short names (`a`, `b`): their key is the whole path. */
const WHOLE_NAME = "\u0000";

// --- Lines that look like errors but are not ---------------------------------------------

const NOISE_RULES: readonly Rule[] = [
  { re: /\(ignored\)\s*$/, tier: TIER.none, kind: "ignored" },
  {
    re: /^\s*(?:✓|✔|√|PASS\b|ok\s|--- (?:PASS|SKIP)|=== (?:RUN|PAUSE|CONT|NAME)\b|Passed \S|OK \(\d+ tests?)|^test \S+ \.\.\. (?:ok|ignored)$/,
    tier: TIER.none,
    kind: "pass",
  },
  { re: /\s(?:PASSED|XFAIL|XPASS|SKIPPED)(?:\s|$)/, tier: TIER.none, kind: "pass" },
  { re: /\bRERUN\b/, tier: TIER.none, kind: "rerun" },
  // Mozilla harnesses (mochitest, reftest, xpcshell, wpt): passes, known failures, progress.
  {
    re: /^(?:REFTEST )?TEST-(?:PASS|START|END|INFO|OK|SKIP|LOAD|KNOWN-FAIL|EXPECTED-FAIL|KNOWN-INTERMITTENT-\w+)\b/,
    tier: TIER.none,
    kind: "pass",
  },
  // Infrastructure lines that healthy builds print too: GLib criticals of a media stack, systemd
  // and mounts inside containers, Travis' keep-alive being stopped, artifact downloads retried.
  {
    re: /\b[\w-]{1,40}-(?:CRITICAL|WARNING) \*\*: |^systemd\[\d{1,10}\]: Failed to (?:start|mount)\b|^Failed to mount (?:cgroup|tmpfs)\b|^mount: .{0,300}\b(?:permission denied|not permitted)\b|\bTerminated\s+travis_jigger\b|^\[taskcluster:error\] Error downloading .{0,600}\bNext Attempt in\b/i,
    tier: TIER.none,
    kind: "infra-noise",
    noise: true,
  },
  {
    re: /^(?:A complete log of this run|This is probably not a problem with npm|To see the full stack trace|Re-run Maven using|For more information about the errors|\[Help \d+\]|-> \[Help \d+\]|After correcting the problems|mvn <args>|Run with --(?:stacktrace|info|debug|scan)|Get more help at|See https?:\/\/\S+ for|Ran all test suites|Snapshots:|Time:|(?:real|user|sys)\s+\d)/,
    tier: TIER.none,
    kind: "boilerplate",
    noise: true,
  },
  { re: /\bwarnings? generated\b/, tier: TIER.none, kind: "boilerplate", noise: true },
  // How runners say a job passed: with nothing else found, the log is clean.
  {
    re: /^(?:Job succeeded|Finished: SUCCESS|Done\. Your build exited with 0\.|Successful task run with exit code: 0\b)/,
    tier: TIER.none,
    kind: "success",
    noise: true,
  },
];

// --- "The job failed" lines of runners and build tools ---------------------------------

const WRAPPER_RULES: readonly Rule[] = [
  { re: /\bProcess completed with exit code \d+/, tier: TIER.none, kind: "wrapper", wrapper: true },
  { re: /^The process '[^']{1,1000}' failed with exit code \d+/, tier: TIER.none, kind: "wrapper", wrapper: true },
  { re: /^ERROR: Job failed: exit code \d+/, tier: TIER.none, kind: "wrapper", wrapper: true },
  { re: /^The command ".{1,1000}" (?:failed and )?exited with \d+/, tier: TIER.none, kind: "wrapper", wrapper: true },
  {
    re: /^Done\. Your build exited with \d+|^Exited with code (?:exit status )?\d+|\bError: The command exited with status \d+/,
    tier: TIER.none,
    kind: "wrapper",
    wrapper: true,
  },
  {
    re: /\bscript returned exit code -?\d+|^Finished: (?:FAILURE|ABORTED|UNSTABLE)\b|\bmarked build as failure\b/,
    tier: TIER.none,
    kind: "wrapper",
    wrapper: true,
  },
  { re: /^ERROR: Command failed:?\s*$|\bbuild error: Build failed\b/, tier: TIER.none, kind: "wrapper", wrapper: true },
  // Taskcluster workers, Netlify builds.
  {
    re: /^Unsuccessful task run with exit code: \d+|^\[taskcluster:error\] exit status \d+|^Failed during stage '[^']{1,100}': .{0,200}\bnon-zero exit code\b/,
    tier: TIER.none,
    kind: "wrapper",
    wrapper: true,
  },
  // A command's exit status printed by a tool that goes on (retries, the next test file).
  {
    re: /\b(?:exited|exits) with (?:exit )?(?:code|status):? ?\d+|\bGot exit code \d+|\bfailed with exit code \d+|\bChild return code was: \d+|\breturning nonzero exit status \d+|\bBad exit status from \S{1,300} \(%\w{1,20}\)/,
    tier: TIER.none,
    kind: "tool-wrapper",
  },
  // Tool-level "it failed" lines: they name no cause and do not end the job.
  {
    re: /^(?:g?make|mingw32-make)(?:\[\d+\])?: \*\*\* (?!No rule to make target)(?!.{0,200}missing separator)/,
    tier: TIER.weak,
    kind: "tool-wrapper",
  },
  {
    re: /^ninja: build stopped\b|^\*+ .{0,80}\bbuild failed\b|^ERROR Backend subprocess exited/i,
    tier: TIER.none,
    kind: "tool-wrapper",
  },
  {
    re: /^npm (?:ERR!|error) (?:Test failed|code ELIFECYCLE|code \d+$|errno|Fix the upstream dependency conflict|this command with --force|to accept an incorrect|See \S{1,300} for a full report|For a full report see|\S+@\S+ \w+: `|Exit status|Failed at the|command failed|command sh|Lifecycle script|A complete log|This is probably|Log files were not written|You can rerun|\s*$)/,
    tier: TIER.none,
    kind: "tool-wrapper",
    noise: true,
  },
  {
    re: /^(?:error )?Command failed with exit code \d+|\bELIFECYCLE\b|^info Visit https:\/\/yarnpkg/,
    tier: TIER.none,
    kind: "tool-wrapper",
    noise: true,
  },
  {
    re: /^(?:FAILURE: Build failed with an exception|BUILD FAILED\b|BUILD FAILURE\b)/,
    tier: TIER.none,
    kind: "tool-wrapper",
  },
  {
    re: /^error: (?:could not compile|aborting due to|test failed, to rerun pass|Recipe `)/,
    tier: TIER.none,
    kind: "tool-wrapper",
  },
  {
    re: /\blinker command failed with exit code\b|\bld returned \d+ exit status\b|returned non-zero exit status \d+/,
    tier: TIER.weak,
    kind: "tool-wrapper",
  },
  {
    re: /\berror: subprocess-exited-with-error\b|did not run successfully\.?$|did not complete successfully: exit code/,
    tier: TIER.weak,
    kind: "tool-wrapper",
  },
];

// --- Causes ------------------------------------------------------------------------------

// A file path at the start of a line: may hold spaces (Windows), not colons or parentheses.
const PATH = "(?:[A-Za-z]:)?[^\\s:()][^:()]{0,400}?";

const CAUSE_RULES: readonly Rule[] = [
  // Timeouts, cancellations and runner trouble end a job without any other error.
  {
    re: /\bhas timed out\b|\btimed out after\b|\breturning 124\b|\bexceeded the (?:maximum|max) (?:execution )?time\b|\bexecution took longer than\b|\bTimeout of \d+ ?ms exceeded|\bExceeded timeout of \d+ ?ms|\btest timed out after\b|\bBuild timed out\b|\bmaximum time limit for jobs\b|No output has been received in the last \d+|^Too long with no output \(exceeded [\dhms.]{1,20}\)|\bmax(?:imum)? run ?time exceeded\b|^Jest did not exit one second after the test run has completed/,
    tier: TIER.root,
    kind: "timeout",
  },
  {
    re: /\brunner has received a shutdown signal\b|\blost communication with the server\b|^ERROR: Job failed \(system failure\)|\bThis job is stuck\b|\bNo space left on device\b|\bThe hosted runner .{0,200} encountered an error\b|\bwrapper script does not seem to be touching the log file\b/,
    tier: TIER.root,
    kind: "runner",
  },
  { re: /\bThe operation was cancell?ed\b|\bjob was cancell?ed\b/i, tier: TIER.strong, kind: "runner" },
  // Out of memory, signals.
  {
    re: /(?:^|: line \d+: +\d+ +|^\d+ +)Killed\b|\bKilled process \d+|\bOOMKilled\b|\bOOM[- ]?kill|\b[Oo]ut of memory\b|\bCannot allocate memory\b|\bbad_alloc\b|\bOutOfMemoryError\b|\bMemoryError\b/,
    tier: TIER.root,
    kind: "oom",
  },
  {
    re: /\bSegmentation fault\b|\bcore dumped\b|(?:^|: line \d+: +\d+ +)(?:Aborted|Bus error|Illegal instruction|Terminated)\b|\b(?:killed|terminated) by signal\b|^signal: (?:killed|terminated|segmentation)|\bfatal error: (?:all goroutines are asleep|concurrent map|out of memory)/,
    tier: TIER.root,
    kind: "signal",
  },
  {
    re: /\breceived (?:signal \w+|SIG[A-Z]{2,6}\b)|\bSIG(?:KILL|SEGV|ABRT|BUS|ILL|INT|TERM)\b/,
    tier: TIER.strong,
    kind: "signal",
  },
  // Sanitizers and runtime checks: the crash report's first line.
  {
    re: /==\d{1,10}==\s?ERROR: \w{0,20}Sanitizer\b|\bruntime error: |^\s*(?:WARNING: )?ThreadSanitizer: data race\b/,
    tier: TIER.root,
    kind: "crash",
  },
  // Mozilla: a crash report, a failed MOZ_ASSERT or MOZ_CRASH (with the file and line).
  {
    re: /^PROCESS-CRASH \| |\bAssertion failure: .{1,1000}, at \S{1,400}:\d{1,7}|\bHit MOZ_CRASH\(/,
    tier: TIER.root,
    kind: "crash",
  },
  // Compilers: gcc/clang/javac/mypy/swift `file:line[:col]: [fatal ]error:`, MSVC/tsc `file(l,c): error`.
  { re: new RegExp(`^${PATH}:\\d{1,7}(?::\\d{1,7})?:\\s{0,4}(?:fatal )?error\\b`), tier: TIER.root, kind: "compile" },
  {
    re: new RegExp(`^${PATH}\\(\\d{1,7}(?:,\\d{1,7}){0,3}\\)\\s?:\\s{0,4}(?:fatal )?error\\b`),
    tier: TIER.root,
    kind: "compile",
  },
  { re: new RegExp(`^${PATH}:\\d{1,7}:\\d{1,7} - error TS\\d+`), tier: TIER.root, kind: "compile" },
  { re: /\berror (?:TS|CS|C|LNK|MSB|NU|BC|FS)\d{3,5}\b/, tier: TIER.root, kind: "compile" },
  { re: /^error\[E\d{4}\]/, tier: TIER.root, kind: "compile" },
  // kotlinc/gradle `e: file.kt:12:5 msg`, javac through maven/sbt `File.java:[12,5] msg`.
  { re: /^e: (?:file:\/\/)?\S/, tier: TIER.root, kind: "compile" },
  { re: /^\S.{0,400}?\.(?:java|kt|kts|scala|groovy):\[?\d{1,7}(?:,\d{1,7})?\]? /, tier: TIER.root, kind: "compile" },
  // Go build/vet (`./x.go:12:5: undefined: y`); `_test.go:N:` lines are test logs, not errors.
  { re: /^\s*\S{1,400}?_test\.go:\d{1,7}:/, tier: TIER.none, kind: "go-test-log" },
  { re: /^\S{1,400}?\.go:\d{1,7}:\d{1,7}: /, tier: TIER.root, kind: "compile" },
  // Linkers, CMake, bundlers.
  {
    re: /\bundefined reference to\b|\bUndefined symbols for architecture\b|\bld: symbol\(s\) not found\b|\bcannot find -l\S+|\bmultiple definition of\b|^\s{0,12}CMake Error\b|\bModule not found: Error:|\bCould not resolve "/,
    tier: TIER.root,
    kind: "compile",
  },
  { re: /^FAILED: /, tier: TIER.strong, kind: "build-step" },
  { re: /^ERROR in \S/, tier: TIER.strong, kind: "compile" },
  // Tests. jest/vitest `●` blocks, `✕`/`×` marks; pytest, unittest, go, cargo, rspec, junit, dotnet, phpunit.
  { re: /^\s*● (?!Console\b)(.+)$/, tier: TIER.root, kind: "test", key: (m) => testKey(m[1], " › ") },
  {
    re: /^\s*(?:FAIL|×|❯)\s+\S+\.(?:test|spec)\.[cm]?[jt]sx?\s+>\s+(.+)$/,
    tier: TIER.root,
    kind: "test",
    key: (m) => testKey(m[1], " > "),
  },
  { re: /^\s*(?:✕|✗|✘|×)\s{1,4}(\S.*)$/, tier: TIER.strong, kind: "test-mark", key: (m) => testKey(m[1], " › ") },
  {
    re: /^(?:FAILED|ERROR)\s+(?:\[[\d.]+m?s\]\s+)?(\S+?)(?:\s+-\s+(\S.*))?$/,
    tier: TIER.root,
    kind: "test",
    key: (m) => testKey(m[1], "::"),
  },
  { re: /^(?=\S*::)(\S+)\s(?:FAILED|ERROR)\b/, tier: TIER.strong, kind: "test-mark", key: (m) => testKey(m[1], "::") },
  {
    re: /^_{3,200} (?:(?:ERROR collecting|ERROR at (?:setup|teardown) of) )?(\S.*?) _{3,200}$/,
    tier: TIER.strong,
    kind: "test-header",
    key: (m) => testKey(m[1], "."),
  },
  { re: /^E\s{1,10}\S/, tier: TIER.root, kind: "assertion" },
  // Mozilla harnesses name the test between pipes: `TEST-UNEXPECTED-FAIL | path | message`.
  {
    re: /^(?:REFTEST )?TEST-UNEXPECTED-(?:FAIL|TIMEOUT|ERROR|CRASH|NOTRUN) \| ([^|]{1,400}?) \|/,
    tier: TIER.root,
    kind: "test",
    key: (m) => `test:${m[1]!.trim()}`,
  },
  { re: /^(?:REFTEST )?TEST-UNEXPECTED-PASS \| /, tier: TIER.strong, kind: "test-mark" },
  { re: /^(?:FAIL|ERROR): (test\w*) \(/, tier: TIER.root, kind: "test", key: (m) => testKey(m[1], ".") },
  { re: /^\s*--- FAIL: (\S+)/, tier: TIER.root, kind: "test", key: (m) => testKey(m[1], WHOLE_NAME) },
  { re: /^(?:panic: |thread '.{1,200}' panicked at\b)/, tier: TIER.root, kind: "panic" },
  {
    re: /^test (\S+) \.\.\. FAILED$|^---- (\S+) stdout ----$/,
    tier: TIER.strong,
    kind: "test-mark",
    key: (m) => testKey(m[1] ?? m[2], "::"),
  },
  { re: /^\s*Failure\/Error: /, tier: TIER.root, kind: "assertion" },
  { re: /^rspec \.\/\S+:\d+ # /, tier: TIER.strong, kind: "test-mark" },
  { re: /<<< (?:FAILURE|ERROR)!/, tier: TIER.root, kind: "test" },
  { re: /^\S[^>]{0,300} > .{0,300} FAILED$/, tier: TIER.root, kind: "test" },
  {
    re: /^\s*Failed [\w.+`<>]+(?:\(.*\))? \[[\d.]+ ?m?s\]|\bAssert\.\w+\(\) Failure\b|\bFailed asserting that\b/,
    tier: TIER.root,
    kind: "test",
  },
  {
    re: /\bexpected:? ?<.{0,500}> but was:? ?<|\bAssertion [`'].{0,300}' failed\b|^\s*assert(?:ion)? failed\b/i,
    tier: TIER.root,
    kind: "assertion",
  },
  // Exceptions: Python/Java/JS/.NET `pkg.SomeError: message`, Java `Exception in thread`.
  {
    re: /^\s{0,8}(?:[A-Za-z_$][\w$]{0,80}(?:\.|::)){0,10}[A-Z][\w$]{0,80}(?:Error|Exception|Failure|Fault)(?:\s\[[A-Z_]{2,40}\])?(?::\s|:?$)/,
    tier: TIER.root,
    kind: "exception",
  },
  {
    re: /\bException in thread\b|^Uncaught \w+|^Unhandled (?:exception|rejection)\b/i,
    tier: TIER.root,
    kind: "exception",
  },
  // A patch that does not apply (rpmbuild %prep, quilt, git apply); its name is in the context.
  {
    re: /^Hunk #\d{1,5} FAILED at \d{1,7}|^\d{1,5} out of \d{1,5} hunks? FAILED\b|^error: patch failed: \S|^Patch \S{1,200} does not apply\b/,
    tier: TIER.root,
    kind: "patch",
  },
  {
    re: /can't find file to patch\b|^Reversed \(or previously applied\) patch detected\b/,
    tier: TIER.strong,
    kind: "patch",
  },
  // javac reading a class compiled for a newer Java.
  {
    re: /\bclass file has wrong version \d{2,3}\.\d{1,2}, should be \d{2,3}\.\d{1,2}/,
    tier: TIER.root,
    kind: "compile",
  },
  // Missing files, commands, modules.
  {
    re: /\bNo rule to make target\b|\bmissing separator\b|\bunbound variable\b|\bNo such file or directory\b|\bENOENT\b|\bcommand not found\b|^(?:\/\S+\/)?(?:ba|z|da|k)?sh: (?:line )?\d+: .{1,200}: not found$|\bcannot open shared object file\b|\bCannot find module\b|\bERR_MODULE_NOT_FOUND\b|\bis not recognized as an internal or external command\b|\bThe term '.{1,200}' is not recognized\b|\bpathspec '.{1,200}' did not match\b|\bCould not find (?:file|a part of the path)\b/,
    tier: TIER.root,
    kind: "missing",
  },
  // Package managers.
  {
    re: /^\s*Problem(?: \d+)?: |\bnothing provides\b|^No match for argument\b|^Error: Unable to find a match\b|^error: Failed build dependencies\b|^E: |\bCould not find a version that satisfies\b|\bFailed building wheel for\b|\bNo matching distribution found\b|\bResolutionImpossible\b|\bCould not resolve dependencies\b|\bCould not find artifact\b|\bCould not resolve all (?:files|dependencies)\b|\bCould not find gem\b|^ERROR: unable to select packages\b|\bERR_PNPM_\w+|\bunknown revision\b|\bno matching versions for query\b/,
    tier: TIER.root,
    kind: "package",
  },
  // npm's peer-dependency conflict: the next lines say which packages (see detail.ts).
  { re: /^npm (?:ERR!|error) ERESOLVE\b/, tier: TIER.root, kind: "package" },
  { re: /^npm (?:ERR!|error) {1,12}node_modules\//, tier: TIER.none, kind: "npm-path" },
  { re: /^npm (?:ERR!|error) (?:code \w+|missing script|\S*404\b)/i, tier: TIER.strong, kind: "package" },
  { re: /^npm (?:ERR!|error) /, tier: TIER.medium, kind: "package" },
  // Container images and registries.
  {
    re: /\bError response from daemon\b|\bpull access denied\b|\bmanifest unknown\b|\btoomanyrequests\b|\bCannot connect to the Docker daemon\b|^(?:ERROR: )?failed to solve: /,
    tier: TIER.root,
    kind: "docker",
  },
  // Lint findings: flake8/ruff/pylint `file:1:2: E501`, eslint `12:5  error`, lintrunner, rubocop, shellcheck, black.
  { re: /^\s*Error \([A-Z0-9_-]{1,40}\) \S/, tier: TIER.strong, kind: "lint" },
  { re: /^\s*(?:Warning|Advice) \([A-Z0-9_-]{1,40}\) \S/, tier: TIER.medium, kind: "lint" },
  { re: new RegExp(`^${PATH}:\\d{1,7}:\\d{1,7}:? (?:[A-Z]{1,4}\\d{2,5}|[EF]:) `), tier: TIER.strong, kind: "lint" },
  { re: new RegExp(`^${PATH}:\\d{1,7}:\\d{1,7}: [CWR]: `), tier: TIER.medium, kind: "lint" },
  { re: /^\s+\d{1,7}:\d{1,7}\s+error\s+\S/, tier: TIER.strong, kind: "lint" },
  { re: /^\s+\d{1,7}:\d{1,7}\s+warning\s+\S/, tier: TIER.medium, kind: "lint" },
  { re: /\^-+ SC\d{4} \((?:error)\)|^\s*✖ \d+ problems? \(\d+ errors?/, tier: TIER.strong, kind: "lint" },
  {
    re: /\^-+ SC\d{4} \(|^would reformat \S|Code style issues found|\b\d+ files? would be reformatted\b/,
    tier: TIER.medium,
    kind: "lint",
  },
  // Headers whose next line is the message.
  {
    re: /^\* What went wrong:$|^RPM build errors:$|^COMPILATION ERROR :?$|^Failures:$|^There (?:was|were) \d+ (?:failures?|errors?):$/,
    tier: TIER.medium,
    kind: "header",
    promotesNext: TIER.strong,
  },
  { re: /^\s*\d+ failing$/, tier: TIER.medium, kind: "header", promotesNext: TIER.strong },
  // Test summaries: the counts, the failing file.
  {
    re: /^\s*FAIL\s+\S|^FAIL\t|^Tests?:\s+[1-9]\d* failed|^Test Suites:\s+[1-9]\d* failed|^=+ .*\b[1-9]\d* (?:failed|errors?)\b|^test result: FAILED|^\d+ examples?, [1-9]\d* failures?|^FAILED \(|Tests run: \d+, Failures: [1-9]|^Interrupted: \d+ errors?/,
    tier: TIER.medium,
    kind: "test-summary",
  },
  {
    re: /^Failed to execute goal\b|^> Task \S+ FAILED$|^\s*> .{0,300}failed\b/i,
    tier: TIER.medium,
    kind: "build-step",
  },
  { re: /^CONFLICT \(|\bAutomatic merge failed\b/, tier: TIER.root, kind: "git" },
  {
    re: /\bcoverage threshold\b.{0,200}\bnot met\b|\bRequired test coverage of\b.{0,40}\bnot reached\b/i,
    tier: TIER.strong,
    kind: "coverage",
  },
  // Generic words of failure, strongest first.
  { re: /^(?:fatal|FATAL)\b:?|\bfatal: |\bFATAL: /, tier: TIER.strong, kind: "error" },
  // Tools indent what their subprocesses print (pip, cmake): a little indentation is allowed.
  {
    re: /^\s{0,8}(?:error|ERROR|Error)(?: ?\[[\w-]{1,40}\])?\s{0,4}[:!]|\bFatal error: |\bsyntax error\b/,
    tier: TIER.strong,
    kind: "error",
  },
  { re: /^(?:[\w.-]{1,40}: )(?:error|fatal error|ERROR):/, tier: TIER.strong, kind: "error" },
  {
    re: /\bPermission denied\b|\bAccess denied\b|\bConnection refused\b|\bcould not read Username\b|\bAuthentication failed\b|\bunauthorized:/i,
    tier: TIER.strong,
    kind: "error",
  },
  { re: /\b(?:error|ERROR|Error)\b\s{0,2}[:\]]|^\s*\[(?:error|ERROR|FATAL|fatal)\]/, tier: TIER.medium, kind: "error" },
  {
    re: /\b(?:ETIMEDOUT|ECONNRESET|ECONNREFUSED|EAI_AGAIN|ENOTFOUND|EHOSTUNREACH)\b/,
    tier: TIER.medium,
    kind: "network",
  },
  {
    re: /\b(?:API |secondary )?rate limit (?:exceeded|reached)\b|\bToo Many Requests\b/i,
    tier: TIER.strong,
    kind: "network",
  },
  {
    re: /\b(?:HTTP\/\d(?:\.\d)? |status:? ?)?(?:401 Unauthorized|403 Forbidden|404 Not Found|50[0234] (?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out))\b/i,
    tier: TIER.medium,
    kind: "network",
  },
  { re: /^(?:Failed to|Unable to|Could not|Couldn't|Cannot|Can't|Fatal)\b/i, tier: TIER.medium, kind: "error" },
  {
    re: /\b(?:failed|failure|FAILED|FAILURE|fails|Failed|Failure|exception|Exception|deadline exceeded)\b|\berror\b|\bError\b/,
    tier: TIER.weak,
    kind: "mention",
  },
];

// --- Levels and annotations --------------------------------------------------------------

type Level = "error" | "warning" | "info" | null;

const LEVEL_PREFIX =
  /^\s{0,8}(?:\[(ERROR|WARNING|WARN|INFO|DEBUG|error|warn|warning|info|debug)\]|(DEBUG|INFO|NOTICE|TRACE)\s+[\w.-]{1,80}:\d{1,6}:)\s{0,8}/;
// Prefixes of multiplexed or boxed output: BuildKit `#8 1.234 `, docker compose `web-1  | `,
// Terraform's `│ ` box, monorepo runners (turbo `web:test: `, pnpm `packages/web test: `). The
// task name starts with a letter, so `src/a.c:12:5: ` is never taken for one. Upper-case markers
// before a pipe (`TEST-UNEXPECTED-FAIL | `, `PROCESS-CRASH | `) are harness verdicts, not services.
const STREAM_PREFIX =
  /^(?:#\d{1,4} (?:\d{1,6}\.\d{1,3} )?|(?![A-Z][A-Z-]{2,40} \| )[\w.-]{1,60} {1,20}\| |│ ?|[\w@/.-]{1,80}[: ][a-z][\w:-]{0,40}: )/;
const WARNING_WORDS =
  /^(?:warning|WARNING|Warning|WARN|warn)\b\s*[:!]|^npm (?:WARN|warn)\b|^warning\s|^W: |^w: |\b[A-Z]\w{0,60}Warning\b(?::|$)|\bwarning:|\[-W[\w-]+\]|^\s*\^-+ SC\d{4} \((?:warning|info|style)\)/;

/** Splits `[ERROR] msg`, `DEBUG util.py:12:  msg` into a level and the message. */
export function splitLevel(text: string): { level: Level; message: string } {
  const stream = STREAM_PREFIX.exec(text);
  if (stream) text = text.slice(stream[0].length);
  const match = LEVEL_PREFIX.exec(text);
  if (!match) return { level: null, message: text };
  const word = (match[1] ?? match[2] ?? "").toLowerCase();
  const level: Level = word === "error" ? "error" : word.startsWith("warn") ? "warning" : "info";
  return { level, message: text.slice(match[0].length) };
}

/** Classifies one cleaned line (GitHub Actions annotations already turned into plain text). */
export function classify(text: string, annotation: Level = null): Verdict {
  if (text.trim().length === 0) return NONE;
  const { level: prefixLevel, message } = splitLevel(text);
  const level = annotation ?? prefixLevel;
  if (onlyZeroCounts(message)) return { tier: TIER.none, kind: "zero", noise: true };
  const matched =
    firstMatch(NOISE_RULES, message) ?? firstMatch(WRAPPER_RULES, message) ?? firstMatch(CAUSE_RULES, message);
  if (level === "warning" || WARNING_WORDS.test(message)) return asWarning(matched);
  // `##[error]Bash exited with code '1'.`: a runner reporting that the step failed.
  if (annotation === "error" && EXIT_STATUS.test(message) && (matched?.tier ?? TIER.none) < TIER.root)
    return { tier: TIER.none, kind: "wrapper", wrapper: true };
  if (!matched) {
    // `[ERROR] something` / `##[error]something` with no other rule: an explicit error all the same.
    return level === "error" ? { tier: TIER.strong, kind: "error" } : NONE;
  }
  const explicitError =
    level === "error" && matched.tier > TIER.none && matched.tier < TIER.strong && !matched.wrapper && !matched.noise;
  return explicitError
    ? { ...matched, tier: TIER.strong, kind: matched.kind === "mention" ? "error" : matched.kind }
    : matched;
}

const EXIT_STATUS = /\bexit(?:ed)?\b.{0,40}\b(?:code|status)\b/;

/**
 * Exit statuses that name their cause: 124 is timeout(1), 128+N is death by signal N (137 is a
 * SIGKILL, most often the out-of-memory killer).
 */
export function exitStatusCause(text: string): Verdict | null {
  const status = /\bexit (?:code|status):? ?(\d{1,3})\b|\bexited with (?:code )?(\d{1,3})\b/.exec(text);
  const code = Number(status?.[1] ?? status?.[2]);
  if (code === 124) return { tier: TIER.medium, kind: "timeout" };
  if (code === 134 || code === 137 || code === 139 || code === 143) return { tier: TIER.medium, kind: "signal" };
  return null;
}

const COUNTS = /\b(\d{1,9}) (?:errors?|failures?|failed|failing)\b|\b(?:errors?|failures?|failed):\s{0,3}(\d{1,9})\b/gi;

/** `0 errors`, `Failures: 0, Errors: 0`: a tally that says nothing failed. */
function onlyZeroCounts(text: string): boolean {
  COUNTS.lastIndex = 0;
  let counted = false;
  for (let match = COUNTS.exec(text); match; match = COUNTS.exec(text)) {
    if (Number(match[1] ?? match[2]) > 0) return false;
    counted = true;
  }
  return counted;
}

/** Warnings explain a failure only when the job fails on them (lint): they never outrank errors. */
function asWarning(matched: Verdict | null): Verdict {
  if (matched?.kind === "lint") return { ...matched, tier: Math.min(matched.tier, TIER.medium) as Tier };
  if (matched?.noise) return matched;
  // A warning never ends a job, even one worded like a wrapper (`… failed with exit code 1, retrying`).
  return { tier: matched && (matched.tier > TIER.none || matched.wrapper) ? TIER.weak : TIER.none, kind: "warning" };
}

function firstMatch(rules: readonly Rule[], text: string): Verdict | null {
  for (const rule of rules) {
    const match = rule.re.exec(text);
    if (!match) continue;
    const verdict: Verdict = { tier: rule.tier, kind: rule.kind };
    const key = rule.key?.(match);
    if (key) verdict.key = key;
    if (rule.wrapper) verdict.wrapper = true;
    if (rule.noise) verdict.noise = true;
    if (rule.promotesNext) verdict.promotesNext = rule.promotesNext;
    return verdict;
  }
  return null;
}

/** A test is the same test in the progress list, the failure block and the final summary. */
function testKey(title: string | undefined, separator: string): string | undefined {
  if (!title) return undefined;
  const name = title.replace(/\s+\(\d+(?:\.\d+)?\s*m?s\)$/, "").trim();
  const at = name.lastIndexOf(separator);
  return `test:${(at === -1 ? name : name.slice(at + separator.length)).trim()}`;
}
