import { createPrivateKey } from "node:crypto";
import { getPrivateKey } from "@probot/get-private-key";
import { createProbot, type Probot } from "probot";
import { FactoryOctokit } from "../../../github/octokit.js";

// A checklist answers at once: an unreachable host is reported, not retried for seconds.
const DoctorOctokit = FactoryOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
}));
import type { Octokit } from "../../../github/forge.js";
import { missingEvents, missingPermissions, type AppManifest } from "./app-manifest.js";
import { fail, listSome, messageOf, pass, statusOf, type Check, type Section } from "./report.js";

export interface GitHubDoctorOptions {
  env: NodeJS.ProcessEnv;
  manifest: AppManifest;
  /** Tests turn throttling and retries off. */
  Octokit?: typeof FactoryOctokit;
}

interface Installation {
  id: number;
  account: { login?: string } | null;
  html_url: string;
  repository_selection: string;
  permissions: Record<string, string | undefined>;
  events: string[];
}

export function githubConfigured(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.APP_ID || env.PRIVATE_KEY || env.PRIVATE_KEY_PATH || env.WEBHOOK_SECRET);
}

export interface GitHubReport {
  section: Section;
  /** GET /app succeeded: repository checks can run. */
  authenticated: boolean;
}

/** The checks a "Test connection" button would make: credentials, the app, its installations. */
export async function githubSection(options: GitHubDoctorOptions): Promise<GitHubReport> {
  const { env } = options;
  const section: Section = { title: "GitHub", checks: [] };
  if (!githubConfigured(env))
    return {
      section: { ...section, skipped: "not configured (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET are unset)" },
      authenticated: false,
    };
  const checks = section.checks;
  checks.push(
    env.APP_ID && /^\d+$/.test(env.APP_ID)
      ? pass(`APP_ID is ${env.APP_ID}`)
      : fail(
          `APP_ID is ${env.APP_ID ? `"${env.APP_ID}", not a number` : "not set"}`,
          "set it to the App ID shown on the app's settings page (General → About)",
        ),
  );
  const key = privateKeyCheck(env);
  checks.push(key);
  checks.push(
    env.WEBHOOK_SECRET
      ? pass("WEBHOOK_SECRET is set")
      : fail(
          "WEBHOOK_SECRET is not set (the server refuses to start without it)",
          "set it to the app's webhook secret (app settings → General → Webhook secret)",
        ),
  );
  if (!key.ok || !checks[0]!.ok) return { section, authenticated: false };

  const probot = createProbot({ env, overrides: { Octokit: options.Octokit ?? DoctorOctokit, logLevel: "fatal" } });
  const app = await authenticate(probot, checks);
  if (!app) return { section, authenticated: false };
  await webhookChecks(app, checks);
  await installationChecks(probot, app, options.manifest, checks);
  return { section, authenticated: true };
}

function privateKeyCheck(env: NodeJS.ProcessEnv): Check {
  const fix =
    "set PRIVATE_KEY to the whole .pem file downloaded from the app's settings (BEGIN/END lines included; \\n escapes work), or PRIVATE_KEY_PATH to its path";
  let pem: string | null;
  try {
    pem = getPrivateKey({ env });
  } catch (error) {
    return fail(`the private key cannot be read: ${messageOf(error)}`, fix);
  }
  if (!pem) return fail("no private key: PRIVATE_KEY and PRIVATE_KEY_PATH are unset", fix);
  try {
    const key = createPrivateKey(pem);
    const bits = key.asymmetricKeyDetails?.modulusLength;
    return pass(`the private key parses (${key.asymmetricKeyType?.toUpperCase()}${bits ? `, ${bits} bits` : ""})`);
  } catch (error) {
    return fail(`the private key does not parse: ${messageOf(error)}`, fix);
  }
}

async function authenticate(probot: Probot, checks: Check[]): Promise<Octokit | null> {
  const app = (await probot.auth()) as unknown as Octokit;
  try {
    const { data } = await app.rest.apps.getAuthenticated();
    checks.push(pass(`authenticates as ${data?.slug ?? data?.name} (GET /app)`));
    return app;
  } catch (error) {
    const status = statusOf(error);
    checks.push(
      status === 401
        ? fail(
            "GitHub refused the app's credentials (GET /app: 401)",
            "APP_ID and PRIVATE_KEY must belong to the same app (generate a new key on its settings page), and this machine's clock must be right",
          )
        : fail(
            `GET /app failed: ${messageOf(error)}`,
            "check the network and, for GitHub Enterprise Server, GHE_HOST and GHE_PROTOCOL",
          ),
    );
    return null;
  }
}

