import { MARKERS } from "../../src/core/markers.js";
import { allowExactly } from "../helpers/allow.js";
import { ITERATING_AGENT_COMMAND, ITERATING_FILES, ITERATING_TEST_COMMAND } from "../helpers/e2e-task.js";
import { labeledPayload, startGitHubE2E, type GitHubE2E } from "../helpers/github-e2e.js";

describe("GitHub end to end: the agent fixes its failing test on its second run", () => {
  let e2e: GitHubE2E;

  beforeAll(async () => {
    e2e = await startGitHubE2E(ITERATING_FILES, {
      FACTORY_ALLOWED_COMMANDS: allowExactly(ITERATING_AGENT_COMMAND, ITERATING_TEST_COMMAND),
    });
  });

  afterAll(async () => {
    await e2e?.stop();
  });

  it("opens one PR with run 2's state, says it took 2 runs, and the agent saw the failure on run 2", async () => {
    const { fake, server } = e2e;
    expect((await e2e.deliver("issues", labeledPayload(fake), "iterate-1")).status).toBe(200);
    await server.jobs.drain();

    expect(fake.pulls).toHaveLength(1);
    const body = fake.pulls[0]!.body;
    expect(body).toContain("Fixed the answer after reading the failing test.");
    expect(body).toContain("It took 2 agent runs (at most 3, `agent.max_iterations`); the tests passed after run 2.");
    expect(body).toMatch(/\| `answer` \| ✅ passed \| \d+s \|/);
    expect(body).toMatch(
      /<details><summary>Run 1: 1 of 1 test failed<\/summary>\n\n[^]*\| `answer` \| ❌ failed \(exit 1\)/,
    );

    const files = fake.filesAt(fake.headOf(fake.pulls[0]!.head)!);
    const text = (path: string) => files.get(path)?.content;
    expect(text("answer.txt")).toBe("answer=42\n");
    expect(text("seen/env-1.txt")).toBe(
      "FACTORY_ITERATION=1\nFACTORY_MODE=implement\nFACTORY_TEST_FAILURE_FILE set: \n",
    );
    expect(text("seen/env-2.txt")).toBe(
      "FACTORY_ITERATION=2\nFACTORY_MODE=implement\nFACTORY_TEST_FAILURE_FILE set: yes\n",
    );
    expect(text("seen/failure-2.md")).toContain("# Failing tests after run 1 of 3");
    expect(text("seen/failure-2.md")).toContain(`- command: \`${ITERATING_TEST_COMMAND}\``);
    expect(text("seen/failure-2.md")).toContain("- result: exit code 1");
    expect(text("seen/failure-2.md")).toContain("AssertionError: expected answer=42, got answer=41");
    expect(fake.statuses).toEqual([expect.objectContaining({ context: "factory/task", state: "success" })]);

    // The progress comment showed each step, and ends with the outcome.
    const edits = fake.requests
      .filter((r) => r.method === "PATCH" && r.path.includes("/issues/comments/"))
      .map((r) => (r.body as { body: string }).body);
    for (const step of ["run 1 of 3: tests", "run 2 of 3: agent", "run 2 of 3: tests"]) {
      expect(edits.some((edit) => edit.includes(step))).toBe(true);
    }
    const progress = fake.comments.filter((c) => c.issue === 12 && c.body.includes(MARKERS.task));
    expect(progress).toHaveLength(1);
    expect(progress[0]!.body).toContain("It took 2 agent runs");
    expect(e2e.problems).toEqual([]);
  });
});
