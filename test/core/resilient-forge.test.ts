import { TransientForgeError } from "../../src/core/errors.js";
import type { Forge } from "../../src/core/forge.js";
import { hasMarker, MARKERS } from "../../src/core/markers.js";
import { resilientForge, retryWrite, type RetryPolicy } from "../../src/core/resilient-forge.js";
import { ensureStickyComment } from "../../src/core/sticky-comment.js";
import { claimTask } from "../../src/core/task/record.js";
import { publishChangeSet } from "../../src/core/task/publish.js";
import { commitMessage } from "../../src/core/task/trailers.js";
import { GitHubForge, type Octokit } from "../../src/github/forge.js";
import { createGitLabApi } from "../../src/gitlab/client.js";
import { GitLabForge } from "../../src/gitlab/forge.js";
import { makeConfig } from "../helpers/config.js";
import { FakeGitHub } from "../helpers/fake-github-server.js";
import { FakeGitLab } from "../helpers/fake-gitlab-server.js";
import { FAULTS, type Fault } from "../helpers/local-server.js";
import { recordingLogger } from "../helpers/logger.js";
import { TestOctokit } from "../helpers/octokit.js";

/** A clock that only moves when the retry loop sleeps: no test waits real seconds. */
function virtualTime(overrides: Partial<RetryPolicy> = {}) {
  let now = Date.parse("2026-12-01T10:00:00Z");
  const slept: number[] = [];
  const policy: RetryPolicy = {
    attempts: 5,
    baseDelayMs: 1_000,
    maxDelayMs: 30_000,
    budgetMs: 120_000,
    clock: { now: () => new Date(now) },
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
    ...overrides,
  };
  return { policy, slept };
}

const ISSUE = { number: 12, title: "Add a dark theme", body: "Please.", url: "http://example.test/issues/12" };
const BRANCH = "factory/12-add-a-dark-theme";
const config = makeConfig({
  pull_request: { labels: ["factory"], reviewers: [{ paths: ["**"], users: ["alice"], teams: [] }] },
});

/** Every kind of write a task, a CI summary, a fix attempt and a command make, in order. */
async function writeEverything(forge: Forge, baseSha: string) {
  const logger = recordingLogger();
  const clock = { now: () => new Date() };
  const progress = await claimTask({
    forge,
    issueNumber: ISSUE.number,
    deliveryId: "d-1",
    view: { phase: "queued" },
    clock,
    logger,
    staleAfterMs: 60_000,
  });
  if (!progress) throw new Error("the task was not claimed");
  const outcome = await publishChangeSet({
    forge,
    config,
    issue: ISSUE,
    branch: BRANCH,
    base: "main",
    attempt: 1,
    changeSet: {
      version: 1,
      base_sha: baseSha,
      files: [{ path: "theme.ts", action: "create", mode: "100644", encoding: "utf8", content: "export {};\n" }],
      summary: "",
      tests: [],
    },
    progress,
    logger,
  });
  expect(outcome).toBe("published");
  const change = await forge.findOpenChangeRequest(BRANCH);
  const number = change!.number;
  await ensureStickyComment(forge, { kind: "change", number }, "ciSummary", `${MARKERS.ciSummary}\nCI failed`);
  const head = (await forge.getBranchSha(BRANCH))!;
  await forge.commitFiles({
    branch: BRANCH,
    parentSha: head,
    message: commitMessage("[Factory] #12: Add a dark theme", ISSUE.number, 2),
    files: [{ path: "theme.ts", action: "update", mode: "100644", encoding: "utf8", content: "export const x = 1;\n" }],
  });
  await forge.createComment(
    { kind: "issue", number: ISSUE.number },
    "👀 `/factory retry` seen: the task starts again.",
  );
  return number;
}

type WriteKind =
  | "progress comment"
  | "commit"
  | "branch ref"
  | "change request"
  | "labels"
  | "reviewers"
  | "status"
  | "ci summary comment"
  | "fix-attempt commit"
  | "command reply";

const FAULT_CASES: Array<[string, Fault, number]> = [
  ["502 twice", FAULTS.badGateway, 2],
  ["a timeout (lost answer)", FAULTS.lostResponse, 1],
  ["a 403 secondary rate limit with retry-after", FAULTS.secondaryRateLimit, 1],
];

/** Where a write kind's fault goes: a route, after letting `skip` of its requests through. */
interface Injection {
  method: string;
  path: RegExp;
  /** Requests of that route to let through first (the fix commit is the second commit). */
  skip: number;
}

