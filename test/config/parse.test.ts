import { parseConfigText, MAX_CONFIG_BYTES, type ConfigDocument } from "../../src/config/index.js";

function parsed(text: string, file = "factory.yml"): ConfigDocument {
  const result = parseConfigText(text, file);
  if (result.status !== "ok") throw new Error(JSON.stringify(result.problems));
  return result.document;
}

function problemsOf(text: string, file = "factory.yml") {
  const result = parseConfigText(text, file);
  if (result.status !== "invalid") throw new Error("expected the text to be refused");
  return result.problems;
}

describe("parseConfigText", () => {
  test("an empty file, or one holding only comments or `~`, is an empty mapping", () => {
    expect(parsed("").value).toEqual({});
    expect(parsed("# nothing yet\n").value).toEqual({});
    expect(parsed("~\n").value).toEqual({});
  });

  test("YAML syntax errors carry 1-based line and column", () => {
    expect(problemsOf("ci:\n  comments: [all\n", "x.yml")).toEqual([
      expect.objectContaining({
        file: "x.yml",
        line: 3,
        column: 1,
        key: "",
        message: expect.stringMatching(/^YAML syntax error: /),
      }),
    ]);
  });

  test("input over 256 KiB is refused before parsing, counting bytes rather than characters", () => {
    const atLimit = `#${"x".repeat(MAX_CONFIG_BYTES - 1)}`;
    expect(parsed(atLimit).value).toEqual({});
    const [problem] = problemsOf(`#${"x".repeat(MAX_CONFIG_BYTES)}`);
    expect(problem).toMatchObject({
      line: null,
      column: null,
      message: "the file is 257 KiB; config files may be at most 256 KiB",
    });
    // 140,000 two-byte characters: short as a string, too long in bytes.
    expect(problemsOf(`# ${"é".repeat(140_000)}`)[0]?.message).toContain("at most 256 KiB");
  });

  test("a file with more values than any config needs is refused, however it is written", () => {
    const message =
      "the file holds more than 20000 values, counting every value an alias (`*name`) repeats; a factory config needs far fewer";
    expect(problemsOf(`x: [${Array(25_000).fill("1").join(",")}]\n`)[0]?.message).toBe(message);
    expect(problemsOf(`x: [${Array(65_000).fill("1").join(",")}]\n`)[0]?.message).toBe(message);
  });

  // Speed is measured in benchmarks, not asserted here: these finish within jest's timeout.
  test("locating keys works for the largest lists allowed", () => {
    const { locations } = parsed(`protected_paths:\n${Array(9_000).fill("  - a").join("\n")}\n`);
    expect(locations.get("protected_paths[8999]")).toEqual({ line: 9001, column: 5 });
  });

  test("a billion-laughs alias bomb is refused without expanding it", () => {
    const levels = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level <= 15; level += 1) {
      levels.push(
        `l${level}: &l${level} [${Array(10)
          .fill(`*l${level - 1}`)
          .join(", ")}]`,
      );
    }
    const [problem] = problemsOf(levels.join("\n"));
    expect(problem?.message).toContain("more than 20000 values, counting every value an alias (`*name`) repeats");
  });

  test("aliases are copied, so changing one place does not change the other", () => {
    const { value } = parsed("a: &shared { x: 1 }\nb: *shared\n");
    (value.a as Record<string, unknown>).x = 2;
    expect(value.b).toEqual({ x: 1 });
  });

  test.each([
    ["a list", "- a\n- b\n", "not a list"],
    ["a number", "42\n", "not a number (42)"],
    ["a string", "hello\n", "not a string (`hello`)"],
  ])("a top level that is %s is an error at the document's start", (_kind, text, ending) => {
    expect(problemsOf(`# header\n\n${text}`)).toEqual([
      expect.objectContaining({ line: 3, column: 1, message: expect.stringContaining(ending) }),
    ]);
  });

  test("dates stay strings (YAML 1.2 core schema), so a branch can be named 2024-01-01", () => {
    expect(parsed("pull_request:\n  base: 2024-01-01\n").value).toEqual({ pull_request: { base: "2024-01-01" } });
  });

  test("a `__proto__` key is an ordinary key and pollutes no prototype", () => {
    const { value } = parsed("__proto__:\n  polluted: true\n");
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe("key locations", () => {
  const text = [
    "# factory config", //                1
    "trigger:", //                        2
    "  label: factory   # the label", //  3
    "tests:", //                          4
    "  - name: unit", //                  5
    "    command: npm test", //           6
    "  -", //                             7
    "    name: lint", //                  8
    "    command: npm run lint", //       9
    "ci: { comments: all, max_lines: 5 }", // 10
    "protected_paths: &p [a, b]", //      11
    "agent:", //                          12
    "  env:", //                          13
    "    LIST: *p", //                    14
  ].join("\n");
  const { locations } = parsed(text);

  test.each([
    ["", 2, 1],
    ["trigger", 2, 1],
    ["trigger.label", 3, 3],
    ["tests", 4, 1],
    ["tests[0]", 5, 5],
    ["tests[0].command", 6, 5],
    ["tests[1]", 8, 5],
    ["tests[1].name", 8, 5],
    ["ci.comments", 10, 7],
    ["ci.max_lines", 10, 22],
    ["protected_paths[1]", 11, 25],
    ["agent.env.LIST", 14, 5],
  ])("`%s` is at %i:%i", (key, line, column) => {
    expect(locations.get(key)).toEqual({ line, column });
  });

  test("values reached through an alias have no place of their own", () => {
    expect(locations.has("agent.env.LIST[0]")).toBe(false);
  });

  test("a byte order mark does not shift columns, and CRLF line ends count once", () => {
    const { locations: crlf } = parsed("\uFEFFci:\r\n  comments: all\r\n  max_lines: 3\r\n");
    expect(crlf.get("ci")).toEqual({ line: 1, column: 1 });
    expect(crlf.get("ci.max_lines")).toEqual({ line: 3, column: 3 });
  });

  test("keys whose names repeat their values are still told apart", () => {
    const { locations: repeated } = parsed("trigger:\n  label: label\n  min_permission: label\n");
    expect(repeated.get("trigger.label")).toEqual({ line: 2, column: 3 });
    expect(repeated.get("trigger.min_permission")).toEqual({ line: 3, column: 3 });
  });
});
