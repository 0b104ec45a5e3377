import nock from "nock";
import { doctorCommand } from "../../../../src/entry/cli/doctor.js";
import { runVerb } from "../../fixtures/cli.js";
import { allowLoopbackOnly } from "../../../helpers/net.js";

const BASE = "https://gitlab.example.com";
const ENV = { GITLAB_URL: BASE, GITLAB_TOKEN: "glpat-doctor", GITLAB_WEBHOOK_SECRET: "hook-secret" };
const API = "/api/v4";

const doctor = (args: string[] = [], env: NodeJS.ProcessEnv = ENV) => runVerb(doctorCommand, args, env);

function gitlab(
  token: Record<string, unknown> = {},
  projects = [{ path_with_namespace: "acme/widgets" }, { path_with_namespace: "acme/gadgets" }],
) {
  return nock(BASE, { reqheaders: { "private-token": "glpat-doctor" } })
    .get(`${API}/version`)
    .reply(200, { version: "17.5.1-ee", revision: "abc" })
    .get(`${API}/personal_access_tokens/self`)
    .reply(200, {
      id: 1,
      name: "factory-bot",
      scopes: ["api"],
      active: true,
      revoked: false,
      expires_at: "2027-06-01",
      user_id: 99,
      ...token,
    })
    .get(`${API}/user`)
    .reply(200, { id: 99, username: "project_7_bot_1a2b", bot: true })
    .get(`${API}/projects`)
    .query({ min_access_level: "30", simple: "true", archived: "false", per_page: "100" })
    .reply(200, projects);
}

const fileReply = (text: string) => ({
  file_name: "factory.yml",
  content: Buffer.from(text).toString("base64"),
  encoding: "base64",
});

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => allowLoopbackOnly());

describe("factory-bot doctor: GitLab", () => {
  it("passes a working token and lists the projects it can push to", async () => {
    const scope = gitlab();
    const { code, out } = await doctor();
    scope.done();
    expect(out).toContain("GitHub\n  – not configured");
    expect(out).toContain("✓ GITLAB_WEBHOOK_SECRET is set");
    expect(out).toContain("✓ GitLab 17.5.1-ee answers at https://gitlab.example.com");
    expect(out).toContain('✓ the token "factory-bot" has the api scope, expires 2027-06-01');
    expect(out).toContain("✓ the token acts as @project_7_bot_1a2b (a bot user)");
    expect(out).toContain("✓ @project_7_bot_1a2b can push to 2 projects: acme/widgets, acme/gadgets");
    expect(code).toBe(0);
  });

  it("names a token without the api scope, and a user who can push nowhere", async () => {
    const scope = gitlab({ scopes: ["read_api", "read_repository"] }, []);
    const { code, out } = await doctor();
    scope.done();
    expect(out).toContain('✗ the token "factory-bot" has scopes read_api, read_repository, not api');
    expect(out).toContain("✗ @project_7_bot_1a2b is Developer on no project, so the bot can push nowhere");
    expect(code).toBe(1);
  });

  it("explains a rejected token and an instance that does not answer", async () => {
    nock(BASE).get(`${API}/version`).reply(401, { message: "401 Unauthorized" });
    const rejected = await doctor();
    expect(rejected.out).toContain("✗ GitLab rejected GITLAB_TOKEN (401): it is expired, revoked or mistyped");
    expect(rejected.code).toBe(1);

    nock(BASE)
      .get(`${API}/version`)
      .replyWithError(Object.assign(new Error("getaddrinfo ENOTFOUND gitlab.example.com"), { code: "ENOTFOUND" }));
    const unreachable = await doctor(["--project", "acme/widgets"]);
    expect(unreachable.out).toMatch(
      /✗ GitLab does not answer at https:\/\/gitlab\.example\.com: .*ENOTFOUND.*\n {6}fix: check GITLAB_URL/,
    );
    expect(unreachable.out).toContain("not checked: the instance or the token failed (see above)");
  });

  it("says which variable is missing from half a configuration", async () => {
    const { code, out } = await doctor([], { GITLAB_TOKEN: "glpat-doctor" });
    expect(out).toContain("✗ GITLAB_TOKEN is set but GITLAB_WEBHOOK_SECRET is not");
    expect(code).toBe(1);
  });
});

