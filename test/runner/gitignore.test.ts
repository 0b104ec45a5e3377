import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

describe("agrees with git itself", () => {
  // Patterns the common subset misses (an escaped trailing space, `**` forms, classes, escapes),
  // answered by `git check-ignore` in a scratch repository.
  const text =
    "foo\\ \n**/logs\nbuild/**\n!build/keep\na/**/b\n[Dd]ebug*\n\\#notes\n*.tmp\n!/x.tmp\nsub/\n/root-only.txt\n**/cache/*.bin\ntrailing  \n";
  const cases: Array<[string, boolean]> = [
    ["foo ", false],
    ["foo", false],
    ["src/logs", true],
    ["build/out.js", false],
    ["build/keep", false],
    ["a/x/y/b", false],
    ["Debug.log", false],
    ["#notes", false],
    ["y.tmp", false],
    ["x.tmp", false],
    ["z/x.tmp", false],
    ["q/sub", true],
    ["q/root-only.txt", false],
    ["q/cache/z.bin", false],
    ["trailing", false],
  ];
  let repo: string;

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "factory-gitignore-"));
    execFileSync("git", ["init", "-q", repo]);
    writeFileSync(join(repo, ".gitignore"), text);
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  const gitSays = (path: string, directory: boolean): boolean => {
    const result = spawnSync("git", ["-C", repo, "check-ignore", "-q", "--no-index", directory ? `${path}/` : path]);
    return result.status === 0;
  };

  test.each(cases)("%j (directory: %s)", (path, directory) => {
    expect(isIgnored(parseGitignore(text, ""), path, directory)).toBe(gitSays(path, directory));
  });

  test("the escaped trailing space is kept, as git keeps it", () => {
    expect(isIgnored(parseGitignore(text, ""), "foo ", false)).toBe(true);
    expect(gitSays("foo ", false)).toBe(true);
  });
});
