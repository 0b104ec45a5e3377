import { cleanLine, type SectionEvent } from "./clean.js";
import { annotationMessage, readRunnerLine } from "./markers.js";
import { closesPrivateKey, opensPrivateKey } from "./redact.js";
import { detailScore } from "./detail.js";
import { classify, exitStatusCause, TIER, type Tier, type Verdict } from "./rules.js";
import type { LineSink, RawLine } from "./scanner.js";
import { byRank, defaultKey, DISPLAY_CHARS, type Candidate, type ContextLine, type Findings } from "./model.js";

/**
 * Text kept of a line that may be shown: more than is displayed (select.ts), so that a secret
 * straddling the display cut is still whole when it is redacted.
 */
const STORED_CHARS = DISPLAY_CHARS + 300;
/** Lines kept before and after a candidate, for context. */
const LINES_BEFORE = 5;
const LINES_AFTER = 10;
/** Lines kept after a candidate, blank lines and stack frames included (a Java trace's `Caused by`). */
const MAX_LINES_AFTER = 64;
/** Candidates kept at once; earlier steps keep only their best few once a new step starts. */
const MAX_CANDIDATES = 48;
const KEPT_PER_PAST_STEP = 8;
/** How far back the last words of a failing step are looked for. */
const TAIL_LOOKBACK = 40;
const TAIL_LINES = 5;
const MAX_FAILURES = 8;
/** A header promotes the next line only if that line comes soon. */
const PROMOTION_REACH = 4;
/** `+ cmd` (set -x) or `$ cmd` (GitLab, Travis) this close to a failure is what failed. */
const LAST_COMMAND_REACH = 3;
const MAX_KEY_RANGES = 256;
/** A step's header (script echo, `env:`) ends with `##[endgroup]`; a log cut short may lack it. */
const MAX_STEP_HEADER_LINES = 200;

const XTRACE_OR_ECHO = /^(?:\+{1,9} \S|\$ \S)/;
/** `set -x` shows a script deciding to fail: `+ exit 1`. */
const SCRIPT_EXIT = /^\+{1,9} exit [1-9]\d{0,2}\s*$/;
/** Commands that only print: their output is the script's own message. */
const XTRACE_PRINT = /^\+{1,9} (?:echo|printf|cat|>&2 echo)\b/;
/** How far back a script's message before its `exit` is looked for. */
const SCRIPT_MESSAGE_REACH = 12;
/** Azure Pipelines' script task prints its script between these two lines, then the output. */
const AZURE_SCRIPT_START = /^Script contents:$/;
const AZURE_OUTPUT_START = /^=+ Starting Command Output =+$/;
/** GitLab runner stages; user-defined collapsible sections do not start new steps. */
const RUNNER_SECTION =
  /^(?:prepare_\w+|get_sources|restore_cache|download_artifacts|step_\w+|build_script|after_script|archive_cache\w*|upload_artifacts\w*|cleanup_\w+)$/;
const SCRIPT_SECTION = /^(?:step_\w+|build_script)$/;

/** A line as the engine understands it. */
interface Seen {
  context: ContextLine;
  /** In a GitHub Actions log, a line without a timestamp continues the runner's own text above. */
  continuation: boolean;
  verdict: Verdict;
  stepHeader: boolean;
  endGroup: boolean;
  sections: SectionEvent[];
  endsWithSectionStart: boolean;
}

interface LineRange {
  from: number;
  to: number;
}

/** A runner's "this step failed" line, with the last lines of output before it. */
interface Failure {
  lineNo: number;
  step: number;
  tail: ContextLine[];
}

/** Lines before a given line, as the scanner still remembers them. */
export type Lookback = (beforeLineNo: number, count: number) => RawLine[];

/**
 * Follows a log line by line: where steps begin, where the job failed, which lines look like
 * causes (with a few lines of context each). Memory is bounded by the constants above.
 */
