import { createReadStream, readFileSync } from "node:fs";
import { summarizeLog } from "../../src/summarize/index.js";

// Real CI logs (copies of ../shared/fixtures/ci-logs, see their README, and the gathered set, see
// README.gathered.md): a summary must show the line a person needs, within 12 lines.
const FIXTURES = new URL("../fixtures/ci-logs/", import.meta.url);
const MAX_LINES = 12;

type Expectations = Record<string, { must_contain: string[] }>;
const readExpectations = (name: string) => JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as Expectations;
// expected.json mirrors ../shared; expected.gathered.json holds logs gathered here from public
// repositories and issue threads (README.gathered.md gives each one's source).
const shared = readExpectations("expected.json");
const gathered = readExpectations("expected.gathered.json");
const expected: Expectations = { ...shared, ...gathered };

describe("real CI logs", () => {
  test("the fixture set is there", () => {
    expect(Object.keys(shared).length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(gathered).length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(expected).length).toBe(Object.keys(shared).length + Object.keys(gathered).length);
  });

  test.each(Object.entries(expected))("%s", async (file, { must_contain }) => {
    const summary = await summarizeLog(createReadStream(new URL(file, FIXTURES)), { maxLines: MAX_LINES });
    expect(summary.excerpt.length).toBeLessThanOrEqual(MAX_LINES);
    expect(summary.headline).not.toBeNull();
    const excerpt = summary.excerpt.join("\n");
    for (const text of must_contain) expect(excerpt).toContain(text);
  });

  test.each(Object.keys(expected))("%s: every byte and line is counted", async (file) => {
    const bytes = readFileSync(new URL(file, FIXTURES));
    const summary = await summarizeLog(createReadStream(new URL(file, FIXTURES)));
    const newlines = bytes.reduce((n, b) => (b === 10 ? n + 1 : n), 0);
    expect(summary.bytesRead).toBe(bytes.length);
    expect(summary.linesRead).toBe(newlines + (bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? 1 : 0));
  });
});
