import type { FactoryServer } from "../../src/entry/server.js";
import { MARKERS } from "../../src/core/markers.js";
import type { FakeGitHub } from "../helpers/fake-github-server.js";
import { E2E_SECRET, labeledPayload, startGitHubE2E, type GitHubE2E } from "../helpers/github-e2e.js";
import { githubExample, postGitHubWebhook, signGitHub } from "../helpers/webhooks.js";
import { allowExactly } from "../helpers/allow.js";
import { AGENT_COMMAND, TASK_CONFIG, TEST_COMMAND } from "../helpers/e2e-task.js";

describe("GitHub end to end: labeled issue → one pull request", () => {
  let e2e: GitHubE2E;
  let fake: FakeGitHub;
  let server: FactoryServer;
  let url: string;
  let problems: string[];

  beforeAll(async () => {
    e2e = await startGitHubE2E(
      { ".github/factory.yml": TASK_CONFIG, "README.md": "# widgets\n" },
      { FACTORY_ALLOWED_COMMANDS: allowExactly(AGENT_COMMAND, TEST_COMMAND) },
    );
    ({ fake, server, url, problems } = e2e);
  });

  afterAll(async () => {
    await e2e?.stop();
  });

  it("answers /healthz", async () => {
    const res = await fetch(url.replace("/api/github/webhooks", "/healthz"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", forges: { github: true, gitlab: false } });
  });

  it("refuses a bad or missing signature without calling GitHub", async () => {
    const before = fake.requests.length;
    const payload = labeledPayload(fake);
    const forged = await postGitHubWebhook(url, "issues", payload, { secret: "wrong", deliveryId: "forged" });
    const unsigned = await postGitHubWebhook(url, "issues", payload, {
      secret: E2E_SECRET,
      deliveryId: "unsigned",
      signature: null,
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(unsigned.status).toBeLessThan(500);
    await server.jobs.drain();
    expect(fake.requests.length).toBe(before);
  });

  it("answers correctly signed malformed JSON with 4xx, calls nothing, and keeps serving", async () => {
    const before = fake.requests.length;
    const body = "{not json";
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": "bad-json",
        "x-hub-signature-256": signGitHub(body, E2E_SECRET),
      },
      body,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect((await fetch(url.replace("/api/github/webhooks", "/healthz"))).status).toBe(200);
    expect(fake.requests.length).toBe(before);
    // Probot logs the refused body as an error; that line is expected here.
    expect(e2e.takeLogs((line) => line.msg === "Invalid JSON").map((line) => line.level)).toEqual([50]);
  });

  it("acknowledges events it does not use with 2xx and calls nothing", async () => {
    const before = fake.requests.length;
    const star = githubExample("star", "created");
    const res = await postGitHubWebhook(url, "star", star, { secret: E2E_SECRET, deliveryId: "star-1" });
    expect(res.status).toBeLessThan(300);
    await server.jobs.drain();
    expect(fake.requests.length).toBe(before);
  });

  it("opens exactly one PR with the change, title, Closes, test table, labels, status and one comment, however often delivered", async () => {
    const payload = labeledPayload(fake);
    const responses = await Promise.all([
      postGitHubWebhook(url, "issues", payload, { secret: E2E_SECRET, deliveryId: "delivery-a" }),
      postGitHubWebhook(url, "issues", payload, { secret: E2E_SECRET, deliveryId: "delivery-a" }),
      postGitHubWebhook(url, "issues", payload, { secret: E2E_SECRET, deliveryId: "delivery-b" }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await server.jobs.drain();
    await postGitHubWebhook(url, "issues", payload, { secret: E2E_SECRET, deliveryId: "delivery-a" }); // a late redelivery
    await server.jobs.drain();

    expect(fake.pulls).toHaveLength(1);
    const [pull] = fake.pulls;
    expect(pull).toMatchObject({
      title: "[Factory] #12: Add a dark theme",
      head: "factory/12-add-a-dark-theme",
      base: "main",
      draft: true,
    });
    expect(pull!.body).toContain("Closes #12");
    expect(pull!.body).toContain("Added a dark theme flag.");
    expect(pull!.body).toMatch(/\| `theme exists` \| ✅ passed \| \d+s \|/);
    expect(pull!.labels).toEqual(["factory", "automated"]);

    const head = fake.headOf(pull!.head)!;
    expect(fake.filesAt(head).get("theme.ts")?.content).toBe("export const dark = true;\n");
    expect(fake.filesAt(head).get("README.md")?.content).toBe("# widgets\n");
    expect(fake.statuses).toEqual([expect.objectContaining({ sha: head, context: "factory/task", state: "success" })]);
    expect(fake.statuses.map((s) => s.sha)).not.toContain(fake.headOf("main"));

    const progress = fake.comments.filter((c) => c.issue === 12 && c.body.includes(MARKERS.task));
    expect(progress).toHaveLength(1);
    expect(progress[0]!.body).toContain(`#${pull!.number}`);
    expect(problems).toEqual([]);
  });
});
