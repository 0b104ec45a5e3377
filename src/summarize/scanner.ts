import { containsFragment, PREFILTER } from "./prefilter.js";

/** A line as read: its 1-based number and its text (UTF-8 decoded, at most MAX_LINE_BYTES). */
export interface RawLine {
  lineNo: number;
  text: string;
  truncated: boolean;
}

/** Receives the lines worth looking at. */
export interface LineSink {
  /** While true (a context window is open), every line is handed over, not only prefilter hits. */
  wantsEveryLine(): boolean;
  take(line: RawLine): void;
}

/** Longer lines keep their head: a 1 MB line without a newline costs 8 KiB, not 1 MB. */
export const MAX_LINE_BYTES = 8192;
/** How many past lines stay reachable for context (`recent`). */
export const REMEMBERED_LINES = 64;

const NEWLINE = 10;

/**
 * Splits a byte stream into lines with bounded memory and hands the interesting ones to a sink.
 * Work happens on raw bytes: only the lines a sink takes are decoded as UTF-8.
 */
export class LineScanner {
  private lines = 0;
  private bytes = 0;
  /** The unfinished last line: pieces copied out of their chunks, at most MAX_LINE_BYTES in all. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingOverflow = false;
  /** The sink's answer, asked again only after it took a line (the only time it can change). */
  private everyLine = false;
  // Where the last lines are, as offsets into the chunks that hold them (no copies).
  private readonly recentBuffers: Array<Buffer | undefined> = new Array<Buffer | undefined>(REMEMBERED_LINES);
  private readonly recentStart = new Int32Array(REMEMBERED_LINES);
  private readonly recentEnd = new Int32Array(REMEMBERED_LINES);
  private readonly recentLineNo = new Float64Array(REMEMBERED_LINES);
  private readonly recentTruncated = new Uint8Array(REMEMBERED_LINES);

  constructor(private readonly sink: LineSink) {}

  get linesRead(): number {
    return this.lines;
  }

  get bytesRead(): number {
    return this.bytes;
  }

