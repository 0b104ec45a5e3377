import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { createDoctorCommand } from "../../../../src/entry/cli/doctor.js";
import { readAppManifest } from "../../../../src/entry/cli/doctor/app-manifest.js";
import { githubApi, type GitHubApi } from "../../../helpers/github-openapi.js";
import { TestOctokit } from "../../../helpers/octokit.js";
import { runVerb } from "../../fixtures/cli.js";
import { allowLoopbackOnly } from "../../../helpers/net.js";

const PRIVATE_KEY = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();
const ENV = { APP_ID: "4242", PRIVATE_KEY, WEBHOOK_SECRET: "secret" };
const manifest = readAppManifest();
const raw = { "content-type": "text/plain; charset=utf-8" };

const doctor = (args: string[] = [], env: NodeJS.ProcessEnv = ENV) =>
  runVerb(createDoctorCommand({ Octokit: TestOctokit }), args, env);

const installation = (overrides: Record<string, unknown> = {}) => ({
  id: 7,
  account: { login: "acme", id: 1, type: "Organization" },
  html_url: "https://github.com/organizations/acme/settings/installations/7",
  repository_selection: "selected",
  permissions: { ...manifest.permissions },
  events: [...manifest.events],
  app_id: 4242,
  target_id: 1,
  target_type: "Organization",
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-01T00:00:00Z",
  single_file_name: null,
  access_tokens_url: "https://api.github.com/app/installations/7/access_tokens",
  repositories_url: "https://api.github.com/installation/repositories",
  app_slug: "factory-bot",
  ...overrides,
});

const delivery = (status_code: number, id = 1) => ({
  id,
  guid: `guid-${id}`,
  delivered_at: "2026-11-21T10:00:00Z",
  redelivery: false,
  duration: 0.3,
  status: status_code === 200 ? "OK" : "Bad Gateway",
  status_code,
  event: "issues",
  action: "labeled",
  installation_id: 7,
  repository_id: 3,
});

function appIsFine(
  api: GitHubApi,
  options: { deliveries?: ReturnType<typeof delivery>[]; url?: string; installations?: unknown[] } = {},
) {
  api.get("/app").reply(200, { id: 4242, slug: "factory-bot", name: "factory-bot" });
  api.get("/app/hook/config").reply(200, {
    url: options.url ?? "https://bot.acme.dev/api/github/webhooks",
    content_type: "json",
    insecure_ssl: "0",
  });
  api.get("/app/hook/deliveries").reply(200, options.deliveries ?? [delivery(200, 1), delivery(200, 2)]);
  api.get("/app/installations").reply(200, options.installations ?? [installation()]);
}

function installationSees(api: GitHubApi, repositories: string[], id = 7) {
  api
    .post(`/app/installations/${id}/access_tokens`)
    .reply(201, { token: "ghs_doctor", expires_at: "2030-01-01T00:00:00Z" });
  const repos = repositories.map((full_name, i) => ({ id: i + 1, name: full_name.split("/")[1], full_name }));
  api.get("/installation/repositories").reply(200, { total_count: repos.length, repositories: repos });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => allowLoopbackOnly());