export class SummaryEngine implements LineSink {
  private step = 0;
  private scriptStep: number | null = null;
  /** Where steps failed (the first few): a job with `continue-on-error` steps has several. */
  private failures: Failure[] = [];
  private lastFailureLineNo = 0;
  private candidates: Candidate[] = [];
  private readonly byKey = new Map<string, Candidate>();
  private open: Candidate[] = [];
  private promotion: { tier: Tier; until: number } | null = null;
  private expectSectionHeader = false;
  private stepHeaderFrom: number | null = null;
  private readonly chrome: LineRange[] = [];
  private privateKeyFrom: number | null = null;
  private readonly privateKeys: LineRange[] = [];
  private actionsLog = false;
  /** Lines a runner echoed as the script it runs (Azure): the last one is what failed silently. */
  private readonly commandLines: LineRange[] = [];
  private scriptEchoFrom: number | null = null;
  /** A runner said the job passed (and nothing failed after that). */
  private succeeded = false;

  constructor(private readonly lookback: Lookback) {}

  wantsEveryLine(): boolean {
    return this.open.length > 0 || this.expectSectionHeader || this.promotion !== null;
  }

  take(raw: RawLine): void {
    const seen = this.see(raw);
    // The whole line, not the shortened display text: a key marker may sit past the cut.
    this.trackPrivateKeys(raw.lineNo, raw.text);
    this.trackStructure(raw.lineNo, seen);
    this.feedWindows(seen);
    if (seen.context.chrome) return;
    if (seen.verdict.kind === "success") this.succeeded = true;
    if (SCRIPT_EXIT.test(seen.context.text)) this.considerScriptMessage(raw.lineNo);
    const verdict = this.promote(raw.lineNo, seen);
    if (verdict.wrapper) this.markFailure(raw.lineNo, seen);
    else if (verdict.tier >= TIER.weak) this.consider(raw.lineNo, seen, verdict);
    if (verdict.promotesNext) this.promotion = { tier: verdict.promotesNext, until: raw.lineNo + PROMOTION_REACH };
  }

  /** What was found, once the whole log (`linesRead` lines) was read. */
  finish(linesRead: number): Findings {
    this.open = [];
    if (this.privateKeyFrom !== null)
      this.privateKeys.push({ from: this.privateKeyFrom, to: Number.POSITIVE_INFINITY });
    const candidates = this.candidates.map((c) => ({ ...c, tier: this.effectiveTier(c) }));
    const best = [...candidates].sort(byRank)[0];
    // The last words of the step the best cause was printed in, or of the first failing step.
    const failure = this.failures.find((f) => f.step === best?.step) ?? this.failures[0];
    const tail = failure
      ? failure.tail
      : this.contentLinesBefore(linesRead + 1)
          .slice(-TAIL_LINES)
          .map((s) => s.context);
    return {
      candidates,
      tail,
      tailIsFailurePoint: failure !== undefined,
      succeeded: this.succeeded && this.failures.length === 0,
      isSecret: (lineNo) => inRanges(this.privateKeys, lineNo),
    };
  }

  // --- reading lines ---------------------------------------------------------------------

  private see(raw: RawLine): Seen {
    const clean = cleanLine(raw.text);
    const runner = readRunnerLine(clean.text);
    const chrome = runner.chrome || clean.isSectionHeader || this.isChrome(raw.lineNo, raw.text, clean.text);
    const verdict = chrome
      ? { tier: TIER.none, kind: "chrome" }
      : classify(annotationMessage(runner), runner.annotation);
    const text = runner.text.slice(0, STORED_CHARS);
    const context: ContextLine = { lineNo: raw.lineNo, text, detail: chrome ? -1 : detailScore(text, verdict), chrome };
    if (raw.truncated || runner.text.length > STORED_CHARS) context.cut = true;
    if (verdict.tier >= TIER.medium) context.finding = verdict.kind;
    if (clean.actionsTimestamp) this.actionsLog = true;
    return {
      context,
      continuation: this.actionsLog && !clean.actionsTimestamp,
      verdict,
      stepHeader: runner.stepHeader,
      endGroup: runner.endGroup,
      sections: clean.sections,
      endsWithSectionStart: clean.endsWithSectionStart,
    };
  }

