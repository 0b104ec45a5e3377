import type { FactoryOctokit } from "../../github/octokit.js";
import { readAppManifest } from "./doctor/app-manifest.js";
import { githubConfigured, githubSection } from "./doctor/github.js";
import { githubRepoSection } from "./doctor/github-repo.js";
import { gitlabConfigured, gitlabSection } from "./doctor/gitlab.js";
import { fail, failures, renderReport, type Section } from "./doctor/report.js";
import { sandboxSection } from "./doctor/sandbox.js";
import type { CliCommand } from "./types.js";

const USAGE = `Usage: factory-bot doctor [--repo owner/name] [--project group/name]

Checks the bot's set-up with the same environment as the server (APP_ID, PRIVATE_KEY or
PRIVATE_KEY_PATH, WEBHOOK_SECRET, GHE_HOST; GITLAB_URL, GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET;
FACTORY_SANDBOX) and prints one line per check, ✓ or ✗ with how to fix it. Exits 1 when
something is wrong.

GitHub: the private key, the app's authentication (GET /app), its webhook URL and recent
deliveries, each installation's permissions and events against app.yml, and the repositories
each installation can see. GitLab: the instance, the token's api scope, its user, the projects
it can push to. Local runner: whether the bubblewrap sandbox works on this host (a trivial
command is run through it).

Options:
  --repo owner/name      also check a GitHub repository: config, trigger label, branch rules
  --project group/name   also check a GitLab project: config, trigger label, role, protected branches
  -h, --help             show this help
`;

interface DoctorArgs {
  repo?: string;
  project?: string;
}

function parseArgs(args: readonly string[]): DoctorArgs | string {
  const parsed: DoctorArgs = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (flag !== "--repo" && flag !== "--project") return `unknown argument: ${args[i]}`;
    const value = inline ?? args[++i];
    if (!value) return `${flag} needs a value`;
    parsed[flag === "--repo" ? "repo" : "project"] = value;
  }
  return parsed;
}

export interface DoctorDeps {
  /** Tests turn Octokit's throttling and retries off. */
  Octokit?: typeof FactoryOctokit;
}

export function createDoctorCommand(deps: DoctorDeps = {}): CliCommand {
  return async (args, io) => {
    if (args.includes("--help") || args.includes("-h")) {
      io.stdout.write(USAGE);
      return 0;
    }
    const parsed = parseArgs(args);
    if (typeof parsed === "string") {
      io.stderr.write(`factory-bot doctor: ${parsed}\n\n${USAGE}`);
      return 2;
    }
    const sections = [...(await runChecks(io.env, parsed, deps)), await sandboxSection(io.env)];
    io.stdout.write(renderReport(sections));
    return failures(sections) === 0 ? 0 : 1;
  };
}

async function runChecks(env: NodeJS.ProcessEnv, args: DoctorArgs, deps: DoctorDeps): Promise<Section[]> {
  if (!githubConfigured(env) && !gitlabConfigured(env)) {
    return [
      {
        title: "Set-up",
        checks: [
          fail(
            "neither GitHub nor GitLab is configured",
            "set APP_ID, PRIVATE_KEY and WEBHOOK_SECRET (GitHub) and/or GITLAB_TOKEN and GITLAB_WEBHOOK_SECRET (GitLab); README Quick start",
          ),
        ],
      },
    ];
  }
  const github = await githubSection({ env, manifest: readAppManifest(), Octokit: deps.Octokit });
  const sections = [github.section];
  if (args.repo) {
    sections.push(
      github.authenticated
        ? await githubRepoSection({ env, repo: args.repo, Octokit: deps.Octokit })
        : {
            title: `GitHub repository ${args.repo}`,
            checks: [],
            skipped: "not checked: the app could not authenticate (see above)",
          },
    );
  }
  sections.push(...(await gitlabSection(env, args.project)));
  return sections;
}

export const doctorCommand: CliCommand = createDoctorCommand();
