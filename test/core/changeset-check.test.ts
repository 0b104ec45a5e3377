import { checkChangeSet } from "../../src/core/changeset-check.js";

const BASE = "c".repeat(40);
const token = "glpat-" + "A1b2C3d4E5f6G7h8I9j0";

function json(overrides: object = {}): string {
  return JSON.stringify({
    version: 1,
    base_sha: BASE,
    files: [{ path: "a.ts", action: "create", mode: "100644", encoding: "utf8", content: "x" }],
    summary: "",
    tests: [{ name: "unit", command: "npm test", exit_code: 0, duration_ms: 5, output_tail: "" }],
    agent: { exit_code: 0, timed_out: false, duration_ms: 7, output_tail: "" },
    ...overrides,
  });
}

const iterations = {
  max_iterations: 3,
  max_minutes: 60,
  stopped: "passed",
  published_run: 2,
  runs: [
    {
      iteration: 1,
      agent: { exit_code: 0, timed_out: false, duration_ms: 7, output_tail: "" },
      changed: true,
      tests: [{ name: "unit", command: "npm test", exit_code: 1, duration_ms: 5, output_tail: `denied ${token}` }],
    },
    {
      iteration: 2,
      agent: { exit_code: 0, timed_out: false, duration_ms: 7, output_tail: "" },
      changed: true,
      tests: [{ name: "unit", command: "npm test", exit_code: 0, duration_ms: 5, output_tail: "" }],
    },
  ],
};

test("a version 1 ChangeSet from a runner without iterations is still accepted, without them", () => {
  const result = checkChangeSet(json());
  if (!result.ok) throw new Error(result.problem);
  expect(result.changeSet.iterations).toBeUndefined();
  expect(result.changeSet.files).toHaveLength(1);
});

test("the iterations a runner recorded are kept, their output tails redacted", () => {
  const result = checkChangeSet(json({ iterations }));
  if (!result.ok) throw new Error(result.problem);
  expect(result.changeSet.iterations).toMatchObject({
    max_iterations: 3,
    max_minutes: 60,
    stopped: "passed",
    published_run: 2,
    runs: [{ iteration: 1, changed: true }, { iteration: 2 }],
  });
  expect(JSON.stringify(result.changeSet)).not.toContain(token);
  expect(result.changeSet.iterations?.runs[0]?.tests[0]?.output_tail).toBe("denied [REDACTED]");
});

test("malformed iterations are dropped, not trusted, and do not cost a usable ChangeSet", () => {
  for (const bad of [[], "3 runs", { ...iterations, stopped: "bored" }, { ...iterations, runs: "many" }]) {
    const result = checkChangeSet(json({ iterations: bad }));
    expect(result.ok && result.changeSet.iterations).toBeUndefined();
  }
});

test("an artifact cannot make the bot keep unbounded runs", () => {
  const runs = Array.from({ length: 500 }, (_, i) => ({ ...iterations.runs[0], iteration: i + 1 }));
  const result = checkChangeSet(json({ iterations: { ...iterations, runs, published_run: -4 } }));
  if (!result.ok) throw new Error(result.problem);
  expect(result.changeSet.iterations?.runs).toHaveLength(20);
  expect(result.changeSet.iterations?.published_run).toBe(0);
});

test("an unknown version is refused with the one it expects", () => {
  expect(checkChangeSet(json({ version: 2 }))).toEqual({
    ok: false,
    problem: "version 2 is not supported (expected 1)",
  });
});