  /**
   * Inside a closed step header everything is furniture. While a header is still open (a log cut
   * short, or one without `##[endgroup]`), only what looks like one: the runner's script echo
   * (cyan) and its `shell:`/`env:`/`with:` blocks, so that output is never hidden.
   */
  private isChrome(lineNo: number, raw: string, text: string): boolean {
    const header = this.stepHeaderFrom;
    if (header !== null && lineNo > header && lineNo <= header + MAX_STEP_HEADER_LINES) {
      if (looksLikeStepHeader(raw, text)) return true;
      // An open header ends at its first line that does not look like one: output follows, and
      // output such as `  left: Some(0)` must not pass for an `env:` block.
      this.stepHeaderFrom = null;
    }
    return inRanges(this.chrome, lineNo);
  }

  private trackStructure(lineNo: number, seen: Seen): void {
    this.trackScriptEcho(lineNo, seen.context.text);
    if (this.expectSectionHeader) {
      this.expectSectionHeader = false;
      if (seen.context.text.length > 0 && seen.sections.length === 0) this.addChrome({ from: lineNo, to: lineNo });
    }
    if (seen.stepHeader) {
      this.newStep();
      this.stepHeaderFrom = lineNo;
    } else if (seen.endGroup && this.stepHeaderFrom !== null) {
      this.addChrome({ from: this.stepHeaderFrom, to: lineNo });
      this.stepHeaderFrom = null;
    }
    for (const section of seen.sections) {
      if (section.source === "gitlab" && !RUNNER_SECTION.test(section.name)) continue;
      this.newStep();
      if (section.kind === "start" && SCRIPT_SECTION.test(section.name)) this.scriptStep = this.step;
    }
    if (seen.endsWithSectionStart) this.expectSectionHeader = true;
  }

  /**
   * Azure's script task: its banner up to `Script contents:` and the `Starting Command Output`
   * line are furniture; the script lines between them are commands, like `set -x` lines.
   */
  private trackScriptEcho(lineNo: number, text: string): void {
    if (AZURE_SCRIPT_START.test(text)) {
      if (this.stepHeaderFrom !== null) this.addChrome({ from: this.stepHeaderFrom, to: lineNo });
      this.stepHeaderFrom = null;
      this.scriptEchoFrom = lineNo;
    } else if (AZURE_OUTPUT_START.test(text) && this.scriptEchoFrom !== null) {
      this.commandLines.push({ from: this.scriptEchoFrom + 1, to: lineNo - 1 });
      if (this.commandLines.length > MAX_KEY_RANGES) this.commandLines.shift();
      this.addChrome({ from: this.scriptEchoFrom, to: this.scriptEchoFrom });
      this.addChrome({ from: lineNo, to: lineNo });
      this.scriptEchoFrom = null;
    }
  }

  private addChrome(range: LineRange): void {
    this.chrome.push(range);
    if (this.chrome.length > MAX_KEY_RANGES) this.chrome.shift();
  }

  private trackPrivateKeys(lineNo: number, text: string): void {
    if (!text.includes("-----")) return;
    if (this.privateKeyFrom === null && opensPrivateKey(text)) this.privateKeyFrom = lineNo;
    if (this.privateKeyFrom !== null && closesPrivateKey(text)) {
      this.privateKeys.push({ from: this.privateKeyFrom, to: lineNo });
      if (this.privateKeys.length > MAX_KEY_RANGES) this.privateKeys.shift();
      this.privateKeyFrom = opensPrivateKey(text.slice(text.lastIndexOf("-----END"))) ? lineNo : null;
    }
  }