describe("factory-bot doctor --project", () => {
  const project = (accessLevel: number) => ({
    id: 7,
    path_with_namespace: "acme/widgets",
    default_branch: "main",
    permissions: { project_access: { access_level: accessLevel }, group_access: null },
  });

  it("passes a project with a valid config, its label and push rights", async () => {
    const scope = gitlab()
      .get(`${API}/projects/acme%2Fwidgets`)
      .reply(200, project(30))
      .get(`${API}/projects/7/repository/files/.github%2Ffactory.yml`)
      .query({ ref: "main" })
      .reply(404, { message: "404 File Not Found" })
      .get(`${API}/projects/7/repository/files/.gitlab%2Ffactory.yml`)
      .query({ ref: "main" })
      .reply(200, fileReply("agent:\n  command: make fix\n"))
      .get(`${API}/projects/7/labels/factory`)
      .reply(200, { id: 1, name: "factory" })
      .get(`${API}/projects/7/protected_branches`)
      .query({ per_page: "100" })
      .reply(200, [{ name: "main", push_access_levels: [{ access_level: 40 }] }])
      .get(`${API}/projects/7/hooks`)
      .query({ per_page: "100" })
      .reply(403, { message: "403 Forbidden" });
    const { code, out } = await doctor(["--project", "acme/widgets"]);
    scope.done();
    expect(out).toContain("✓ the project's webhooks cannot be listed with this token (Maintainer only)");
    expect(out).toContain("GitLab project acme/widgets");
    expect(out).toContain("✓ acme/widgets: the config is valid (runner: local, trigger label: factory)");
    expect(out).toContain('✓ the trigger label "factory" exists');
    expect(out).toContain("✓ the bot can create and push factory/1-doctor-check (access level 30)");
    expect(code).toBe(0);
  });

  it("names an invalid config, a missing label and the protected branch pattern that blocks the task branch", async () => {
    const scope = gitlab()
      .get(`${API}/projects/acme%2Fwidgets`)
      .reply(200, project(30))
      .get(`${API}/projects/7/repository/files/.github%2Ffactory.yml`)
      .query({ ref: "main" })
      .reply(200, fileReply("agent:\n  command: make fix\nrunner: jenkins\n"))
      .get(`${API}/projects/7/labels/factory`)
      .reply(404, { message: "404 Label Not Found" })
      .get(`${API}/projects/7/protected_branches`)
      .query({ per_page: "100" })
      .reply(200, [{ name: "factory/*", push_access_levels: [{ access_level: 40 }] }])
      .get(`${API}/projects/7/hooks`)
      .query({ per_page: "100" })
      .reply(200, []);
    const { code, out } = await doctor(["--project", "acme/widgets"]);
    scope.done();
    expect(out).toMatch(
      /✗ acme\/widgets: the config is invalid: \.github\/factory\.yml:3:1: `runner` must be one of local, actions, gitlab-ci/,
    );
    expect(out).toContain('✗ the trigger label "factory" does not exist');
    expect(out).toContain("✗ protected branch rules block factory/1-doctor-check: factory/*");
    expect(out).toContain("✗ no project webhook posts to /api/gitlab/webhooks");
    expect(code).toBe(1);
  });

  it("says when the token cannot see the project or is below Developer there", async () => {
    const hidden = gitlab().get(`${API}/projects/acme%2Fsecret`).reply(404, { message: "404 Project Not Found" });
    expect((await doctor(["--project", "acme/secret"])).out).toContain("✗ the token cannot see acme/secret");
    hidden.done();

    const reporter = gitlab()
      .get(`${API}/projects/acme%2Fwidgets`)
      .reply(200, project(20))
      .get(`${API}/projects/7/repository/files/.github%2Ffactory.yml`)
      .query({ ref: "main" })
      .reply(200, fileReply("agent:\n  command: make fix\n"))
      .get(`${API}/projects/7/labels/factory`)
      .reply(200, { id: 1, name: "factory" })
      .get(`${API}/projects/7/hooks`)
      .query({ per_page: "100" })
      .reply(403, { message: "403 Forbidden" });
    const { out } = await doctor(["--project", "acme/widgets"]);
    reporter.done();
    expect(out).toContain("✗ the token's role here is below Developer (access level 20), so it cannot push");
  });

  it("reports a disabled and a temporarily disabled factory-bot hook, and passes an enabled one", async () => {
    const hook = (url: string, alert_status: string, disabled_until: string | null = null) => ({
      id: 1,
      url,
      alert_status,
      disabled_until,
      issues_events: true,
    });
    const scope = gitlab()
      .get(`${API}/projects/acme%2Fwidgets`)
      .reply(200, project(40))
      .get(`${API}/projects/7/repository/files/.github%2Ffactory.yml`)
      .query({ ref: "main" })
      .reply(200, fileReply("agent:\n  command: make fix\n"))
      .get(`${API}/projects/7/labels/factory`)
      .reply(200, { id: 1, name: "factory" })
      .get(`${API}/projects/7/protected_branches`)
      .query({ per_page: "100" })
      .reply(200, [])
      .get(`${API}/projects/7/hooks`)
      .query({ per_page: "100" })
      .reply(200, [
        hook("https://bot.example.com/api/gitlab/webhooks", "disabled"),
        hook("https://bot2.example.com/api/gitlab/webhooks/", "temporarily_disabled", "2026-12-02T04:00:00.000Z"),
        hook("https://bot3.example.com/api/gitlab/webhooks", "executable"),
        hook("https://chat.example.com/hooks/gitlab", "disabled"),
      ]);
    const { code, out } = await doctor(["--project", "acme/widgets"]);
    scope.done();
    expect(out).toContain("✗ the webhook to https://bot.example.com/api/gitlab/webhooks is disabled");
    expect(out).toContain(
      "✗ the webhook to https://bot2.example.com/api/gitlab/webhooks/ is temporarily disabled until 2026-12-02T04:00:00.000Z",
    );
    expect(out).toContain("✓ the webhook to https://bot3.example.com/api/gitlab/webhooks is enabled");
    expect(out).not.toContain("chat.example.com");
    expect(code).toBe(1);
  });
});