describe("factory-bot doctor: GitHub", () => {
  it("passes a working set-up and lists what each installation can see", async () => {
    const api = githubApi();
    appIsFine(api);
    installationSees(api, ["acme/widgets", "acme/gadgets"]);
    const { code, out } = await doctor();
    api.done();
    expect(out).toContain("✓ APP_ID is 4242");
    expect(out).toContain("✓ the private key parses (RSA, 2048 bits)");
    expect(out).toContain("✓ WEBHOOK_SECRET is set");
    expect(out).toContain("✓ authenticates as factory-bot (GET /app)");
    expect(out).toContain("✓ webhooks go to https://bot.acme.dev/api/github/webhooks");
    expect(out).toContain("✓ the last 2 webhook deliveries were answered with 2xx");
    expect(out).toContain("✓ acme: every permission and event app.yml asks for is granted");
    expect(out).toContain("✓ acme (selected repositories): 2 repositories: acme/widgets, acme/gadgets");
    expect(out).toContain("GitLab\n  – not configured");
    expect(out).toContain("All checks passed.");
    expect(code).toBe(0);
  });

  it("names a key that does not parse and a missing secret, without calling GitHub", async () => {
    const { code, out } = await doctor([], {
      APP_ID: "4242",
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----",
    });
    expect(out).toMatch(/✗ the private key does not parse: .+\n {6}fix: set PRIVATE_KEY to the whole \.pem/);
    expect(out).toContain("✗ WEBHOOK_SECRET is not set");
    expect(out).toContain("2 problems found.");
    expect(code).toBe(1);
  });

  it("says when there is no private key at all, or APP_ID is not a number", async () => {
    const { code, out } = await doctor([], { APP_ID: "factory", WEBHOOK_SECRET: "s" });
    expect(out).toContain('✗ APP_ID is "factory", not a number');
    expect(out).toContain("✗ no private key: PRIVATE_KEY and PRIVATE_KEY_PATH are unset");
    expect(code).toBe(1);
  });

  it("explains a 401 from GET /app", async () => {
    const api = githubApi();
    api.get("/app").reply(401, {
      message: "A JSON web token could not be decoded",
      documentation_url: "https://docs.github.com/rest",
    });
    const { code, out } = await doctor(["--repo", "acme/widgets"]);
    api.done();
    expect(out).toContain("not checked: the app could not authenticate (see above)");
    expect(out).toContain("✗ GitHub refused the app's credentials (GET /app: 401)");
    expect(out).toContain("fix: APP_ID and PRIVATE_KEY must belong to the same app");
    expect(code).toBe(1);
  });

  it("flags a placeholder webhook URL and failing deliveries", async () => {
    const api = githubApi();
    appIsFine(api, {
      url: "https://example.com/api/github/webhooks",
      deliveries: [delivery(502, 3), delivery(200, 2)],
    });
    installationSees(api, ["acme/widgets"]);
    const { code, out } = await doctor();
    api.done();
    expect(out).toContain("✗ the app's webhook URL is https://example.com/api/github/webhooks");
    expect(out).toContain(
      "✗ 1 of the last 2 webhook deliveries failed; latest: issues at 2026-11-21T10:00:00Z, 502 (Bad Gateway)",
    );
    expect(code).toBe(1);
  });

  it("flags an app installed nowhere", async () => {
    const api = githubApi();
    appIsFine(api, { installations: [] });
    const { code, out } = await doctor();
    api.done();
    expect(out).toContain("✗ the app is installed nowhere");
    expect(code).toBe(1);
  });

  it("names the permissions and events an installation has not granted, and an installation that sees nothing", async () => {
    const api = githubApi();
    const behind = installation({
      permissions: { ...manifest.permissions, actions: "read", statuses: undefined },
      events: manifest.events.filter((e) => e !== "workflow_run"),
    });
    appIsFine(api, { installations: [behind] });
    installationSees(api, []);
    const { code, out } = await doctor();
    api.done();
    expect(out).toContain(
      "✗ acme: missing permissions statuses: write, actions: write (granted: read); events workflow_run",
    );
    expect(out).toContain(
      "fix: update the app's permissions and events to match app.yml, then accept them for acme at https://github.com/organizations/acme/settings/installations/7",
    );
    expect(out).toContain("✗ acme: the installation sees no repository");
    expect(code).toBe(1);
  });
});