  write(chunk: Buffer): void {
    this.bytes += chunk.length;
    let from = 0;
    if (this.hasPending()) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.keepPending(chunk);
        return;
      }
      this.keepPending(chunk.subarray(0, newline));
      this.finishPending();
      from = newline + 1;
    }
    if (from < chunk.length) this.scan(chunk, from);
  }

  /** The last line, when the input does not end with a newline. */
  end(): void {
    if (this.hasPending()) this.finishPending();
  }

  /**
   * Up to `count` lines just before line `beforeLineNo` that are still remembered, oldest first.
   */
  recent(beforeLineNo: number, count: number): RawLine[] {
    const out: RawLine[] = [];
    const first = Math.max(1, beforeLineNo - Math.min(count, REMEMBERED_LINES));
    for (let lineNo = first; lineNo < beforeLineNo; lineNo++) {
      const slot = lineNo % REMEMBERED_LINES;
      const buffer = this.recentBuffers[slot];
      if (!buffer || this.recentLineNo[slot] !== lineNo) continue;
      out.push({
        lineNo,
        text: buffer.toString("utf8", this.recentStart[slot], this.recentEnd[slot]),
        truncated: this.recentTruncated[slot] === 1,
      });
    }
    return out;
  }

  /** One pass over the bytes: newlines end lines, the prefilter automaton flags lines worth a look. */
  private scan(chunk: Buffer, from: number): void {
    const { next, firstAccepting, lineStart } = PREFILTER;
    const length = chunk.length;
    let start = from;
    let interesting = false;
    let state = lineStart;
    for (let i = skipTimestamp(chunk, from); i < length; i++) {
      const byte = chunk[i]!;
      if (byte === NEWLINE) {
        this.line(chunk, start, i, false, interesting);
        start = i + 1;
        interesting = false;
        state = lineStart;
        i = skipTimestamp(chunk, start) - 1;
        continue;
      }
      state = next[(state << 8) | byte]!;
      if (state >= firstAccepting) {
        // The line is taken whole: nothing more to look for until its end.
        interesting = true;
        const newline = chunk.indexOf(NEWLINE, i);
        i = (newline === -1 ? length : newline) - 1;
      }
    }
    if (start < length) this.keepPending(chunk.subarray(start));
  }

  private line(buffer: Buffer, start: number, end: number, cutEarlier: boolean, interesting: boolean): void {
    const lineNo = ++this.lines;
    const truncated = cutEarlier || end - start > MAX_LINE_BYTES;
    const stop = Math.min(end, start + MAX_LINE_BYTES);
    if (interesting || this.everyLine) {
      this.sink.take({ lineNo, text: buffer.toString("utf8", start, stop), truncated });
      this.everyLine = this.sink.wantsEveryLine();
    }
    this.remember(lineNo, buffer, start, stop, truncated);
  }

  private remember(lineNo: number, buffer: Buffer, start: number, stop: number, truncated: boolean): void {
    const slot = lineNo % REMEMBERED_LINES;
    // A cut line is copied, so that a run of huge lines cannot pin many whole chunks in memory.
    const own = truncated && stop - start < buffer.length;
    this.recentBuffers[slot] = own ? Buffer.from(buffer.subarray(start, stop)) : buffer;
    this.recentStart[slot] = own ? 0 : start;
    this.recentEnd[slot] = own ? stop - start : stop;
    this.recentLineNo[slot] = lineNo;
    this.recentTruncated[slot] = truncated ? 1 : 0;
  }

  private hasPending(): boolean {
    return this.pendingBytes > 0 || this.pendingOverflow;
  }

  private keepPending(piece: Buffer): void {
    if (this.pendingOverflow || piece.length === 0) return;
    const room = MAX_LINE_BYTES - this.pendingBytes;
    const kept = piece.length > room ? piece.subarray(0, room) : piece;
    this.pending.push(Buffer.from(kept));
    this.pendingBytes += kept.length;
    if (piece.length > room) this.pendingOverflow = true;
  }

  private finishPending(): void {
    const buffer = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    const truncated = this.pendingOverflow;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingOverflow = false;
    this.line(buffer, 0, buffer.length, truncated, containsFragment(buffer));
  }
}

/**
 * GitHub Actions prefixes every line with `2024-01-01T00:00:00.1234567Z `: 29 bytes that can
 * never match, skipped once their whole shape is checked (so a skip never crosses a newline).
 * Other timestamps are simply scanned.
 */
const ACTIONS_TIMESTAMP_LENGTH = 29;

function skipTimestamp(c: Buffer, s: number): number {
  // Separators first: most lines are rejected by the first comparison. Bytes past the end read
  // as undefined and fail every comparison.
  const separators =
    c[s + 10] === 0x54 &&
    c[s + 4] === 0x2d &&
    c[s + 7] === 0x2d &&
    c[s + 13] === 0x3a &&
    c[s + 16] === 0x3a &&
    c[s + 19] === 0x2e &&
    c[s + 27] === 0x5a &&
    c[s + 28] === 0x20;
  const digits =
    separators &&
    isDigit(c[s]) &&
    isDigit(c[s + 1]) &&
    isDigit(c[s + 2]) &&
    isDigit(c[s + 3]) &&
    isDigit(c[s + 5]) &&
    isDigit(c[s + 6]) &&
    isDigit(c[s + 8]) &&
    isDigit(c[s + 9]) &&
    isDigit(c[s + 11]) &&
    isDigit(c[s + 12]) &&
    isDigit(c[s + 14]) &&
    isDigit(c[s + 15]) &&
    isDigit(c[s + 17]) &&
    isDigit(c[s + 18]) &&
    isDigit(c[s + 20]) &&
    isDigit(c[s + 21]) &&
    isDigit(c[s + 22]) &&
    isDigit(c[s + 23]) &&
    isDigit(c[s + 24]) &&
    isDigit(c[s + 25]) &&
    isDigit(c[s + 26]);
  return digits ? s + ACTIONS_TIMESTAMP_LENGTH : s;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && (byte - 0x30) >>> 0 < 10;
}
