import { parseExtendsTarget, resolveConfig, formatProblem } from "../../src/config/index.js";

const current = { owner: "acme", path: ".github/factory.yml" };

describe("parseExtendsTarget", () => {
  test.each([
    [".github", { owner: "acme", repo: ".github", path: ".github/factory.yml" }],
    ["other/shared", { owner: "other", repo: "shared", path: ".github/factory.yml" }],
    ["other/shared:configs/factory.yaml", { owner: "other", repo: "shared", path: "configs/factory.yaml" }],
    ["templates:base.yml", { owner: "acme", repo: "templates", path: "base.yml" }],
  ])("reads `%s` as Probot does", (value, target) => {
    expect(parseExtendsTarget(value, current)).toEqual(target);
  });

  test.each(["https://github.com/acme/x", "a/b/c", "repo:file.json", "-bad/repo", ""])("refuses `%s`", (value) => {
    expect(parseExtendsTarget(value, current)).toBeNull();
  });
});

test("an `_extends` Probot could not follow is a located problem, not a loader crash", () => {
  const result = resolveConfig([{ file: "f.yml", text: "# base\n_extends: https://github.com/acme/.github\n" }]);
  expect(result.status === "invalid" && result.problems.map(formatProblem)).toEqual([
    "f.yml:2:1: `_extends` must be `repo`, `owner/repo` or `owner/repo:path/to/file.yml`; got a string (`https://github.com/acme/.github`)",
  ]);
});
