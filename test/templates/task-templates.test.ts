import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { TASK_RUN_NAME, taskRunInputs } from "../../src/core/task/ci-runner.js";
import { TASK_ARTIFACT } from "../../src/github/forge.js";
import { taskRunVariables } from "../../src/gitlab/forge.js";
import { makeConfig } from "../helpers/config.js";

const read = (path: string) =>
  yaml.load(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The template's install line: factory-bot from FACTORY_BOT_PACKAGE, production dependencies only, then run. */
function expectProductionInstall(script: string): void {
  const install = script.split("\n").find((line) => /\bnpm (install|i|exec)\b|\bnpx\b/.test(line));
  expect(install?.trim()).toBe('npm install --global --omit=dev --no-audit --no-fund -- "$FACTORY_BOT_PACKAGE"');
  expect(script.indexOf("factory-bot task")).toBeGreaterThan(script.indexOf(install!));
}

const task = {
  repoFullName: "acme/widgets",
  issue: { number: 12, title: "-- looks like an option", body: "b", url: "u" },
  branch: "factory/12-x",
  base: "main",
  baseSha: "b".repeat(40),
  attempt: 2,
  config: makeConfig(),
};

describe("templates/github/factory-task.yml", () => {
  const workflow = read("templates/github/factory-task.yml");
  const steps = workflow.jobs.task.steps as Array<{ run?: string; with?: Record<string, string> }>;

  it("declares every input the bot dispatches (the body excepted: the job reads the issue)", () => {
    const planned = { ...task, config: makeConfig({ plan: { required: true } }), mode: "plan" as const };
    const { body: _body, ...dispatched } = taskRunInputs(planned);
    expect(Object.keys(workflow.on.workflow_dispatch.inputs).sort()).toEqual(Object.keys(dispatched).sort());
  });

  it("sends the plan inputs only with plan.required, so workflows copied before plans keep working", () => {
    expect(Object.keys(taskRunInputs(task))).not.toContain("mode");
    expect(Object.keys(taskRunInputs(task))).not.toContain("plan");
  });

  it("names its runs the way the bot recognises them", () => {
    const name = (workflow["run-name"] as string)
      .replace("${{ inputs.issue }}", "12")
      .replace("${{ inputs.attempt }}", "2");
    expect(TASK_RUN_NAME.exec(name)?.slice(1)).toEqual(["12", "2"]);
  });

  it("installs the pinned factory-bot with production dependencies only before running it", () => {
    expectProductionInstall(steps.map((s) => s.run ?? "").join("\n"));
  });

  it("uploads the artifact the bot downloads", () => {
    expect(steps.find((s) => s.with?.name)?.with?.name).toBe(TASK_ARTIFACT);
  });

  it("never splices an expression into a shell script, and never runs the unpinned npm name", () => {
    for (const step of steps.filter((s) => s.run)) {
      expect(step.run).not.toMatch(/\$\{\{/);
      expect(step.run).not.toMatch(/npx (--yes )?factory-bot/);
    }
  });
});

describe("templates/gitlab/factory-task.gitlab-ci.yml", () => {
  const job = read("templates/gitlab/factory-task.gitlab-ci.yml")["factory-task"];

  it("reads every variable the bot sets on the pipeline", () => {
    const script = (job.script as string[]).join("\n");
    for (const variable of taskRunVariables(taskRunInputs(task)).map((v) => v.key)) {
      expect(script).toContain(`$${variable}`);
    }
  });

  it("installs the pinned factory-bot with production dependencies only before running it", () => {
    expectProductionInstall((job.script as string[]).join("\n"));
  });

  it("keeps changeset.json as the artifact and runs only for task pipelines", () => {
    expect(job.artifacts.paths).toEqual(["changeset.json"]);
    expect(job.rules).toEqual([{ if: "$FACTORY_TASK_ISSUE" }]);
  });
});
