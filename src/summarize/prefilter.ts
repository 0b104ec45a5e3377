/**
 * The cheap first look at every byte. A log is mostly lines that can never matter (progress,
 * passing tests, file lists); only lines containing one of these fragments are decoded and
 * classified, the rest are only counted and remembered for context. Every rule in rules.ts
 * that can make a line a candidate must be reachable through one of these fragments.
 *
 * The fragments are compiled into one Aho-Corasick automaton over raw bytes: one table lookup
 * a byte, whatever the number of fragments, linear on any input. Letters are matched without
 * case and every digit as `0`; UTF-8 symbols are written as their bytes.
 */
const FRAGMENTS: readonly string[] = [
  ...["error", "err!", "err_", "fail", "fatal", "panic", "exception", "kill", "abort", "illegal", "segmentation"],
  ...[
    "timed out",
    "timeout",
    "time limit",
    "took longer",
    "took >",
    "returning 000",
    "exceeded",
    "stuck",
    "cancel",
    "terminat",
  ],
  ...[
    "not found",
    "not recogni",
    "no such file",
    "no match",
    "no space left",
    "nothing provides",
    "missing",
    "undefined",
    "unresolved",
  ],
  ...[
    "denied",
    "refused",
    "signal",
    "memory",
    "problem",
    "unable",
    "cannot",
    "can't",
    "couldn't",
    "could not",
    "invalid",
  ],
  ...[
    "exited",
    "exit code",
    "exit status",
    "return code",
    "warn",
    "lost communication",
    "reformat",
    "unbound",
    "no rule",
  ],
  ...["conflict", "threshold", "timedout", "econn", "eai_again", "enotfound", "unreach"],
  // Mozilla crash reports, npm peer conflicts, javac class versions, runner hangs and no-output
  // timeouts, a script's own `exit 1`, Azure's script echo, runners' success lines.
  ...["crash", "eresolve", "wrong version", "did not exit", "no output", "touching the log", "+ exit 0"],
  ...["script contents:", "starting command output", "succeeded", "finished: success", "successful task"],
  ...["rate limit", "too many requests", "forbidden", "unauthori", "bad gateway", "unavailable"],
  // CI runner markers: GitHub Actions commands, GitLab sections, Travis folds.
  ...["##[", "::error", "::warning", "section_", "travis_"],
  // Private keys, which must be tracked across lines to be redacted.
  ...["-----begin", "-----end"],
  // pytest failure headers, rspec re-run lines, Go compiler/vet output, shellcheck codes.
  ...["____ ", "rspec ./", ".go:0", "sc0000"],
  // ● (jest), ✕ ✖ ✗ ✘ (jest, eslint, mocha reporters), × (vitest).
  ...["\xe2\x97\x8f", "\xe2\x9c\x95", "\xe2\x9c\x96", "\xe2\x9c\x97", "\xe2\x9c\x98", "\xc3\x97"],
  // `file:12:5: …` (compilers, linters: flake8 `E501`, rubocop `C:`), at any width of numbers.
  ...numberRuns((line, col) => `:${line}:${col}: `, 7, 4),
  // At the start of a line (after a GitHub Actions timestamp): apt/kotlinc `E:`/`e:`, `W:`,
  // pytest `E   `, numbered failures of mocha/rspec/phpunit (`  1) …`).
  ...["\ne: ", "\nw: ", "\ne  "],
  ...numberedItems(),
];

/** A line starts in this state: `\n` was just read. */
const LINE_START_BYTE = 10;

const FOLD = foldTable();

function foldTable(): Uint8Array {
  const fold = new Uint8Array(256);
  for (let b = 0; b < 256; b++) fold[b] = b >= 65 && b <= 90 ? b + 32 : b >= 48 && b <= 57 ? 48 : b;
  return fold;
}

function numberRuns(shape: (line: string, col: string) => string, maxLine: number, maxCol: number): string[] {
  const out: string[] = [];
  for (let l = 1; l <= maxLine; l++) for (let c = 1; c <= maxCol; c++) out.push(shape("0".repeat(l), "0".repeat(c)));
  return out;
}

function numberedItems(): string[] {
  const out: string[] = [];
  for (let indent = 0; indent <= 6; indent++)
    for (let digits = 1; digits <= 3; digits++) out.push(`\n${" ".repeat(indent)}${"0".repeat(digits)}) `);
  return out;
}

/**
 * A deterministic automaton: `next[state << 8 | byte]`. States are numbered so that those
 * completing a fragment come last: `state >= firstAccepting` is the whole test.
 */
export interface Automaton {
  next: Uint16Array;
  firstAccepting: number;
  /** The state after a newline, where fragments that start with `\n` begin. */
  lineStart: number;
}

export const PREFILTER: Automaton = buildAutomaton(FRAGMENTS);

/** True when the bytes contain a fragment (for a line assembled from several chunks). */
export function containsFragment(bytes: Uint8Array, automaton: Automaton = PREFILTER): boolean {
  const { next, firstAccepting } = automaton;
  let state = automaton.lineStart;
  for (let i = 0; i < bytes.length; i++) {
    state = next[(state << 8) | bytes[i]!]!;
    if (state >= firstAccepting) return true;
  }
  return false;
}

export function buildAutomaton(fragments: readonly string[]): Automaton {
  const children: Array<Map<number, number>> = [new Map()];
  const accept: number[] = [0];
  for (const fragment of fragments) {
    let state = 0;
    for (const byte of Buffer.from(fragment, "latin1")) {
      const symbol = FOLD[byte]!;
      let child = children[state]!.get(symbol);
      if (child === undefined) {
        child = children.length;
        children.push(new Map());
        accept.push(0);
        children[state]!.set(symbol, child);
      }
      state = child;
    }
    accept[state] = 1;
  }
  const stateCount = children.length;
  if (stateCount > 0xffff) throw new Error("prefilter automaton too large");
  const folded = new Uint16Array(stateCount * 256);
  const failure = new Uint32Array(stateCount);
  const queue: number[] = [];
  for (let symbol = 0; symbol < 256; symbol++) {
    const child = children[0]!.get(symbol);
    folded[symbol] = child ?? 0;
    if (child !== undefined) queue.push(child);
  }
  // Breadth first: a state's failure link is already complete when its children are built.
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head]!;
    accept[state] = accept[state]! | accept[failure[state]!]!;
    for (let symbol = 0; symbol < 256; symbol++) {
      const child = children[state]!.get(symbol);
      const fallback = folded[failure[state]! * 256 + symbol]!;
      if (child === undefined) {
        folded[state * 256 + symbol] = fallback;
      } else {
        failure[child] = fallback;
        folded[state * 256 + symbol] = child;
        queue.push(child);
      }
    }
  }
  // Renumber (accepting states last) and index by raw byte: folding costs nothing at scan time.
  const order = [...Array(stateCount).keys()].sort((a, b) => accept[a]! - accept[b]! || a - b);
  const renumbered = new Uint16Array(stateCount);
  order.forEach((state, index) => (renumbered[state] = index));
  const next = new Uint16Array(stateCount * 256);
  for (let state = 0; state < stateCount; state++) {
    for (let byte = 0; byte < 256; byte++)
      next[renumbered[state]! * 256 + byte] = renumbered[folded[state * 256 + FOLD[byte]!]!]!;
  }
  const firstAccepting = stateCount - accept.filter((a) => a === 1).length;
  return { next, firstAccepting, lineStart: next[renumbered[0]! * 256 + LINE_START_BYTE]! };
}