  /** A new step: context stops at its border, and past steps keep only their best candidates. */
  private newStep(): void {
    this.step++;
    this.open = [];
    this.promotion = null;
    const past = this.candidates.filter((c) => c.step < this.step - 1);
    if (past.length <= KEPT_PER_PAST_STEP * 4) return;
    const keep = new Set<Candidate>();
    const steps = new Set(past.map((c) => c.step));
    for (const step of steps) {
      past
        .filter((c) => c.step === step)
        .sort(byRank)
        .slice(0, KEPT_PER_PAST_STEP)
        .forEach((c) => keep.add(c));
    }
    for (const c of past) if (!keep.has(c)) this.drop(c);
  }

  // --- candidates ------------------------------------------------------------------------

  private feedWindows(seen: Seen): void {
    if (this.open.length === 0) return;
    for (const candidate of this.open) {
      candidate.after.push(seen.context);
      // Stack frames and blank lines do not use up the window: what comes after them might matter.
      if (seen.context.detail >= 1) candidate.afterWanted--;
    }
    this.open = this.open.filter((c) => c.afterWanted > 0 && c.after.length < MAX_LINES_AFTER);
  }

  private promote(lineNo: number, seen: Seen): Verdict {
    const promotion = this.promotion;
    if (!promotion || seen.context.detail < 1) {
      if (promotion && lineNo >= promotion.until) this.promotion = null;
      return seen.verdict;
    }
    this.promotion = null;
    if (seen.verdict.wrapper || seen.verdict.noise || seen.verdict.tier >= promotion.tier) return seen.verdict;
    return {
      ...seen.verdict,
      tier: promotion.tier,
      kind: seen.verdict.kind === "none" ? "message" : seen.verdict.kind,
    };
  }

  private consider(lineNo: number, seen: Seen, verdict: Verdict): Candidate | null {
    // A burst of the same kind (35 compiler errors, 12 `npm ERR!` lines) is context of its first
    // line; a line naming its own test is a failure of its own.
    if (!verdict.key && this.open.some((c) => c.verdict.kind === verdict.kind && c.tier >= verdict.tier)) return null;
    const key = verdict.key ?? defaultKey(seen.context.text);
    const known = this.byKey.get(key);
    if (known && known.tier >= verdict.tier) {
      known.repeats++;
      return null;
    }
    // The same failure told better (`✕ name` in a progress list, then its `● name` block).
    if (known) this.drop(known);
    const candidate: Candidate = {
      anchor: seen.context,
      verdict,
      tier: verdict.tier,
      step: this.step,
      key,
      before: this.linesBefore(lineNo),
      after: [],
      afterWanted: LINES_AFTER,
      repeats: 0,
    };
    if (!this.admit(candidate)) return null;
    this.open.push(candidate);
    return candidate;
  }

  private admit(candidate: Candidate): boolean {
    if (this.candidates.length >= MAX_CANDIDATES) {
      const worst = this.candidates.reduce((a, b) => (byRank(a, b) > 0 ? a : b));
      if (byRank(candidate, worst) >= 0) return false;
      this.drop(worst);
    }
    this.candidates.push(candidate);
    this.byKey.set(candidate.key, candidate);
    return true;
  }

  private drop(candidate: Candidate): void {
    this.candidates = this.candidates.filter((c) => c !== candidate);
    this.open = this.open.filter((c) => c !== candidate);
    if (this.byKey.get(candidate.key) === candidate) this.byKey.delete(candidate.key);
  }

  /** Blank lines and furniture come along: they are never shown, but keep lines adjacent. */
  private linesBefore(lineNo: number): ContextLine[] {
    return this.lookback(lineNo, LINES_BEFORE + 3).map((raw) => this.see(raw).context);
  }

  // --- where the job failed --------------------------------------------------------------

