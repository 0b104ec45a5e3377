import {
  compareVersions,
  cutChangelog,
  parseVersion,
  releaseProblems,
  releaseSteps,
  unreleasedEntries,
} from "../../scripts/release.js";

const CHANGELOG = [
  "# Changelog",
  "",
  "## [Unreleased]",
  "",
  "### Added",
  "",
  "- `factory-bot --version`.",
  "",
  "## [0.1.0] - 2026-12-02",
  "",
  "### Added",
  "",
  "- The first release.",
  "",
].join("\n");

const clean = { currentVersion: "0.1.0", changelog: CHANGELOG, existingTags: ["v0.1.0"], dirtyFiles: [] };

describe("versions", () => {
  test("X.Y.Z only, compared numerically", () => {
    expect(parseVersion("1.10.0")).toEqual([1, 10, 0]);
    expect(() => parseVersion("v1.0.0")).toThrow(/X\.Y\.Z/);
    expect(() => parseVersion("1.0.0-rc.1")).toThrow(/X\.Y\.Z/);
    expect(compareVersions("0.10.0", "0.9.9")).toBeGreaterThan(0);
    expect(compareVersions("0.1.0", "0.1.0")).toBe(0);
  });
});

describe("the changelog", () => {
  test("moves the Unreleased entries under the new version and leaves an empty Unreleased", () => {
    const cut = cutChangelog(CHANGELOG, "0.2.0", "2026-12-24");
    expect(cut).toContain(
      "## [Unreleased]\n\n## [0.2.0] - 2026-12-24\n\n### Added\n\n- `factory-bot --version`.\n\n## [0.1.0]",
    );
    expect(unreleasedEntries(cut).trim()).toBe("");
  });

  test("a changelog without an Unreleased heading is refused", () => {
    expect(() => unreleasedEntries("# Changelog\n")).toThrow(/Unreleased/);
  });
});

describe("what stops a release", () => {
  test("a new version with entries on a clean tree goes ahead", () => {
    expect(releaseProblems({ ...clean, version: "0.2.0" })).toEqual([]);
  });

  test("uncommitted files, an existing tag, an older version, an empty Unreleased", () => {
    expect(releaseProblems({ ...clean, version: "0.1.0", dirtyFiles: [" M README.md"] })).toEqual([
      "commit or stash these first:  M README.md",
      "the tag v0.1.0 exists already: pick the next version",
    ]);
    expect(releaseProblems({ ...clean, version: "0.0.9" })).toEqual(["0.0.9 is older than package.json's 0.1.0"]);
    const released = cutChangelog(CHANGELOG, "0.2.0", "2026-12-24");
    expect(releaseProblems({ ...clean, changelog: released, version: "0.3.0" })).toEqual([
      'CHANGELOG.md\'s "## [Unreleased]" section is empty: say what changed first',
    ]);
  });

  test("the first release tags the version package.json has, if the changelog has its section", () => {
    expect(releaseProblems({ ...clean, existingTags: [], version: "0.1.0" })).toEqual([]);
    const other = { ...clean, existingTags: [], currentVersion: "0.3.0" };
    expect(releaseProblems({ ...other, version: "0.3.0" })).toEqual([
      'CHANGELOG.md has no "## [0.3.0]" section to release',
    ]);
  });
});

describe("the steps", () => {
  const commands = (steps: ReturnType<typeof releaseSteps>) => steps.map((s) => [s.command, ...s.args].join(" "));

  test("a new version: bump, test, commit, tag, pack", () => {
    expect(commands(releaseSteps("0.2.0", "0.1.0"))).toEqual([
      "npm version 0.2.0 --no-git-tag-version",
      "npm test",
      "git add CHANGELOG.md package.json package-lock.json",
      "git commit -m Release v0.2.0",
      "git tag -a v0.2.0 -m factory-bot v0.2.0",
      "npm pack --pack-destination release",
    ]);
  });

  test("the current version: test, tag, pack; nothing is committed", () => {
    expect(commands(releaseSteps("0.1.0", "0.1.0"))).toEqual([
      "npm test",
      "git tag -a v0.1.0 -m factory-bot v0.1.0",
      "npm pack --pack-destination release",
    ]);
  });
});
