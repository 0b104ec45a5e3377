import type { FactoryServer } from "../../src/entry/server.js";
import { reviewRoundOf } from "../../src/core/task/trailers.js";
import type { FakeGitHub, FakePull } from "../helpers/fake-github-server.js";
import { labeledPayload, reviewPayload, startGitHubE2E, type GitHubE2E } from "../helpers/github-e2e.js";
import { allowExactly } from "../helpers/allow.js";
import { validateGitHubGraphQL } from "../helpers/github-graphql.js";
import { REVIEW_AGENT_COMMAND, REVIEW_TASK_CONFIG, TEST_COMMAND } from "../helpers/e2e-task.js";

describe("GitHub end to end: a review requesting changes → one review round", () => {
  let e2e: GitHubE2E;
  let fake: FakeGitHub;
  let server: FactoryServer;
  let pull: FakePull;

  // GitHub's GraphQL schema is built once per process, before the requests that are checked against it.
  beforeAll(() => validateGitHubGraphQL("query { viewer { login } }", {}), 60_000);

  beforeAll(async () => {
    e2e = await startGitHubE2E(
      { ".github/factory.yml": REVIEW_TASK_CONFIG, "README.md": "# widgets\n" },
      { FACTORY_ALLOWED_COMMANDS: allowExactly(REVIEW_AGENT_COMMAND, TEST_COMMAND) },
    );
    ({ fake, server } = e2e);
    fake.permissions.set("mallory", "read");
    await e2e.deliver("issues", labeledPayload(fake), "label-1");
    await server.jobs.drain();
    pull = fake.pulls[0]!;
    fake.reviewThreads.push(
      {
        id: "PRRT_1",
        pull: pull.number,
        isResolved: false,
        path: "theme.ts",
        line: 1,
        diffHunk: "@@ -0,0 +1 @@\n+export const dark = true;",
        comments: [
          { id: 1, body: "Call it darkMode.", author: "alice" },
          { id: 2, body: "Agreed.", author: "bob" },
        ],
      },
      {
        id: "PRRT_2",
        pull: pull.number,
        isResolved: false,
        path: "README.md",
        line: 1,
        diffHunk: "@@ -1 +1 @@\n # widgets",
        comments: [{ id: 3, body: "Mention the theme here.", author: "alice" }],
      },
      {
        id: "PRRT_done",
        pull: pull.number,
        isResolved: true,
        path: "README.md",
        line: 1,
        diffHunk: "@@ -1 +1 @@\n # widgets",
        comments: [{ id: 4, body: "Old point, settled.", author: "alice" }],
      },
    );
  });

  afterAll(async () => {
    await e2e?.stop();
  });

  const roundCommits = () => {
    const head = fake.headOf(pull.head)!;
    return fake.pullCommits(pull).filter((c) => reviewRoundOf(c.message) !== null && fake.isAncestor(c.sha, head));
  };

  it("answers every unresolved thread once, from one fast-forward commit, and resolves them", async () => {
    const before = fake.requests.length;
    const headBefore = fake.headOf(pull.head)!;
    await e2e.deliver("pull_request_review", reviewPayload(fake, pull.number, "alice", "changes_requested"), "rev-1");
    await server.jobs.drain();
    const calls = fake.requests.slice(before);
    if (process.env.FACTORY_REPORT_CALLS)
      console.log(
        `GitHub review round, 2 threads: ${calls.length} requests\n` +
          calls
            .map(
              (c) =>
                `${c.method} ${c.path} ${c.path === "/api/graphql" ? String((c.body as { query: string }).query).slice(0, 40) : ""}`,
            )
            .join("\n"),
      );

    const head = fake.headOf(pull.head)!;
    expect(fake.commits.get(head)!.parents).toEqual([headBefore]);
    expect(reviewRoundOf(fake.commits.get(head)!.message)).toBe(1);
    // The agent saw FACTORY_MODE=review and both unresolved threads (not the resolved one) in FACTORY_REVIEW_FILE.
    expect(fake.filesAt(head).get("review-seen.txt")?.content).toBe(
      "review 2 Call it darkMode. Mention the theme here. 0\n",
    );
    for (const id of ["PRRT_1", "PRRT_2"]) {
      const thread = fake.reviewThreads.find((t) => t.id === id)!;
      const replies = thread.comments.filter((c) => c.author === fake.appSlug);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.body).toContain(head);
      expect(thread.isResolved).toBe(true);
    }
    expect(fake.reviewThreads.find((t) => t.id === "PRRT_done")!.comments).toHaveLength(1);
    expect(e2e.problems).toEqual([]);
  });

  it("starts nothing twice for a redelivered review", async () => {
    const head = fake.headOf(pull.head);
    for (const t of fake.reviewThreads) t.isResolved = false; // even with threads open again
    const before = fake.requests.length;
    await e2e.deliver("pull_request_review", reviewPayload(fake, pull.number, "alice", "changes_requested"), "rev-1");
    await server.jobs.drain();
    expect(fake.headOf(pull.head)).toBe(head);
    expect(roundCommits()).toHaveLength(1);
    expect(fake.requests.slice(before).filter((r) => r.method !== "GET" && r.path !== "/api/graphql")).toEqual([]);
    for (const t of fake.reviewThreads)
      expect(t.comments.filter((c) => c.author === fake.appSlug).length).toBeLessThan(2);
    for (const t of fake.reviewThreads) t.isResolved = t.id !== "PRRT_done" ? true : t.isResolved;
    expect(e2e.problems).toEqual([]);
  });

  it("a review from someone below min_permission starts nothing and gets no reply", async () => {
    const before = fake.requests.length;
    const comments = fake.comments.length;
    await e2e.deliver("pull_request_review", reviewPayload(fake, pull.number, "mallory", "changes_requested"), "rev-m");
    await server.jobs.drain();
    expect(roundCommits()).toHaveLength(1);
    expect(fake.comments).toHaveLength(comments);
    expect(fake.requests.slice(before).filter((r) => r.method !== "GET")).toEqual([]);
    expect(e2e.problems).toEqual([]);
  });

  it("a review that only comments starts nothing", async () => {
    const before = fake.requests.length;
    await e2e.deliver("pull_request_review", reviewPayload(fake, pull.number, "alice", "commented"), "rev-c");
    await server.jobs.drain();
    expect(fake.requests.length).toBe(before);
  });
});