  private markFailure(lineNo: number, seen: Seen): void {
    this.lastFailureLineNo = lineNo;
    if (this.failures.length >= MAX_FAILURES) return;
    const gitlabJobFailed = seen.context.text.startsWith("ERROR: Job failed");
    const recent = this.contentLinesBefore(lineNo);
    this.failures.push({
      lineNo,
      step: gitlabJobFailed && this.scriptStep !== null ? this.scriptStep : this.step,
      tail: recent.slice(-TAIL_LINES).map((s) => s.context),
    });
    // What follows the failure is cleanup: no context is collected from it.
    this.open = [];
    this.considerLastCommand(recent);
    const statusCause = exitStatusCause(seen.context.text);
    if (statusCause) this.consider(lineNo, seen, statusCause);
    this.open = [];
  }

  /** A script that dies silently under `set -e` leaves only its last command (`+ grep …`). */
  private considerLastCommand(recent: Seen[]): void {
    const last = recent.slice(-LAST_COMMAND_REACH);
    const command = [...last]
      .reverse()
      .find((s) => XTRACE_OR_ECHO.test(s.context.text) || inRanges(this.commandLines, s.context.lineNo));
    if (!command) return;
    const candidate = this.consider(command.context.lineNo, command, { tier: TIER.strong, kind: "last-command" });
    if (!candidate) return;
    candidate.after = last.filter((s) => s.context.lineNo > command.context.lineNo).map((s) => s.context);
    this.open = [];
  }

  /**
   * `echo "Build left the checkout dirty"; exit 1` under `set -x`: the lines the script printed
   * just before its `exit` are its own explanation, whatever their words.
   */
  private considerScriptMessage(exitLineNo: number): void {
    const recent = this.lookback(exitLineNo, SCRIPT_MESSAGE_REACH).map((raw) => this.see(raw));
    const message: Seen[] = [];
    for (let i = recent.length - 1; i >= 0; i--) {
      const line = recent[i]!;
      const text = line.context.text;
      if (line.context.chrome || text.trim().length === 0) continue;
      if (XTRACE_PRINT.test(text)) continue;
      if (XTRACE_OR_ECHO.test(text)) break;
      message.unshift(line);
    }
    const first = message[0];
    if (!first) return;
    const candidate = this.consider(first.context.lineNo, first, { tier: TIER.strong, kind: "script-exit" });
    if (!candidate) return;
    candidate.after = message.slice(1).map((s) => ({ ...s.context, detail: Math.max(s.context.detail, 2) }));
    this.open = this.open.filter((c) => c !== candidate);
  }

  /** Lines a step printed (not runner furniture or annotations, blank lines, wrappers, boilerplate). */
  private contentLinesBefore(lineNo: number): Seen[] {
    return this.lookback(lineNo, TAIL_LOOKBACK)
      .map((raw) => this.see(raw))
      .filter(
        (s) => !s.context.chrome && !s.continuation && s.context.detail >= 0 && !s.verdict.wrapper && !s.verdict.noise,
      )
      .filter((s) => s.verdict.kind !== "tool-wrapper")
      .filter((s) => !s.context.text.startsWith("Warning: "));
  }

  /** Causes printed in steps that did not fail, or after the last failure (cleanup), explain less. */
  private effectiveTier(candidate: Candidate): Tier {
    let tier: number = candidate.tier;
    if (this.failures.length > 0) {
      if (!this.failures.some((f) => f.step === candidate.step)) tier--;
      if (candidate.anchor.lineNo > this.lastFailureLineNo) tier--;
    }
    return Math.max(TIER.none, tier) as Tier;
  }
}

const STEP_HEADER_LINE = /^(?:shell|env|with):|^ {2}[\w.-]{1,80}:(?: |$)/;

function looksLikeStepHeader(raw: string, text: string): boolean {
  return raw.includes("\x1b[36;1m") || STEP_HEADER_LINE.test(text);
}

/** Ranges are appended in line order: the search runs from the newest and stops early. */
function inRanges(ranges: readonly LineRange[], lineNo: number): boolean {
  for (let i = ranges.length - 1; i >= 0; i--) {
    const range = ranges[i]!;
    if (lineNo > range.to) return false;
    if (lineNo >= range.from) return true;
  }
  return false;
}