describe("factory-bot doctor --repo", () => {
  const REPO = "/repos/acme/widgets";

  function repoInstalled(api: GitHubApi, permissions: Record<string, string> = { ...manifest.permissions }) {
    api.get(`${REPO}/installation`).reply(200, { ...installation(), permissions });
  }

  function setup() {
    const api = githubApi();
    appIsFine(api);
    installationSees(api, ["acme/widgets"]);
    return api;
  }

  it("passes a repository with a valid config, its label and no blocking rules", async () => {
    const api = setup();
    repoInstalled(api);
    api
      .post("/app/installations/7/access_tokens")
      .reply(201, { token: "ghs_repo", expires_at: "2030-01-01T00:00:00Z" });
    api
      .get(`${REPO}/contents/.github%2Ffactory.yml`)
      .reply(200, "agent:\n  command: make fix\ntrigger:\n  label: robot\n", raw);
    api
      .get(`${REPO}/labels/robot`)
      .reply(200, { id: 1, node_id: "L", url: "", name: "robot", description: null, color: "ffffff", default: false });
    api
      .get(`${REPO}/rules/branches/factory%2F1-doctor-check`)
      .reply(200, [
        { type: "non_fast_forward", ruleset_source_type: "Repository", ruleset_source: "acme/widgets", ruleset_id: 3 },
      ]);
    const { code, out } = await doctor(["--repo", "acme/widgets"]);
    api.done();
    expect(out).toContain("GitHub repository acme/widgets");
    expect(out).toContain("✓ acme/widgets: the config is valid (runner: local, trigger label: robot)");
    expect(out).toContain('✓ the trigger label "robot" exists');
    expect(out).toContain("✓ the bot can create and push factory/1-doctor-check");
    expect(code).toBe(0);
  });

  it("names a missing config, a missing label and the rulesets that block the task branch", async () => {
    const api = setup();
    repoInstalled(api);
    api
      .post("/app/installations/7/access_tokens")
      .reply(201, { token: "ghs_repo", expires_at: "2030-01-01T00:00:00Z" });
    api.get(`${REPO}/contents/.github%2Ffactory.yml`).reply(404, { message: "Not Found" });
    api.get("/repos/acme/.github/contents/.github%2Ffactory.yml").reply(404, { message: "Not Found" });
    api.get(`${REPO}/labels/factory`).reply(404, { message: "Not Found" });
    api.get(`${REPO}/rules/branches/factory%2F1-doctor-check`).reply(200, [
      { type: "creation", ruleset_source_type: "Organization", ruleset_source: "acme", ruleset_id: 9 },
      { type: "pull_request", ruleset_source_type: "Repository", ruleset_source: "acme/widgets", ruleset_id: 10 },
    ]);
    const { code, out } = await doctor(["--repo=acme/widgets"]);
    api.done();
    expect(out).toContain("✗ acme/widgets: no .github/factory.yml on the default branch, so tasks are off");
    expect(out).toContain('✗ the trigger label "factory" does not exist');
    expect(out).toContain("fix: create it (Issues → Labels → New label, or `gh label create factory -R acme/widgets`)");
    expect(out).toContain(
      "✗ rulesets block the bot's branch factory/1-doctor-check: branch creation is restricted (ruleset 9 from acme); changes must come through a pull request (ruleset 10 from acme/widgets)",
    );
    expect(code).toBe(1);
  });

  it("says when the app is not installed on the repository, or cannot write its contents", async () => {
    const notInstalled = setup();
    notInstalled.get(`${REPO}/installation`).reply(404, { message: "Not Found" });
    const first = await doctor(["--repo", "acme/widgets"]);
    notInstalled.done();
    expect(first.out).toContain("✗ the app is not installed on acme/widgets, or cannot see it");
    expect(first.code).toBe(1);

    const readOnly = setup();
    repoInstalled(readOnly, { ...manifest.permissions, contents: "read" });
    readOnly
      .post("/app/installations/7/access_tokens")
      .reply(201, { token: "ghs_repo", expires_at: "2030-01-01T00:00:00Z" });
    readOnly.get(`${REPO}/contents/.github%2Ffactory.yml`).reply(200, "agent:\n  command: make fix\n", raw);
    readOnly.get(`${REPO}/labels/factory`).reply(200, {
      id: 1,
      node_id: "L",
      url: "",
      name: "factory",
      description: null,
      color: "ffffff",
      default: false,
    });
    const second = await doctor(["--repo", "acme/widgets"]);
    readOnly.done();
    expect(second.out).toContain("✗ the installation has contents: read, so the bot cannot push its branch");
  });

  it("refuses arguments it does not know with the usage", async () => {
    expect((await doctor(["--repository", "x"])).code).toBe(2);
    expect((await doctor([], {})).out).toContain("✗ neither GitHub nor GitLab is configured");
  });
});
