/**
 * API calls by kind, counted at a local GitHub-style API:
 * - one task whose change is 1 and 200 text files (the commit part must stay constant);
 * - one CI summary for a failing run with 1 and 10 failed jobs.
 */

import { GitHubForge } from "../src/github/forge.js";
import { handleIssueLabeled } from "../src/core/handlers/issue-labeled.js";
import { handleCiCompleted } from "../src/core/handlers/ci-completed.js";
import type { ChangeSetFile } from "../src/core/changeset.js";
import type { TaskRunner } from "../src/core/task-runner.js";
import type { Logger } from "../src/core/deps.js";
import { FakeGitHub } from "../test/helpers/fake-github-server.js";
import { validateGitHubRequest } from "../test/helpers/github-openapi.js";
import { TestOctokit } from "../test/helpers/octokit.js";
import type { Octokit } from "../src/github/forge.js";

const quiet: Logger = { info() {}, warn() {}, error() {}, debug() {}, child: () => quiet };
const clock = { now: () => new Date() };
const CONFIG = "agent:\n  command: make-change\ntests:\n  - name: unit\n    command: npm test\n";

async function withFake<T>(work: (fake: FakeGitHub, forge: GitHubForge) => Promise<T>): Promise<Map<string, number>> {
  const fake = new FakeGitHub({ ".github/factory.yml": CONFIG, "README.md": "x\n" });
  fake.permissions.set("alice", "write");
  await fake.start();
  const octokit = new TestOctokit({ auth: "ghs_bench", baseUrl: `http://${fake.host}/api/v3` }) as Octokit;
  const forge = new GitHubForge(octokit, { owner: fake.owner, name: fake.repo, htmlUrl: "" }, "factory-bot[bot]");
  fake.requests.length = 0;
  await work(fake, forge);
  const counts = new Map<string, number>();
  for (const req of fake.requests) {
    const operation = validateGitHubRequest(req.method, req.path, req.body).operation ?? `${req.method} ${req.path}`;
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
  }
  await fake.stop();
  return counts;
}

function runnerMaking(fileCount: number): TaskRunner {
  return {
    async run(spec) {
      const files: ChangeSetFile[] = Array.from({ length: fileCount }, (_, i) => ({
        path: `src/gen/file-${i}.ts`,
        action: "create",
        mode: "100644",
        encoding: "utf8",
        content: `export const value${i} = ${i};\n`,
      }));
      return {
        kind: "completed",
        agent: { exitCode: 0, signal: null, timedOut: false, durationMs: 1, outputTail: "" },
        changeSet: {
          version: 1,
          base_sha: spec.baseSha,
          files,
          summary: "",
          tests: [{ name: "unit", command: "npm test", exit_code: 0, duration_ms: 5, output_tail: "" }],
        },
      };
    },
  };
}

async function taskCalls(fileCount: number) {
  return withFake(async (_fake, forge) => {
    await handleIssueLabeled(
      {
        type: "issue.labeled",
        deliveryId: "b",
        label: "factory",
        actor: { login: "alice", isBot: false },
        issue: { number: 1, title: "Generate files", body: "", url: "", isPullRequest: false },
      },
      { forge, runner: runnerMaking(fileCount), logger: quiet, clock, configPaths: [".github/factory.yml"] },
    );
  });
}

async function ciCalls(failedJobs: number) {
  return withFake(async (fake) => {
    const sha = fake.headOf("main")!;
    fake.refs.set("heads/feature", sha);
    fake.pulls.push({
      number: 7,
      title: "t",
      body: "",
      head: "feature",
      base: "main",
      draft: false,
      state: "open",
      labels: [],
      reviewers: [],
      teamReviewers: [],
    });
    const log = "2026-01-01T00:00:00.0000000Z src/a.ts(1,1): error TS2304: Cannot find name 'x'.\n".repeat(3);
    fake.checkRuns.set(sha, [
      ...Array.from({ length: failedJobs }, (_, i) => ({
        id: 100 + i,
        name: `test (${i})`,
        conclusion: "failure",
        log: log + `job ${i}\n`,
      })),
      { id: 99, name: "lint", conclusion: "success" },
    ]);
    const octokit = new TestOctokit({ auth: "ghs_bench", baseUrl: `http://${fake.host}/api/v3` }) as Octokit;
    const forge = new GitHubForge(octokit, { owner: fake.owner, name: fake.repo, htmlUrl: "" }, "factory-bot[bot]");
    fake.requests.length = 0;
    await handleCiCompleted(
      {
        type: "ci.completed",
        deliveryId: "c",
        actor: { login: "x", isBot: false },
        headSha: sha,
        changeRequestNumbers: [7],
      },
      { forge, logger: quiet, clock },
    );
  });
}

function table(title: string, columns: Array<[string, Map<string, number>]>) {
  const kinds = [...new Set(columns.flatMap(([, m]) => [...m.keys()]))].sort();
  console.log(`### ${title}\n`);
  console.log(`| API call | ${columns.map(([name]) => name).join(" | ")} |`);
  console.log(`| --- | ${columns.map(() => "---:").join(" | ")} |`);
  for (const kind of kinds) console.log(`| ${kind} | ${columns.map(([, m]) => m.get(kind) ?? 0).join(" | ")} |`);
  const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  console.log(`| **total** | ${columns.map(([, m]) => total(m)).join(" | ")} |\n`);
}

const one = await taskCalls(1);
const many = await taskCalls(200);
table("One task (issue labeled → PR)", [
  ["1 file", one],
  ["200 files", many],
]);
const commitKinds = [
  "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
  "POST /repos/{owner}/{repo}/git/trees",
  "POST /repos/{owner}/{repo}/git/commits",
  "POST /repos/{owner}/{repo}/git/refs",
  "POST /repos/{owner}/{repo}/git/blobs",
];
const commitCalls = (m: Map<string, number>) => commitKinds.reduce((n, k) => n + (m.get(k) ?? 0), 0);
console.log(
  `Commit part: ${commitCalls(one)} calls for 1 file, ${commitCalls(many)} for 200 files (${commitCalls(one) === commitCalls(many) ? "constant" : "NOT constant"}).\n`,
);

table("One CI summary (failing run)", [
  ["1 failed job", await ciCalls(1)],
  ["10 failed jobs", await ciCalls(10)],
]);
