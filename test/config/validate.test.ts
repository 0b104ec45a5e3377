import { readFileSync } from "node:fs";
import {
  configSchema,
  defaultConfig,
  parseConfigText,
  resolveConfig,
  validateConfig,
  type FactoryConfig,
} from "../../src/config/index.js";
import { patternMeanings, resolveRef, type SchemaNode } from "../../src/config/schema.js";

function documentOf(text: string, file = "factory.yml") {
  const result = parseConfigText(text, file);
  if (result.status !== "ok") throw new Error(JSON.stringify(result.problems));
  return result.document;
}

function validConfig(text: string): FactoryConfig {
  const document = documentOf(text);
  const result = validateConfig(document.value, [document]);
  if (result.status !== "ok") throw new Error(JSON.stringify(result.problems));
  return result.config;
}

/** Every property of the schema, as [key path, node, required]. */
function schemaProperties(node: SchemaNode, prefix = ""): Array<[string, SchemaNode, boolean]> {
  return Object.entries(node.properties ?? {}).flatMap(([name, raw]) => {
    const child = resolveRef(raw);
    const key = `${prefix}${name}`;
    const items = child.items === undefined ? undefined : resolveRef(child.items);
    const nested =
      child.properties !== undefined
        ? schemaProperties(child, `${key}.`)
        : items?.properties !== undefined
          ? schemaProperties(items, `${key}[].`)
          : [];
    return [[key, child, node.required?.includes(name) ?? false] as [string, SchemaNode, boolean], ...nested];
  });
}

describe("schema.json", () => {
  const properties = schemaProperties(configSchema);

  test("covers every key of DESIGN.md section 2", () => {
    expect(properties.map(([key]) => key)).toEqual(
      expect.arrayContaining([
        "trigger.label",
        "trigger.min_permission",
        "agent.command",
        "agent.timeout_seconds",
        "agent.env",
        "agent.network",
        "runner",
        "runner_workflow",
        "tests[].name",
        "tests[].command",
        "tests[].path",
        "tests[].timeout_seconds",
        "tests[].paths",
        "pull_request.base",
        "pull_request.branch",
        "pull_request.title",
        "pull_request.labels",
        "pull_request.draft",
        "pull_request.ready_when_green",
        "pull_request.reviewers[].paths",
        "pull_request.reviewers[].users",
        "pull_request.reviewers[].teams",
        "protected_paths",
        "ci.comments",
        "ci.max_lines",
        "ci.fix_attempts",
        "agent.max_iterations",
        "agent.max_minutes",
        "plan.required",
        "review.max_rounds",
      ]),
    );
  });

  test("every key has a description", () => {
    expect(properties.filter(([, node]) => !node.description).map(([key]) => key)).toEqual([]);
  });

  test("every optional key has a default (`_extends` is Probot's, and has none)", () => {
    const withoutDefault = properties.filter(([, node, required]) => !required && node.default === undefined);
    expect(withoutDefault.map(([key]) => key)).toEqual(["_extends"]);
  });

  test("every pattern is explained in words for messages and docs", () => {
    const patterned = Object.entries(configSchema.$defs ?? {}).filter(([, node]) => node.pattern !== undefined);
    expect(patterned.map(([name]) => name).sort()).toEqual(Object.keys(patternMeanings).sort());
  });
});

describe("defaults", () => {
  // The DESIGN.md example test below pins every default value; this one pins what "missing" means.
  test("defaultConfig() is what an empty file gives: every key filled, tasks off", () => {
    const empty = resolveConfig([{ file: "empty.yml", text: "" }]);
    expect(empty).toEqual({ status: "ok", config: defaultConfig(), files: ["empty.yml"] });
    expect(defaultConfig().agent.command).toBeNull();
    expect(Object.keys(defaultConfig()).sort()).toEqual([
      "agent",
      "ci",
      "plan",
      "protected_paths",
      "pull_request",
      "review",
      "runner",
      "runner_workflow",
      "tests",
      "trigger",
    ]);
  });

  test("section 7's defaults: three agent runs within an hour, no plan step, three review rounds", () => {
    const config = defaultConfig();
    expect([config.agent.max_iterations, config.agent.max_minutes]).toEqual([3, 60]);
    expect(config.plan).toEqual({ required: false });
    expect(config.review).toEqual({ max_rounds: 3 });
  });

  test("defaultConfig() returns a fresh object each time", () => {
    defaultConfig().pull_request.labels.push("changed");
    expect(defaultConfig().pull_request.labels).toEqual(["factory"]);
  });

  test("DESIGN.md's example is valid and shows the defaults except where it says otherwise", () => {
    const text = readFileSync(new URL("../fixtures/config/valid/design-example.yml", import.meta.url), "utf8");
    const result = resolveConfig([{ file: "design-example.yml", text }]);
    if (result.status !== "ok") throw new Error(JSON.stringify(result));
    const { config } = result;
    expect(config.agent.command).toBe('droid exec --auto medium -f "$FACTORY_TASK_FILE"');
    expect(config.agent.env).toEqual({ NODE_ENV: "test" });
    expect(config.tests).toEqual([
      { name: "unit", command: "npm test", path: ".", timeout_seconds: 600, paths: ["src/**"] },
    ]);
    expect(config.pull_request.reviewers).toEqual([
      { paths: ["services/api/**"], users: ["alice"], teams: ["backend"] },
    ]);
    expect(config.pull_request.base).toBe("main");
    const defaults = defaultConfig();
    expect({
      ...config,
      agent: { ...config.agent, command: null, env: {} },
      tests: [],
      pull_request: { ...config.pull_request, base: null, reviewers: [] },
    }).toEqual(defaults);
  });

  test("defaults are filled inside list items and sections that are given in part", () => {
    const config = validConfig(
      "tests:\n  - name: unit\n    command: npm test\npull_request:\n  reviewers:\n    - paths: [docs/**]\nci:\n  fix_attempts: 2\n",
    );
    expect(config.tests).toEqual([
      { name: "unit", command: "npm test", path: ".", timeout_seconds: 600, paths: ["**"] },
    ]);
    expect(config.pull_request.reviewers).toEqual([{ paths: ["docs/**"], users: [], teams: [] }]);
    expect(config.pull_request.draft).toBe(true);
    expect(config.ci).toEqual({ comments: "all", max_lines: 20, fix_attempts: 2 });
  });
});

