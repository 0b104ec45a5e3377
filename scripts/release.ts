/**
 * Cuts a release (docs/releasing.md): `npm run release -- X.Y.Z [--dry-run]`.
 *
 * Checks the working tree is clean and the version is new, moves CHANGELOG.md's Unreleased entries
 * under `## [X.Y.Z] - <date>`, sets the version in package.json and package-lock.json, runs
 * `npm test`, commits, tags `vX.Y.Z` and packs `release/factory-bot-X.Y.Z.tgz` (built dist/, the
 * file the CI templates install with production dependencies only). It never pushes: the last
 * lines say what to push and upload. Releasing the version package.json already has (the first
 * release, 0.1.0) skips the changelog and version edits and only tags and packs.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const UNRELEASED = "## [Unreleased]";

/** A command the release runs, in order; `writes` marks the ones a dry run leaves out. */
export interface ReleaseStep {
  command: string;
  args: string[];
  writes: boolean;
}

export interface ReleaseInput {
  version: string;
  currentVersion: string;
  changelog: string;
  existingTags: string[];
  dirtyFiles: string[];
}

export function parseVersion(text: string): [number, number, number] {
  const match = SEMVER.exec(text);
  if (!match) throw new Error(`"${text}" is not a version: give X.Y.Z (semver, no "v", no pre-release)`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The problems that stop a release, each with what to do; empty when it may go ahead. */
export function releaseProblems(input: ReleaseInput): string[] {
  const { version, currentVersion, changelog, existingTags, dirtyFiles } = input;
  const problems: string[] = [];
  if (dirtyFiles.length > 0) problems.push(`commit or stash these first: ${dirtyFiles.join(", ")}`);
  if (existingTags.includes(`v${version}`)) problems.push(`the tag v${version} exists already: pick the next version`);
  const order = compareVersions(version, currentVersion);
  if (order < 0) problems.push(`${version} is older than package.json's ${currentVersion}`);
  if (order === 0 && !changelog.includes(`## [${version}]`))
    problems.push(`CHANGELOG.md has no "## [${version}]" section to release`);
  if (order > 0 && unreleasedEntries(changelog).trim() === "")
    problems.push(`CHANGELOG.md's "${UNRELEASED}" section is empty: say what changed first`);
  return problems;
}

/** The text between `## [Unreleased]` and the next `## ` heading. */
export function unreleasedEntries(changelog: string): string {
  const start = changelog.indexOf(UNRELEASED);
  if (start === -1) throw new Error(`CHANGELOG.md needs a "${UNRELEASED}" heading (Keep a Changelog)`);
  const body = changelog.slice(start + UNRELEASED.length);
  const next = body.search(/^## /m);
  return next === -1 ? body : body.slice(0, next);
}

/** CHANGELOG.md with the Unreleased entries moved under `## [version] - date`, and an empty Unreleased on top. */
export function cutChangelog(changelog: string, version: string, date: string): string {
  const entries = unreleasedEntries(changelog);
  const start = changelog.indexOf(UNRELEASED) + UNRELEASED.length;
  const before = changelog.slice(0, start);
  const after = changelog.slice(start + entries.length);
  const released = `\n\n## [${version}] - ${date}\n\n${entries.trim()}\n\n`;
  return `${before}${released}${after.replace(/^\n+/, "")}`;
}

/** What the release runs after the checks, for `version` given package.json's `currentVersion`. */
export function releaseSteps(version: string, currentVersion: string): ReleaseStep[] {
  const bump = compareVersions(version, currentVersion) > 0;
  const tag = `v${version}`;
  return [
    ...(bump ? [{ command: "npm", args: ["version", version, "--no-git-tag-version"], writes: true }] : []),
    { command: "npm", args: ["test"], writes: false },
    ...(bump
      ? [
          { command: "git", args: ["add", "CHANGELOG.md", "package.json", "package-lock.json"], writes: true },
          { command: "git", args: ["commit", "-m", `Release ${tag}`], writes: true },
        ]
      : []),
    { command: "git", args: ["tag", "-a", tag, "-m", `factory-bot ${tag}`], writes: true },
    // `npm pack` runs `prepare`, which builds dist/ from the tagged sources.
    { command: "npm", args: ["pack", "--pack-destination", "release"], writes: true },
  ];
}

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
}

function main(argv: string[]): void {
  const root = new URL("..", import.meta.url).pathname;
  const dryRun = argv.includes("--dry-run");
  const version = argv.find((arg) => !arg.startsWith("-"));
  if (version === undefined) throw new Error("usage: npm run release -- X.Y.Z [--dry-run]");
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const changelogPath = join(root, "CHANGELOG.md");
  const changelog = readFileSync(changelogPath, "utf8");
  const problems = releaseProblems({
    version,
    currentVersion: pkg.version,
    changelog,
    existingTags: git(["tag", "--list"], root).split("\n"),
    dirtyFiles: git(["status", "--porcelain"], root).split("\n").filter(Boolean),
  });
  if (problems.length > 0) throw new Error(`cannot release ${version}:\n- ${problems.join("\n- ")}`);

  const steps = releaseSteps(version, pkg.version);
  const bump = compareVersions(version, pkg.version) > 0;
  if (dryRun) {
    if (bump) process.stdout.write(`would move CHANGELOG.md's Unreleased entries under [${version}]\n`);
    for (const step of steps) process.stdout.write(`would run: ${step.command} ${step.args.join(" ")}\n`);
    return;
  }
  if (bump) writeFileSync(changelogPath, cutChangelog(changelog, version, new Date().toISOString().slice(0, 10)));
  mkdirSync(join(root, "release"), { recursive: true });
  for (const step of steps) execFileSync(step.command, step.args, { cwd: root, stdio: "inherit" });

  const tarball = join(root, "release", `factory-bot-${version}.tgz`);
  const sha256 = createHash("sha256").update(readFileSync(tarball)).digest("hex");
  process.stdout.write(
    [
      "",
      `released v${version}: ${tarball} (${(statSync(tarball).size / 1024).toFixed(0)} KiB, sha256 ${sha256})`,
      `next: git push origin v${version} (and the release commit), then attach the tarball to the v${version} release;`,
      `CI templates install it with FACTORY_BOT_PACKAGE=<the tarball's URL> (docs/releasing.md).`,
      "",
    ].join("\n"),
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`release: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