/** Where GitHub sends webhooks, and whether its last deliveries got through: "webhooks are not arriving". */
async function webhookChecks(app: Octokit, checks: Check[]): Promise<void> {
  try {
    const { data: config } = await app.rest.apps.getWebhookConfigForApp();
    const url = config.url ?? "";
    if (!url || new URL(url).hostname === "example.com") {
      checks.push(
        fail(
          `the app's webhook URL is ${url ? url : "empty"}`,
          "set it (app settings → General → Webhook URL) to https://<your server>/api/github/webhooks",
        ),
      );
    } else checks.push(pass(`webhooks go to ${url}`));
    const { data: deliveries } = await app.rest.apps.listWebhookDeliveries({ per_page: 10 });
    checks.push(recentDeliveriesCheck(deliveries));
  } catch (error) {
    checks.push(
      fail(
        `the app's webhook settings cannot be read: ${messageOf(error)}`,
        "check the app's settings page (General → Webhook)",
      ),
    );
  }
}

function recentDeliveriesCheck(
  deliveries: Array<{ status_code: number; status: string; event: string; delivered_at: string }>,
): Check {
  if (deliveries.length === 0) return pass("no webhook deliveries yet (label an issue to send one)");
  const failed = deliveries.filter((d) => d.status_code < 200 || d.status_code >= 300);
  if (failed.length === 0) return pass(`the last ${deliveries.length} webhook deliveries were answered with 2xx`);
  const latest = failed[0]!;
  return fail(
    `${failed.length} of the last ${deliveries.length} webhook deliveries failed; latest: ${latest.event} at ${latest.delivered_at}, ${latest.status_code || "no answer"} (${latest.status})`,
    "app settings → Advanced → Recent Deliveries shows each answer; see docs/troubleshooting.md (webhooks are not arriving)",
  );
}

async function installationChecks(probot: Probot, app: Octokit, manifest: AppManifest, checks: Check[]): Promise<void> {
  const installations = (await app.paginate(app.rest.apps.listInstallations, { per_page: 100 })) as Installation[];
  if (installations.length === 0) {
    checks.push(
      fail("the app is installed nowhere", "install it on your organization or account: app settings → Install App"),
    );
    return;
  }
  for (const installation of installations) {
    const who = installation.account?.login ?? `installation ${installation.id}`;
    checks.push(grantCheck(who, installation, manifest));
    checks.push(await repositoriesCheck(probot, who, installation));
  }
}

function grantCheck(who: string, installation: Installation, manifest: AppManifest): Check {
  const permissions = missingPermissions(manifest.permissions, installation.permissions);
  const events = missingEvents(manifest.events, installation.events);
  if (permissions.length === 0 && events.length === 0)
    return pass(`${who}: every permission and event app.yml asks for is granted`);
  const missing = [
    permissions.length ? `permissions ${permissions.join(", ")}` : "",
    events.length ? `events ${events.join(", ")}` : "",
  ].filter(Boolean);
  return fail(
    `${who}: missing ${missing.join("; ")}`,
    `update the app's permissions and events to match app.yml, then accept them for ${who} at ${installation.html_url}`,
  );
}

async function repositoriesCheck(probot: Probot, who: string, installation: Installation): Promise<Check> {
  try {
    const octokit = (await probot.auth(installation.id)) as unknown as Octokit;
    const { data } = await octokit.rest.apps.listReposAccessibleToInstallation({ per_page: 100 });
    const names = data.repositories.map((r) => r.full_name);
    if (data.total_count === 0)
      return fail(`${who}: the installation sees no repository`, `choose repositories at ${installation.html_url}`);
    const scope = installation.repository_selection === "all" ? "all repositories" : "selected repositories";
    return pass(
      `${who} (${scope}): ${data.total_count} ${data.total_count === 1 ? "repository" : "repositories"}: ${listSome(names)}`,
    );
  } catch (error) {
    return fail(
      `${who}: the installation's repositories cannot be listed: ${messageOf(error)}`,
      `check the installation at ${installation.html_url}`,
    );
  }
}