describe("validateConfig", () => {
  test("leaves the value it is given untouched", () => {
    const value = { ci: { max_lines: 5 } };
    validateConfig(value, []);
    expect(value).toEqual({ ci: { max_lines: 5 } });
  });

  test("accepts `_extends` and leaves it out of the config", () => {
    expect(validConfig("_extends: .github\n")).not.toHaveProperty("_extends");
  });

  test("rejects an `_extends` that is not a string", () => {
    const document = documentOf("_extends: [a, b]\n");
    expect(validateConfig(document.value, [document])).toEqual({
      status: "invalid",
      problems: [
        {
          file: "factory.yml",
          line: 1,
          column: 1,
          key: "_extends",
          message: "`_extends` must be a string, not a list",
        },
      ],
    });
  });

  test("problems name the key path, including a missing key's own name", () => {
    const document = documentOf("tests:\n  - command: make\n");
    const result = validateConfig(document.value, [document]);
    expect(result.status === "invalid" && result.problems).toEqual([
      {
        file: "factory.yml",
        line: 2,
        column: 5,
        key: "tests[0].name",
        message: "missing required key `name` in `tests[0]` (required: name, command)",
      },
    ]);
  });

  test("without sources, problems have no place but still name the key", () => {
    const result = validateConfig({ runner: "docker" }, []);
    expect(result.status === "invalid" && result.problems).toEqual([
      {
        file: "",
        line: null,
        column: null,
        key: "runner",
        message: "`runner` must be one of local, actions, gitlab-ci; got a string (`docker`)",
      },
    ]);
  });

  test("all problems are reported at once, in file order", () => {
    const document = documentOf("ci:\n  max_lines: 0\nrunner: x\ntrigger:\n  label: ''\n");
    const result = validateConfig(document.value, [document]);
    expect(result.status === "invalid" && result.problems.map((problem) => [problem.key, problem.line])).toEqual([
      ["ci.max_lines", 2],
      ["runner", 3],
      ["trigger.label", 5],
    ]);
  });

  test.each([".", "packages/api", "./a/../b", "a/.."])("test path `%s` stays inside the repository", (path) => {
    expect(validConfig(`tests:\n  - { name: t, command: c, path: "${path}" }\n`).tests[0]?.path).toBe(path);
  });

  test.each(["..", "../x", "a/../../x", "/abs", "\\\\server\\share", "C:/work"])(
    "test path `%s` is refused",
    (path) => {
      const document = documentOf(`tests:\n  - { name: t, command: c, path: '${path}' }\n`);
      const result = validateConfig(document.value, [document]);
      expect(result.status === "invalid" && result.problems.map((problem) => problem.key)).toEqual(["tests[0].path"]);
    },
  );

  test.each(["factory/{number}", "{slug}", "[Factory] #{number}: {title}", "plain"])(
    "template `%s` is accepted",
    (template) => {
      expect(validConfig(`pull_request:\n  title: "${template}"\n`).pull_request.title).toBe(template);
    },
  );

  test.each([
    ["{Number}", "unknown placeholder `{Number}`"],
    ["{number}-{issue}", "unknown placeholder `{issue}`"],
    ["{}", "unknown placeholder `{}`"],
    ["x}", "a `{` or `}` that is not part of a placeholder"],
  ])("template `%s` is refused: %s", (template, reason) => {
    const document = documentOf(`pull_request:\n  branch: "${template}"\n`);
    const result = validateConfig(document.value, [document]);
    expect(result.status === "invalid" && result.problems[0]?.message).toContain(reason);
  });
});
