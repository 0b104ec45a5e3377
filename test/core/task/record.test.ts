import { longestRunMs } from "../../../src/core/task/record.js";
import { makeConfig } from "../../helpers/config.js";

const test600 = { name: "unit", command: "npm test", path: ".", timeout_seconds: 600, paths: ["**"] };

test("a task may take every run's agent and tests, but never more than its budget", () => {
  const agent = (max_iterations: number, max_minutes: number) =>
    makeConfig({ agent: { timeout_seconds: 600, max_iterations, max_minutes }, tests: [test600] });
  // One run: 10 minutes of agent and 10 of tests.
  expect(longestRunMs(agent(1, 60))).toBe(20 * 60_000);
  // Three runs would take an hour, and may: the budget is 90 minutes.
  expect(longestRunMs(agent(3, 90))).toBe(60 * 60_000);
  // Three runs within a 45-minute budget cannot take longer than 45 minutes.
  expect(longestRunMs(agent(3, 45))).toBe(45 * 60_000);
});
