import { cleanLine } from "../../src/summarize/clean.js";
import { buildAutomaton, containsFragment } from "../../src/summarize/prefilter.js";

describe("cleanLine", () => {
  test.each([
    [
      "GitHub Actions, keeping the line's own indentation",
      "2024-05-01T10:00:00.1234567Z     at Object.<anonymous> (a.js:1:1)",
      "    at Object.<anonymous> (a.js:1:1)",
    ],
    ["GitLab's timestamped trace", "2024-05-01T10:00:00.123456Z 00O+ $ make test", "$ make test"],
    ["Jenkins timestamper", "11:02:14  [ERROR] COMPILATION ERROR :", "[ERROR] COMPILATION ERROR :"],
    ["bracketed ISO", "[2024-05-01T10:00:00.000Z] Error: boom", "Error: boom"],
    ["not a timestamp", "10 tests, 2 failures", "10 tests, 2 failures"],
  ])("timestamps: %s", (_name, raw, text) => {
    expect(cleanLine(raw).text).toBe(text);
  });

  test.each([
    [
      "Taskcluster, mozharness and the Gecko process",
      "[task 2025-02-13T22:10:07.053Z] 22:10:07    ERROR - PID 16211 | ==16211==ERROR: AddressSanitizer: boom",
      "==16211==ERROR: AddressSanitizer: boom",
    ],
    [
      "Taskcluster's own lines",
      "[taskcluster 2025-02-13 22:26:36.124Z] Unsuccessful task run with exit code: 2",
      "Unsuccessful task run with exit code: 2",
    ],
    [
      "mozharness with a GECKO(pid) prefix",
      "[task 2025-02-13T22:11:13.912Z] 22:11:13     INFO - GECKO(10764) | [7380] Assertion failure: x",
      "[7380] Assertion failure: x",
    ],
    [
      "gh run view --log (job, step, timestamp)",
      "build (ubuntu, 3.11)\tRun tests\t2025-03-05T13:30:32.6031507Z FAILED tests/test_a.py::test_b",
      "FAILED tests/test_a.py::test_b",
    ],
    ["Netlify", "7:51:34 PM: npm error code ERESOLVE", "npm error code ERESOLVE"],
    ["OBS build", "[   62s] error: Bad source: /home/abuild/x.tar.gz", "error: Bad source: /home/abuild/x.tar.gz"],
    ["concurrently", "[0] npm ERR! code ERESOLVE", "npm ERR! code ERESOLVE"],
    ["mock's stderr marker", "BUILDSTDERR: error: Bad exit status", "error: Bad exit status"],
    ["Buildkite's timestamp escape", "\x1b_bk;t=1700000000000\x07make: *** [all] Error 2", "make: *** [all] Error 2"],
    ["a level in brackets is not a prefix", "[ERROR] Failed to execute goal", "[ERROR] Failed to execute goal"],
    ["a thread id is not a concurrently index", "[7380] Assertion failure: x", "[7380] Assertion failure: x"],
    ["a clock without a level is a clock", "12:00:01 INFO: done", "INFO: done"],
  ])("runner prefixes: %s", (_name, raw, text) => {
    expect(cleanLine(raw).text).toBe(text);
  });

  test("a gh run view line is still known for an Actions line (its timestamp)", () => {
    expect(cleanLine("lint\tRun eslint\t2025-03-05T13:30:32.6031507Z ok").actionsTimestamp).toBe(true);
    expect(cleanLine("7:51:34 PM: ok").actionsTimestamp).toBe(false);
  });

  test("colours, cursor codes and hyperlinks are removed", () => {
    expect(cleanLine("\x1b[01m\x1b[Ksrc/a.c:1:2:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[Kboom").text).toBe(
      "src/a.c:1:2: error: boom",
    );
    expect(cleanLine("see \x1b]8;;https://example.com\x07the docs\x1b]8;;\x07 now").text).toBe("see the docs now");
  });

  test("a carriage return shows what was written last, and a trailing one is a Windows line ending", () => {
    expect(cleanLine("50%\r75%\r100% done").text).toBe("100% done");
    expect(cleanLine("error: boom\r").text).toBe("error: boom");
    expect(cleanLine("error: boom\r\x1b[0K\r").text).toBe("error: boom");
  });

  test("GitLab sections: markers go, the header after a start is recognised", () => {
    const opened = cleanLine(
      'section_start:1714557600:step_script[collapsed=true]\r\x1b[0K\x1b[0K\x1b[36;1mExecuting "step_script" stage\x1b[0;m',
    );
    expect(opened).toMatchObject({
      text: 'Executing "step_script" stage',
      isSectionHeader: true,
      sections: [{ source: "gitlab", kind: "start", name: "step_script" }],
    });
    const closedAndOpened = cleanLine(
      "section_end:1:step_script\r\x1b[0Ksection_start:2:cleanup_file_variables\r\x1b[0K",
    );
    expect(closedAndOpened.text).toBe("");
    expect(closedAndOpened.sections.map((s) => `${s.kind}:${s.name}`)).toEqual([
      "end:step_script",
      "start:cleanup_file_variables",
    ]);
    expect(closedAndOpened.endsWithSectionStart).toBe(true);
    expect(cleanLine("plain output").isSectionHeader).toBe(false);
  });

  test("Travis folds and timers are removed", () => {
    const line = cleanLine(
      "travis_fold:end:install\r\x1b[0Ktravis_time:end:0a1b:start=1,finish=2,duration=1\r\x1b[0K$ npm test\r",
    );
    expect(line.text).toBe("$ npm test");
    expect(line.sections).toEqual([{ source: "travis", kind: "end", name: "install" }]);
  });

  test("byte-order marks and control characters are removed, tabs kept", () => {
    expect(cleanLine("\ufeff2024-05-01T10:00:00.1234567Z a\tb\x07c\x00").text).toBe("a\tbc");
    expect(cleanLine("2024-05-01T10:00:00.1234567Z \ufeffa\tb").text).toBe("a\tb");
  });
});

describe("prefilter", () => {
  const hit = (text: string) => containsFragment(Buffer.from(text, "utf8"));

  test.each([
    "ERROR: Job failed",
    "npm err! code E404",
    "Traceback … ValueError: x",
    "  ● suite › test",
    "  ✕ test",
    "src/x.py:120:45: E501 line too long",
    "./main.go:8:2: undefined: x",
    "E: Unable to locate package foo",
    "  1) Array #indexOf()",
    "-----BEGIN OPENSSH PRIVATE KEY-----",
    "##[group]Run make",
    "returning 124",
  ])("looks at %s", (line) => {
    expect(hit(line)).toBe(true);
  });

  test.each([
    "[12/400] Compiling src/a.c",
    "  ✓ adds numbers (3 ms)",
    "Downloading https://example.com/pkg.tgz (12 kB)",
  ])("skips %s", (line) => {
    expect(hit(line)).toBe(false);
  });

  test("an automaton matches its fragments anywhere, ignoring case and treating every digit alike", () => {
    const automaton = buildAutomaton(["he", "she", "his", "hers", "v0.0"]);
    const matches = (text: string) => containsFragment(Buffer.from(text), automaton);
    expect(matches("uSHErs")).toBe(true);
    expect(matches("ahishers")).toBe(true);
    expect(matches("release v3.9")).toBe(true);
    expect(matches("abc")).toBe(false);
  });
});
