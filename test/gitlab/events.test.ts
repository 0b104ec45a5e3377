import { startsWork } from "../../src/core/origin.js";
import { gainedLabels, routeGitLabEvent } from "../../src/gitlab/events.js";
import { RecentKeys } from "../../src/gitlab/recent-keys.js";
import { gitlabPayload, issueLabelsChanged, pipelineFinished } from "./helpers.js";

const project = { id: 7, path: "acme/widgets", webUrl: "https://gitlab.example.com/acme/widgets" };

describe("GitLab payloads → core events", () => {
  it("makes one issue.labeled event per label gained, with the issue and the actor", () => {
    const payload = issueLabelsChanged({
      project,
      user: { id: 11, username: "alice" },
      iid: 12,
      previous: ["bug"],
      current: ["bug", "factory", "ui"],
    });
    const route = routeGitLabEvent("Issue Hook", payload, "key-1");
    expect(route).toMatchObject({
      project: { id: 7, pathWithNamespace: "acme/widgets", defaultBranch: "main" },
    });
    expect(route?.events).toEqual([
      expect.objectContaining({
        type: "issue.labeled",
        label: "factory",
        deliveryId: "key-1",
        actor: { id: 11, login: "alice", isBot: false },
      }),
      expect.objectContaining({
        label: "ui",
        issue: {
          number: 12,
          title: "Add a dark theme",
          body: "The app needs a dark theme.",
          url: `${project.webUrl}/-/issues/12`,
          isPullRequest: false,
        },
      }),
    ]);
  });

  it("reads label changes as GitLab documents them: previous and current label objects", () => {
    const { changes } = gitlabPayload("issue");
    expect(gainedLabels(changes)).toEqual(["Platform"]);
    expect(gainedLabels({})).toEqual([]);
    expect(gainedLabels({ labels: { previous: null, current: [{ title: "factory" }] } })).toEqual(["factory"]);
  });

  it("treats confidential issues like plain ones", () => {
    const payload = issueLabelsChanged({
      project,
      user: { id: 11, username: "alice" },
      iid: 12,
      previous: [],
      current: ["factory"],
    });
    expect(routeGitLabEvent("Confidential Issue Hook", payload, "k")).toEqual(
      routeGitLabEvent("Issue Hook", payload, "k"),
    );
  });

  it.each(["project_7_bot", "project_7_bot1", "group_42_bot_3f9a2c1d", "service_account_group_42_1a2b"])(
    "marks access-token and service-account users (%s) as bots",
    (username) => {
      const payload = issueLabelsChanged({
        project,
        user: { id: 5, username },
        iid: 12,
        previous: [],
        current: ["factory"],
      });
      const route = routeGitLabEvent("Issue Hook", payload, "k");
      expect(route?.actor.isBot).toBe(true);
    },
  );

  it("maps MR open, reopen and code pushes to change.updated with the head SHA", () => {
    const payload = gitlabPayload("merge_request");
    expect(routeGitLabEvent("Merge Request Hook", payload, "k")).toMatchObject({
      events: [{ type: "change.updated", number: 1, headSha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7" }],
    });
    payload.object_attributes.action = "update";
    expect(routeGitLabEvent("Merge Request Hook", payload, "k")).toBeNull(); // no oldrev: nothing pushed
    payload.object_attributes.oldrev = "0".repeat(40);
    expect(routeGitLabEvent("Merge Request Hook", payload, "k")).not.toBeNull();
    payload.object_attributes.action = "merge";
    expect(routeGitLabEvent("Merge Request Hook", payload, "k")).toBeNull();
  });

  it("maps finished pipelines to ci.completed, naming the MR only when it belongs to this project", () => {
    const documented = gitlabPayload("pipeline");
    expect(routeGitLabEvent("Pipeline Hook", documented, "k")).toMatchObject({
      events: [
        { type: "ci.completed", headSha: "bcbb5ec396a2c0f828686f14fac9b80b780504f2", changeRequestNumbers: [1] },
      ],
    });
    const fork = pipelineFinished({ project, sha: "f".repeat(40), status: "failed", mrIid: 4 });
    fork.merge_request.target_project_id = 70;
    expect(routeGitLabEvent("Pipeline Hook", fork, "k")).toMatchObject({ events: [{ changeRequestNumbers: [] }] });
    for (const status of ["running", "pending", "canceled", "skipped"]) {
      expect(
        routeGitLabEvent("Pipeline Hook", pipelineFinished({ project, sha: "f".repeat(40), status, mrIid: 4 }), "k"),
      ).toBeNull();
    }
  });

  it("maps `/factory` notes on issues and MRs to commands, and ignores other notes, edits and bots", () => {
    const onIssue = gitlabPayload("note_issue");
    onIssue.object_attributes.note = "/factory retry\nplease";
    expect(routeGitLabEvent("Note Hook", onIssue, "k")).toMatchObject({
      events: [
        {
          type: "command",
          command: "retry",
          commentId: 1241,
          target: { kind: "issue", number: 17 },
          issue: { number: 17, title: "test", body: "test" },
        },
      ],
    });
    const onMr = gitlabPayload("note_merge_request");
    onMr.object_attributes.note = "/factory fix";
    expect(routeGitLabEvent("Confidential Note Hook", onMr, "k")).toMatchObject({
      events: [{ command: "fix", target: { kind: "change", number: 1 } }],
    });
    expect(routeGitLabEvent("Note Hook", gitlabPayload("note_issue"), "k")).toBeNull(); // "Hello world"
    onIssue.object_attributes.action = "update";
    expect(routeGitLabEvent("Note Hook", onIssue, "k")).toBeNull();
    onMr.user.username = "project_7_bot_1a2b3c";
    expect(routeGitLabEvent("Note Hook", onMr, "k")?.events.filter(startsWork)).toEqual([]);
  });

  it("recognises a finished task-run pipeline by its FACTORY_TASK_* variables", () => {
    const payload = pipelineFinished({ project, sha: "f".repeat(40), status: "failed", mrIid: null });
    payload.object_attributes.variables = [
      { key: "FACTORY_TASK_ISSUE", value: "12" },
      { key: "FACTORY_TASK_ATTEMPT", value: "2" },
    ];
    expect(routeGitLabEvent("Pipeline Hook", payload, "k")).toMatchObject({
      events: [
        {
          type: "task-run.completed",
          issueNumber: 12,
          attempt: 2,
          runId: "31",
          succeeded: false,
          url: "http://example.com/gitlab-org/gitlab-test/-/pipelines/31",
        },
      ],
    });
    payload.object_attributes.status = "running";
    expect(routeGitLabEvent("Pipeline Hook", payload, "k")).toBeNull();
  });

  it("never crashes on payloads missing what it reads", () => {
    for (const event of ["Issue Hook", "Merge Request Hook", "Pipeline Hook", "Note Hook", "Job Hook"]) {
      expect(routeGitLabEvent(event, {}, "k")).toBeNull();
      expect(routeGitLabEvent(event, null, "k")).toBeNull();
      expect(routeGitLabEvent(event, [1, 2], "k")).toBeNull();
    }
  });
});

describe("RecentKeys", () => {
  function clockAt(ms: number) {
    const clock = { ms, now: () => new Date(clock.ms) };
    return clock;
  }

  it("remembers keys for the TTL only", () => {
    const clock = clockAt(0);
    const keys = new RecentKeys({ capacity: 10, ttlMs: 1000, clock });
    keys.remember("a");
    clock.ms = 999;
    expect(keys.has("a")).toBe(true);
    clock.ms = 1000;
    expect(keys.has("a")).toBe(false);
    expect(keys.size).toBe(0);
  });

  it("forgets the least recently seen key beyond its capacity", () => {
    const keys = new RecentKeys({ capacity: 2, ttlMs: 60_000, clock: clockAt(0) });
    keys.remember("a");
    keys.remember("b");
    expect(keys.has("a")).toBe(true); // now b is the least recently seen
    keys.remember("c");
    expect([keys.has("a"), keys.has("b"), keys.has("c")]).toEqual([true, false, true]);
    expect(keys.size).toBe(2);
  });

  it("keeps the first-seen time when a key is seen again", () => {
    const clock = clockAt(0);
    const keys = new RecentKeys({ capacity: 10, ttlMs: 1000, clock });
    keys.remember("a");
    clock.ms = 600;
    keys.remember("a");
    clock.ms = 1100;
    expect(keys.has("a")).toBe(false);
  });
});

describe("payloads of unexpected shapes", () => {
  it.each([
    [
      "Issue Hook",
      {
        object_kind: "issue",
        object_attributes: { action: "update", iid: 1 },
        changes: { labels: { previous: "x", current: 5 } },
        project: { id: 1 },
        user: {},
      },
    ],
    [
      "Issue Hook",
      {
        object_kind: "issue",
        object_attributes: { action: "update", iid: 1 },
        changes: { labels: { previous: [], current: [null] } },
        project: { id: 1 },
        user: {},
      },
    ],
    [
      "Pipeline Hook",
      {
        object_kind: "pipeline",
        object_attributes: { status: "success", sha: "a".repeat(40), variables: "not a list" },
        project: { id: 1 },
      },
    ],
    [
      "Note Hook",
      {
        object_kind: "note",
        object_attributes: { note: { not: "a string" }, noteable_type: "Issue" },
        project: { id: 1 },
        issue: { iid: 1 },
      },
    ],
  ])("%s with odd fields is ignored, never thrown", (event, payload) => {
    expect(() => routeGitLabEvent(event, payload, "d")).not.toThrow();
  });
});
