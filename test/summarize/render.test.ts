import { renderSummaryMarkdown, renderSummaryText, type LogSummary } from "../../src/summarize/index.js";

const summaryOf = (excerpt: string[]): LogSummary => ({
  excerpt,
  headline: excerpt[0] ?? null,
  linesRead: 10,
  bytesRead: 100,
});

describe("renderSummaryMarkdown", () => {
  test("the excerpt in a fenced code block", () => {
    expect(renderSummaryMarkdown(summaryOf(["error: one", "…", "error: two"]))).toBe(
      "```text\nerror: one\n…\nerror: two\n```\n",
    );
  });

  test("the fence is longer than any run of backticks inside, so log text cannot close it", () => {
    const markdown = renderSummaryMarkdown(
      summaryOf(["```", "Expected `a` to be ````b````", "@everyone **bold** <img src=x>"]),
    );
    const fence = /^(`+)text\n/.exec(markdown)?.[1] ?? "";
    expect(fence).toBe("`````");
    expect(markdown.endsWith(`\n${fence}\n`)).toBe(true);
    const body = markdown.slice(fence.length + "text\n".length, -(fence.length + 2));
    expect(body).not.toMatch(new RegExp(`^${fence}`, "m"));
  });

  test("an empty excerpt says so, in italics, outside any code block", () => {
    expect(renderSummaryMarkdown(summaryOf([]))).toBe("_No line of this log looks like the cause of a failure._\n");
  });

  test("a job the runner reports as passed says no failure was found", () => {
    expect(renderSummaryMarkdown({ ...summaryOf([]), passed: true })).toBe(
      "_No failure found: the runner reports that this job passed._\n",
    );
  });
});

describe("renderSummaryText", () => {
  test("one line per excerpt line", () => {
    expect(renderSummaryText(summaryOf(["a", "b"]))).toBe("a\nb\n");
  });

  test("an empty excerpt says so", () => {
    expect(renderSummaryText(summaryOf([]))).toBe("No line of this log looks like the cause of a failure.\n");
  });
});
