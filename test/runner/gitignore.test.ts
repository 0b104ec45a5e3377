import { isIgnored, parseGitignore } from "../../src/runner/gitignore.js";

const rules = [
  ...parseGitignore("# build output\nnode_modules/\n*.log\n!keep.log\n/dist\ndocs/*.html\n\n", ""),
  ...parseGitignore("generated/\n!important.log\n", "packages/app"),
];

test.each([
  ["node_modules", true, true],
  ["packages/app/node_modules", true, true],
  ["node_modules", false, false],
  ["debug.log", false, true],
  ["src/deep/trace.log", false, true],
  ["keep.log", false, false],
  ["dist", true, true],
  ["src/dist", true, false],
  ["docs/index.html", false, true],
  ["docs/api/index.html", false, false],
  ["packages/app/generated", true, true],
  ["generated", true, false],
  ["packages/app/important.log", false, false],
  ["src/index.ts", false, false],
])("%s (directory: %s) ignored: %s", (path, directory, ignored) => {
  expect(isIgnored(rules, path, directory)).toBe(ignored);
});
