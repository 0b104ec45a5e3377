import { Readable } from "node:stream";
import { summarizeLog, summarizeText } from "../../src/summarize/index.js";
import { DISPLAY_CHARS } from "../../src/summarize/model.js";
import { actionsLog, summarize } from "./helpers.js";

function chunked(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, "utf8");
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

const JEST_LOG = actionsLog([
  "##[group]Run npm test",
  "##[endgroup]",
  "PASS src/a.test.ts",
  "FAIL src/b.test.ts",
  "  ● totals › rounds the discount",
  "",
  "    Expected: 4201",
  "    Received: 4200",
  "",
  "Tests:       1 failed, 9 passed, 10 total",
  "##[error]Process completed with exit code 1.",
]);

describe("reading a stream", () => {
  test.each([1, 2, 5, 13, 4096])("the same summary whatever the chunk size (%i bytes)", async (size) => {
    const whole = await summarizeText(JEST_LOG);
    const pieces = await summarizeLog(Readable.from(chunked(JEST_LOG, size)));
    expect(pieces).toEqual(whole);
    expect(whole.headline).toBe("● totals › rounds the discount");
  });

  test("UTF-8 characters split between chunks are decoded whole", async () => {
    const summary = await summarizeLog(Readable.from(chunked("  ● café › crème brûlée ✓\n", 1)));
    expect(summary.headline).toBe("● café › crème brûlée ✓");
  });

  test("strings, Uint8Arrays and Node streams are all accepted", async () => {
    const line = "error: could not read Username for 'https://github.com'";
    async function* strings() {
      yield line.slice(0, 10);
      yield line.slice(10);
    }
    expect((await summarizeLog(strings())).headline).toBe(line);
    expect((await summarizeLog([new TextEncoder().encode(line)])).headline).toBe(line);
    expect((await summarizeLog(Readable.from([line]))).headline).toBe(line);
  });

  test("lines and bytes are counted, with or without a final newline", async () => {
    expect(await summarizeText("")).toMatchObject({ linesRead: 0, bytesRead: 0, excerpt: [], headline: null });
    expect(await summarizeText("a\nb")).toMatchObject({ linesRead: 2, bytesRead: 3 });
    expect(await summarizeText("a\nb\n")).toMatchObject({ linesRead: 2, bytesRead: 4 });
    expect(await summarizeText("a\r\nb\r\n")).toMatchObject({ linesRead: 2, bytesRead: 6 });
    expect(await summarizeText("é\n")).toMatchObject({ linesRead: 1, bytesRead: 3 });
  });

  test("a line shaped almost like a timestamp never hides a newline", async () => {
    const summary = await summarizeText("2024-0\n-01T00:00:00.1234567Z error: second line\n");
    expect(summary.linesRead).toBe(2);
    expect(summary.headline).toBe("-01T00:00:00.1234567Z error: second line");
  });

  test("Windows line endings do not leak into the excerpt", async () => {
    const summary = await summarizeText("building\r\nsrc\\main.c(3): error C2143: syntax error: missing ';'\r\n");
    expect(summary.headline).toBe("src\\main.c(3): error C2143: syntax error: missing ';'");
    for (const line of summary.excerpt) expect(line).not.toMatch(/\r/);
  });

  test("the root cause is found at the end of a long log", async () => {
    const noise = Array.from({ length: 200_000 }, (_, i) => `[${i}/200000] Compiling module_${i}.c`).join("\n");
    const summary = await summarizeText(
      `${noise}\nsrc/last.c:9:1: error: expected declaration specifiers before '}' token\n`,
    );
    expect(summary.headline).toBe("src/last.c:9:1: error: expected declaration specifiers before '}' token");
    expect(summary.linesRead).toBe(200_001);
  });
});

describe("bounded output", () => {
  // Distinct messages (numbers alone would make them repeats of one error).
  const name = (i: number) => i.toString(26).replace(/./g, (d) => String.fromCharCode(97 + parseInt(d, 26)));
  const manyErrors = Array.from(
    { length: 5000 },
    (_, i) => `src/${name(i)}.c:${i}:1: error: unknown type name '${name(i)}_t'`,
  );

  test.each([1, 3, 12, 20])("never more than maxLines lines (%i), gap markers included", async (maxLines) => {
    const summary = await summarize(manyErrors, maxLines);
    expect(summary.excerpt.length).toBeLessThanOrEqual(maxLines);
    expect(summary.excerpt.length).toBeGreaterThan(0);
    expect(summary.headline).toBe(manyErrors[0]);
  });

  test("the default is 20 lines", async () => {
    const summary = await summarizeText(manyErrors.join("\n"));
    expect(summary.excerpt.length).toBeLessThanOrEqual(20);
    expect(summary.excerpt.length).toBeGreaterThan(12);
  });

  test("nonsense maxLines falls back to sane bounds", async () => {
    expect((await summarizeText(manyErrors.join("\n"), { maxLines: 0 })).excerpt).toHaveLength(1);
    expect((await summarizeText(manyErrors.join("\n"), { maxLines: Number.NaN })).excerpt.length).toBeLessThanOrEqual(
      20,
    );
  });

  test("a gap between two chosen lines is marked once", async () => {
    const summary = await summarize(
      [
        "src/a.c:1:1: error: first",
        ...Array.from({ length: 50 }, (_, i) => `compiling unit ${i}`),
        "src/b.c:2:1: error: second",
      ],
      3,
    );
    expect(summary.excerpt).toEqual(["src/a.c:1:1: error: first", "…", "src/b.c:2:1: error: second"]);
  });
});

describe("hostile input finishes", () => {
  const MB = 1_000_000;

  test.each([
    ["a 1 MB line without newline", "x".repeat(MB)],
    ["a 1 MB error line", `error: ${"e".repeat(MB)}`],
    ["a 1 MB line of error words", "error ".repeat(MB / 6)],
    ["1 MB of colons and digits", ":1:2: ".repeat(MB / 6)],
    ["1 MB of ANSI escapes", "\x1b[31m".repeat(MB / 5)],
    ["1 MB of carriage returns", "progress\r".repeat(MB / 9)],
    ["1 MB of pytest-like node ids", `FAILED ${"a::".repeat(MB / 3)}`],
    ["1 MB of underscores", `____ ${"_".repeat(MB)}`],
    ["1 MB of spaces after a test mark", `✕ ${" ".repeat(MB)}x`],
    ["1 MB of GitLab section markers", "section_start:1:a\r".repeat(MB / 18)],
    ["1 MB of paths", `${"a/".repeat(MB / 2)}:1:2: error: x`],
    ["1 MB of nested exception names", `${"a.".repeat(MB / 2)}Error: x`],
  ])("%s", async (_name, line) => {
    const summary = await summarizeText(`${line}\n${line}`);
    expect(summary.linesRead).toBe(2);
    for (const shown of summary.excerpt) expect(shown.length).toBeLessThanOrEqual(DISPLAY_CHARS);
  });

  test("a long line is cut, and says so", async () => {
    const summary = await summarizeText(`error: ${"y".repeat(100_000)}\n`);
    expect(summary.headline?.endsWith("…")).toBe(true);
    expect(summary.headline?.length).toBeLessThanOrEqual(DISPLAY_CHARS);
  });

  test("many lines of a megabyte each", async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `${i}: ${"z".repeat(MB)}`);
    const summary = await summarizeLog(Readable.from(lines.map((l) => `${l}\n`)));
    expect(summary.linesRead).toBe(20);
  });
});
