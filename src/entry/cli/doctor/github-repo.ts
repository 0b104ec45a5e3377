import { createProbot } from "probot";
import type { FactoryConfig } from "../../../config/types.js";
import { loadGitHubConfig, CONFIG_PATH } from "../../../github/config.js";
import type { Octokit } from "../../../github/forge.js";
import { FactoryOctokit } from "../../../github/octokit.js";
import { configCheck, sampleTaskBranch } from "./config-checks.js";
import { fail, messageOf, pass, statusOf, type Check, type Section } from "./report.js";

export interface GitHubRepoDoctorOptions {
  env: NodeJS.ProcessEnv;
  repo: string;
  Octokit?: typeof FactoryOctokit;
}

// Ruleset rules that stop the app from creating or pushing to its task branch.
const BLOCKING_RULES: Record<string, string> = {
  creation: "branch creation is restricted",
  update: "updates are restricted",
  pull_request: "changes must come through a pull request",
  required_status_checks: "status checks must pass before a push",
  required_deployments: "deployments must succeed before a push",
};

/** `--repo owner/name`: the config there, the trigger label, and whether the bot can push its branch. */
export async function githubRepoSection(options: GitHubRepoDoctorOptions): Promise<Section> {
  const section: Section = { title: `GitHub repository ${options.repo}`, checks: [] };
  const [owner, name] = options.repo.split("/");
  if (!owner || !name)
    return { ...section, checks: [fail(`"${options.repo}" is not owner/name`, "pass --repo owner/name")] };
  const repo = { owner, repo: name };
  const probot = createProbot({
    env: options.env,
    overrides: { Octokit: options.Octokit ?? FactoryOctokit, logLevel: "fatal" },
  });
  const app = (await probot.auth()) as unknown as Octokit;
  let installation: { id: number; permissions: Record<string, string | undefined> };
  try {
    installation = (await app.rest.apps.getRepoInstallation(repo)).data;
  } catch (error) {
    const check =
      statusOf(error) === 404
        ? fail(
            `the app is not installed on ${options.repo}, or cannot see it`,
            "add the repository to the app's installation (organization settings → GitHub Apps → Configure)",
          )
        : fail(
            `the installation for ${options.repo} cannot be read: ${messageOf(error)}`,
            "run doctor without --repo first",
          );
    return { ...section, checks: [check] };
  }
  section.checks.push(pass(`the app is installed on ${options.repo}`));
  const octokit = (await probot.auth(installation.id)) as unknown as Octokit;
  const { check, config } = configCheck(options.repo, await loadGitHubConfig(octokit, repo), CONFIG_PATH);
  section.checks.push(check);
  section.checks.push(await labelCheck(octokit, repo, config));
  section.checks.push(await branchCheck(octokit, repo, installation.permissions, config));
  return section;
}

async function labelCheck(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  config: FactoryConfig | null,
): Promise<Check> {
  const label = config?.trigger.label ?? "factory";
  try {
    await octokit.rest.issues.getLabel({ ...repo, name: label });
    return pass(`the trigger label "${label}" exists`);
  } catch (error) {
    if (statusOf(error) !== 404)
      return fail(`the label "${label}" cannot be read: ${messageOf(error)}`, "check the app's issues permission");
    return fail(
      `the trigger label "${label}" does not exist`,
      `create it (Issues → Labels → New label, or \`gh label create ${label} -R ${repo.owner}/${repo.repo}\`)`,
    );
  }
}

async function branchCheck(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  permissions: Record<string, string | undefined>,
  config: FactoryConfig | null,
): Promise<Check> {
  if (permissions.contents !== "write") {
    return fail(
      `the installation has contents: ${permissions.contents ?? "none"}, so the bot cannot push its branch`,
      "grant contents: write (app.yml) and accept it on the installation",
    );
  }
  const branch = sampleTaskBranch(config);
  try {
    const { data: rules } = await octokit.rest.repos.getBranchRules({ ...repo, branch, per_page: 100 });
    const blocking = rules.filter((rule) => rule.type in BLOCKING_RULES);
    if (blocking.length === 0)
      return pass(`the bot can create and push ${branch} (contents: write; no ruleset blocks it)`);
    const named = blocking.map(
      (rule) =>
        `${BLOCKING_RULES[rule.type]} (ruleset ${rule.ruleset_id ?? "?"}${rule.ruleset_source ? ` from ${rule.ruleset_source}` : ""})`,
    );
    return fail(
      `rulesets block the bot's branch ${branch}: ${named.join("; ")}`,
      "add the app to those rulesets' bypass list, or exclude the task branches (e.g. factory/**) from them",
    );
  } catch (error) {
    return fail(
      `the rules for ${branch} cannot be read: ${messageOf(error)}`,
      "check the repository's rulesets (Settings → Rules)",
    );
  }
}
