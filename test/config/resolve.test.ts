import { formatProblem, resolveConfig, type ConfigLoadResult, type ConfigProblem } from "../../src/config/index.js";

const REPO = ".github/factory.yml";
const ORG = "acme/.github:.github/factory.yml";
const ROOT = "acme/defaults:factory-root.yml";

function okConfig(result: ConfigLoadResult) {
  if (result.status !== "ok") throw new Error(JSON.stringify(result));
  return result;
}

function problems(result: ConfigLoadResult): ConfigProblem[] {
  if (result.status !== "invalid") throw new Error(`expected invalid, got ${result.status}`);
  return result.problems;
}

describe("resolveConfig", () => {
  test("no sources means no config file", () => {
    expect(resolveConfig([])).toEqual({ status: "missing" });
  });

  test("an empty file gives the defaults with tasks off", () => {
    const { config, files } = okConfig(resolveConfig([{ file: REPO, text: "" }]));
    expect(config.agent.command).toBeNull();
    expect(files).toEqual([REPO]);
  });

  describe("`_extends`: the first file overrides the files it extends", () => {
    const repo = [
      "_extends: .github",
      "agent:",
      "  timeout_seconds: 60",
      "tests:",
      "  - { name: repo-tests, command: make test }",
      "protected_paths: []",
      "ci:",
      "  max_lines: 5",
    ].join("\n");
    const org = [
      "_extends: defaults:factory-root.yml",
      "agent:",
      "  command: org-agent",
      "  env: { A: from-org }",
      "tests:",
      "  - { name: org-tests, command: make org }",
      "  - { name: org-lint, command: make lint }",
      "ci:",
      "  comments: factory",
      "  max_lines: 50",
    ].join("\n");
    const root = [
      "agent:",
      "  command: root-agent",
      "  env: { A: from-root, B: from-root }",
      "runner: actions",
      "ci:",
      "  fix_attempts: 3",
    ].join("\n");
    const sources = [
      { file: REPO, text: repo },
      { file: ORG, text: org },
      { file: ROOT, text: root },
    ];

    test("scalars come from the first file that sets them", () => {
      const { config } = okConfig(resolveConfig(sources));
      expect(config.agent.timeout_seconds).toBe(60);
      expect(config.agent.command).toBe("org-agent");
      expect(config.runner).toBe("actions");
      expect(config.ci).toEqual({ comments: "factory", max_lines: 5, fix_attempts: 3 });
    });

    test("mappings merge key by key through the whole chain", () => {
      expect(okConfig(resolveConfig(sources)).config.agent.env).toEqual({ A: "from-org", B: "from-root" });
    });

    test("lists replace, even with an empty list", () => {
      const { config } = okConfig(resolveConfig(sources));
      expect(config.tests.map((test) => test.name)).toEqual(["repo-tests"]);
      expect(config.protected_paths).toEqual([]);
    });

    test("the result names every file, first to last, and drops `_extends`", () => {
      const result = okConfig(resolveConfig(sources));
      expect(result.files).toEqual([REPO, ORG, ROOT]);
      expect(result.config).not.toHaveProperty("_extends");
    });
  });

  test("a problem is located in the file that wrote the key", () => {
    const result = resolveConfig([
      { file: REPO, text: "ci:\n  comments: all\n" },
      { file: ORG, text: "# org defaults\nci:\n  max_lines: 900\n" },
    ]);
    expect(problems(result)).toEqual([
      { file: ORG, line: 3, column: 3, key: "ci.max_lines", message: "`ci.max_lines` must be at most 200; got 900" },
    ]);
  });

  test("an agent or test command too long for one process argument is refused at its key, line and column", () => {
    // Linux refuses one argument over 128 KiB (MAX_ARG_STRLEN): `spawn E2BIG` at run time.
    const agent = `echo ${"x".repeat(200_000)}`;
    const test = `echo ${"y".repeat(20_000)}`;
    const text = `agent:\n  command: ${agent}\ntests:\n  - name: unit\n    command: ${test}\n`;
    expect(problems(resolveConfig([{ file: REPO, text }]))).toEqual([
      {
        file: REPO,
        line: 2,
        column: 3,
        key: "agent.command",
        message: `\`agent.command\` must be at most 16384 characters long; got ${agent.length}`,
      },
      {
        file: REPO,
        line: 5,
        column: 5,
        key: "tests[0].command",
        message: `\`tests[0].command\` must be at most 16384 characters long; got ${test.length}`,
      },
    ]);
  });

  test("a bad value in a base file is no problem when the first file overrides it", () => {
    const result = resolveConfig([
      { file: REPO, text: "ci:\n  max_lines: 10\n" },
      { file: ORG, text: "ci:\n  max_lines: 900\n" },
    ]);
    expect(okConfig(result).config.ci.max_lines).toBe(10);
  });

  test("list items are located in the file whose list won, not in a base that has a list too", () => {
    const result = resolveConfig([
      { file: REPO, text: "tests:\n  - name: mine\n" },
      { file: ORG, text: "tests:\n  - name: theirs\n    command: make\n" },
    ]);
    expect(problems(result)).toEqual([
      expect.objectContaining({ file: REPO, line: 2, column: 5, key: "tests[0].command" }),
    ]);
  });

  test("a scalar in the first file replaces a base's mapping, so the problem is in the first file", () => {
    const result = resolveConfig([
      { file: REPO, text: "\nci: off\n" },
      { file: ORG, text: "ci:\n  max_lines: 900\n" },
    ]);
    expect(problems(result)).toEqual([expect.objectContaining({ file: REPO, line: 2, column: 1, key: "ci" })]);
  });

  test("syntax errors in every file are reported, each with its own file", () => {
    const result = resolveConfig([
      { file: REPO, text: "ci: [\n" },
      { file: ORG, text: "ok: 1\n  bad: 2\n" },
    ]);
    expect(problems(result).map((problem) => problem.file)).toEqual([REPO, ORG]);
  });
});

describe("formatProblem", () => {
  const problem: ConfigProblem = { file: REPO, line: 3, column: 7, key: "ci.comments", message: "bad" };

  test("is file:line:col: message", () => {
    expect(formatProblem(problem)).toBe(".github/factory.yml:3:7: bad");
  });

  test("leaves out what is unknown", () => {
    expect(formatProblem({ ...problem, line: null, column: null })).toBe(".github/factory.yml: bad");
    expect(formatProblem({ ...problem, column: null })).toBe(".github/factory.yml:3: bad");
    expect(formatProblem({ ...problem, file: "", line: null, column: null })).toBe("bad");
  });
});