describe.each([
  ["GitHub", "github"],
  ["GitLab", "gitlab"],
] as const)("%s: every write survives transient faults without duplicates", (_name, kind) => {
  const REPO = "/api/v3/repos/acme/widgets";
  const PROJECT = "/api/v4/projects/(?:7|acme%2Fwidgets)";
  const injections: Record<WriteKind, Injection> =
    kind === "github"
      ? {
          "progress comment": { method: "POST", path: new RegExp(`^${REPO}/issues/12/comments$`), skip: 0 },
          commit: { method: "POST", path: new RegExp(`^${REPO}/git/commits$`), skip: 0 },
          "branch ref": { method: "POST", path: new RegExp(`^${REPO}/git/refs$`), skip: 0 },
          "change request": { method: "POST", path: new RegExp(`^${REPO}/pulls$`), skip: 0 },
          labels: { method: "POST", path: new RegExp(`^${REPO}/issues/\\d+/labels$`), skip: 0 },
          reviewers: { method: "POST", path: new RegExp(`^${REPO}/pulls/\\d+/requested_reviewers$`), skip: 0 },
          status: { method: "POST", path: new RegExp(`^${REPO}/statuses/`), skip: 0 },
          "ci summary comment": { method: "POST", path: new RegExp(`^${REPO}/issues/\\d{4}/comments$`), skip: 0 },
          "fix-attempt commit": { method: "PATCH", path: new RegExp(`^${REPO}/git/refs/heads`), skip: 0 },
          "command reply": { method: "POST", path: new RegExp(`^${REPO}/issues/12/comments$`), skip: 1 },
        }
      : {
          "progress comment": { method: "POST", path: new RegExp(`^${PROJECT}/issues/12/notes$`), skip: 0 },
          commit: { method: "POST", path: new RegExp(`^${PROJECT}/repository/commits$`), skip: 0 },
          "branch ref": { method: "POST", path: new RegExp(`^${PROJECT}/repository/commits$`), skip: 0 },
          "change request": { method: "POST", path: new RegExp(`^${PROJECT}/merge_requests$`), skip: 0 },
          labels: { method: "PUT", path: new RegExp(`^${PROJECT}/merge_requests/\\d+$`), skip: 0 },
          reviewers: { method: "PUT", path: new RegExp(`^${PROJECT}/merge_requests/\\d+$`), skip: 1 },
          status: { method: "POST", path: new RegExp(`^${PROJECT}/statuses/`), skip: 0 },
          "ci summary comment": { method: "POST", path: new RegExp(`^${PROJECT}/merge_requests/\\d+/notes$`), skip: 0 },
          "fix-attempt commit": { method: "POST", path: new RegExp(`^${PROJECT}/repository/commits$`), skip: 1 },
          "command reply": { method: "POST", path: new RegExp(`^${PROJECT}/issues/12/notes$`), skip: 1 },
        };

  let github: FakeGitHub;
  let gitlab: FakeGitLab;

  beforeEach(async () => {
    if (kind === "github") {
      github = new FakeGitHub({ "README.md": "# widgets\n" });
      await github.start();
    } else {
      gitlab = new FakeGitLab({ "README.md": "# widgets\n" });
      gitlab.addUser("alice", 30);
      await gitlab.start();
    }
  });
  afterEach(() => (kind === "github" ? github.stop() : gitlab.stop()));

  function forge(policy: RetryPolicy): Forge {
    const logger = recordingLogger();
    if (kind === "github") {
      const octokit = new TestOctokit({ auth: "ghs_test", baseUrl: `http://${github.host}/api/v3` }) as Octokit;
      const raw = new GitHubForge(
        octokit,
        { owner: "acme", name: "widgets", htmlUrl: "http://example.test/acme/widgets", defaultBranch: "main" },
        "factory-bot[bot]",
      );
      return resilientForge(raw, logger, policy);
    }
    const api = createGitLabApi({ url: gitlab.url, token: gitlab.token });
    const raw = new GitLabForge(
      api,
      { id: gitlab.projectId, pathWithNamespace: gitlab.projectPath, webUrl: gitlab.webUrl, defaultBranch: "main" },
      gitlab.bot,
    );
    return resilientForge(raw, logger, policy);
  }

  const server = () => (kind === "github" ? github : gitlab);

  function inject(write: WriteKind, fault: Fault, times: number) {
    const { method, path, skip } = injections[write];
    server().injectFault(method, path, fault, times, skip);
  }

  function state() {
    if (kind === "github") {
      const pulls = github.pulls;
      const head = github.headOf(BRANCH);
      const commits: string[] = [];
      for (let sha = head; sha && sha !== github.headOf("main"); sha = github.commits.get(sha)?.parents[0])
        commits.push(sha);
      return {
        taskComments: github.comments.filter((c) => c.issue === 12 && hasMarker(c.body, "task")).length,
        replies: github.comments.filter((c) => c.issue === 12 && c.body.includes("/factory retry` seen")).length,
        ciSummaries: github.comments.filter((c) => hasMarker(c.body, "ciSummary")).length,
        changeRequests: pulls.length,
        branchCommits: commits.length,
        labels: pulls[0]?.labels ?? [],
        reviewers: pulls[0]?.reviewers ?? [],
        // GitHub keeps every status record and shows the latest per context; a repeated one is invisible.
        statuses: new Set(
          github.statuses.filter((s) => s.context === "factory/task" && s.state === "success").map((s) => s.sha),
        ).size,
      };
    }
    const head = gitlab.headOf(BRANCH);
    const commits: string[] = [];
    for (let sha = head; sha && sha !== gitlab.headOf("main"); sha = gitlab.commits.get(sha)?.parents[0])
      commits.push(sha);
    const alice = gitlab.users.find((u) => u.username === "alice")!.id;
    const mrs = gitlab.mergeRequests;
    return {
      taskComments: gitlab.notes.filter((n) => n.noteable === "issues" && hasMarker(n.body, "task")).length,
      replies: gitlab.notes.filter((n) => n.noteable === "issues" && n.body.includes("/factory retry` seen")).length,
      ciSummaries: gitlab.notes.filter((n) => hasMarker(n.body, "ciSummary")).length,
      changeRequests: mrs.length,
      branchCommits: commits.length,
      labels: mrs[0]?.labels ?? [],
      reviewers: (mrs[0]?.reviewer_ids ?? []).map((id) => (id === alice ? "alice" : String(id))),
      statuses: gitlab.statuses.filter((s) => s.name === "factory/task" && s.state === "success").length,
    };
  }

  const WRITES = Object.keys(injections) as WriteKind[];
  const cases = WRITES.flatMap((write) =>
    FAULT_CASES.map(([label, fault, times]) => [write, label, fault, times] as const),
  );

  it.each(cases)("%s after %s: one of everything", async (write, _label, fault, times) => {
    const { policy, slept } = virtualTime();
    const baseSha = kind === "github" ? github.headOf("main")! : gitlab.headOf("main")!;
    inject(write, fault, times);
    await writeEverything(forge(policy), baseSha);
    expect(server().faultsServed).toHaveLength(times);
    expect(state()).toEqual({
      taskComments: 1,
      replies: 1,
      ciSummaries: 1,
      changeRequests: 1,
      branchCommits: 2,
      labels: ["factory"],
      reviewers: ["alice"],
      statuses: 1,
    });
    // Waited (virtually) before every retry, and as long as the forge asked when it said.
    expect(slept.length).toBeGreaterThanOrEqual(1);
    if (fault === FAULTS.secondaryRateLimit) expect(slept[0]).toBeGreaterThanOrEqual(1_000);
  });

  it("gives up within the time budget when the fault persists, and says what it tried", async () => {
    const { policy, slept } = virtualTime({ budgetMs: 20_000 });
    const { method, path } = injections["change request"];
    server().injectFault(method, path, FAULTS.badGateway, 100);
    const baseSha = kind === "github" ? github.headOf("main")! : gitlab.headOf("main")!;
    await expect(writeEverything(forge(policy), baseSha)).rejects.toThrow(/tried \d+ times over \d+s/);
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
    expect(state().changeRequests).toBe(0);
  });
});

describe("retryWrite", () => {
  it("does not retry what is not transient", async () => {
    const { policy, slept } = virtualTime();
    let calls = 0;
    await expect(
      retryWrite(
        "x",
        async () => {
          calls++;
          throw new Error("bug");
        },
        policy,
        recordingLogger(),
      ),
    ).rejects.toThrow("bug");
    expect([calls, slept]).toEqual([1, []]);
  });

  it("waits longer each time, and as long as the forge asks", async () => {
    const { policy, slept } = virtualTime();
    let calls = 0;
    const result = await retryWrite(
      "x",
      async () => {
        calls++;
        if (calls === 1) throw new TransientForgeError("rate limited", 403, { retryAfterMs: 7_000 });
        if (calls < 4) throw new TransientForgeError("502", 502);
        return "done";
      },
      policy,
      recordingLogger(),
    );
    expect(result).toBe("done");
    expect(slept).toEqual([7_000, 2_000, 4_000]);
  });
});
