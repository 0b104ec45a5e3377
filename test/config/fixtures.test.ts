import { readdirSync, readFileSync } from "node:fs";
import { formatProblem, resolveConfig } from "../../src/config/index.js";

// Every fixture file is a test case: add a .yml (and, for invalid ones, its expectations) to add one.
const fixtures = new URL("../fixtures/config/", import.meta.url);
const validDir = new URL("valid/", fixtures);
const invalidDir = new URL("invalid/", fixtures);

function yamlFiles(dir: URL): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yml"))
    .sort();
}

function resolveFixture(dir: URL, name: string) {
  return resolveConfig([{ file: name, text: readFileSync(new URL(name, dir), "utf8") }]);
}

/** Fixture name -> substrings of the formatted problems, one per problem, in reported order. */
const expected = JSON.parse(readFileSync(new URL("expected.json", invalidDir), "utf8")) as Record<string, string[]>;

describe("valid fixtures", () => {
  test.each(yamlFiles(validDir))("%s resolves to a config", (name) => {
    const result = resolveFixture(validDir, name);
    const problems = result.status === "invalid" ? result.problems.map(formatProblem) : [];
    expect(problems).toEqual([]);
    expect(result.status).toBe("ok");
  });
});

describe("invalid fixtures", () => {
  test("every invalid fixture has expectations, and every expectation a fixture", () => {
    expect(Object.keys(expected).sort()).toEqual(yamlFiles(invalidDir));
  });

  test.each(yamlFiles(invalidDir))("%s reports exactly the expected problems", (name) => {
    const result = resolveFixture(invalidDir, name);
    if (result.status !== "invalid") throw new Error(`${name} was ${result.status}, expected invalid`);
    const reported = result.problems.map(formatProblem);
    const wanted = expected[name] ?? [];
    expect(reported).toHaveLength(wanted.length);
    wanted.forEach((substring, index) => expect(reported[index]).toContain(substring));
  });
});
