import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import nock from "nock";
import {
  formatProblem,
  loadConfigChain,
  parseExtendsTarget,
  MAX_EXTENDS_CHAIN,
  NotAConfigFile,
  resolveConfig,
  type ConfigFileRef,
  type ConfigLoadResult,
} from "../../src/config/index.js";
import { validateCommand } from "../../src/entry/cli/validate.js";
import { createGitLabApi } from "../../src/gitlab/client.js";
import { GitLabForge } from "../../src/gitlab/forge.js";
import { GitHubForge } from "../../src/github/forge.js";
import { githubApi } from "../helpers/github-openapi.js";
import { allowLoopbackOnly } from "../helpers/net.js";
import { testOctokit } from "../helpers/octokit.js";

const PATH = ".github/factory.yml";
const repo = { owner: "acme", repo: "widgets" };

/** A fake forge's files, keyed `owner/repo:path`; records each read. */
function files(map: Record<string, string>) {
  const reads: string[] = [];
  const read = async (file: ConfigFileRef) => {
    const key = `${file.owner}/${file.repo}:${file.path}`;
    reads.push(key);
    return map[key] ?? null;
  };
  return { read, reads };
}

const problems = (result: ConfigLoadResult) => (result.status === "invalid" ? result.problems.map(formatProblem) : []);

describe("loadConfigChain", () => {
  test("the repository's file, then its `_extends` bases in order, each read once", async () => {
    const { read, reads } = files({
      "acme/widgets:.github/factory.yml": "_extends: shared\nagent:\n  timeout_seconds: 60\n",
      "acme/shared:.github/factory.yml": "_extends: other/base:ci/factory.yaml\nagent:\n  command: droid exec\n",
      "other/base:ci/factory.yaml": "ci:\n  comments: factory\nagent:\n  timeout_seconds: 900\n",
    });
    const result = await loadConfigChain(repo, PATH, read);
    expect(result).toMatchObject({
      status: "ok",
      files: [PATH, "acme/shared:.github/factory.yml", "other/base:ci/factory.yaml"],
      config: { agent: { command: "droid exec", timeout_seconds: 60 }, ci: { comments: "factory" } },
    });
    expect(reads).toEqual([
      "acme/widgets:.github/factory.yml",
      "acme/shared:.github/factory.yml",
      "other/base:ci/factory.yaml",
    ]);
  });

  test("no file in the repository: the organization's .github repository, as Probot does", async () => {
    const { read, reads } = files({ "acme/.github:.github/factory.yml": "agent:\n  command: make\n" });
    expect(await loadConfigChain(repo, PATH, read)).toMatchObject({
      status: "ok",
      files: ["acme/.github:.github/factory.yml"],
    });
    expect(reads).toEqual(["acme/widgets:.github/factory.yml", "acme/.github:.github/factory.yml"]);
    const none = files({});
    expect(await loadConfigChain({ owner: "acme", repo: ".github" }, PATH, none.read)).toEqual({ status: "missing" });
    expect(none.reads).toEqual(["acme/.github:.github/factory.yml"]);
  });

  test("a base that does not exist is a problem at the `_extends` line, not a silent default", async () => {
    const { read } = files({ "acme/widgets:.github/factory.yml": "agent:\n  command: make\n_extends: gone\n" });
    expect(problems(await loadConfigChain(repo, PATH, read))).toEqual([
      ".github/factory.yml:3:1: `_extends` names acme/gone:.github/factory.yml, which does not exist (or the app cannot read it) on that repository's default branch",
    ]);
  });

  test("a loop is named where it closes", async () => {
    const { read, reads } = files({
      "acme/widgets:.github/factory.yml": "_extends: a\n",
      "acme/a:.github/factory.yml": "# a\n_extends: widgets\n",
    });
    expect(problems(await loadConfigChain(repo, PATH, read))).toEqual([
      "acme/a:.github/factory.yml:2:1: `_extends` leads back to .github/factory.yml, which this config already includes",
    ]);
    expect(reads).toHaveLength(2);
  });

  test(`a chain longer than ${MAX_EXTENDS_CHAIN} files stops`, async () => {
    const map: Record<string, string> = { "acme/widgets:.github/factory.yml": "_extends: r0\n" };
    for (let i = 0; i < 20; i++) map[`acme/r${i}:.github/factory.yml`] = `_extends: r${i + 1}\n`;
    const { read, reads } = files(map);
    expect(problems(await loadConfigChain(repo, PATH, read))[0]).toContain(
      `chains more than ${MAX_EXTENDS_CHAIN} files`,
    );
    expect(reads).toHaveLength(MAX_EXTENDS_CHAIN);
  });

  test("a directory at the path is a problem; other read failures propagate", async () => {
    const directory = async () => {
      throw new NotAConfigFile("dir");
    };
    expect(problems(await loadConfigChain(repo, PATH, directory))).toEqual([
      ".github/factory.yml: .github/factory.yml is a directory or a submodule here, not a config file",
    ]);
    const down = async () => {
      throw new Error("502");
    };
    await expect(loadConfigChain(repo, PATH, down)).rejects.toThrow("502");
  });

  test("a YAML error stops the chain before any base is read", async () => {
    const { read, reads } = files({ "acme/widgets:.github/factory.yml": "_extends: shared\nagent: [\n" });
    expect(problems(await loadConfigChain(repo, PATH, read))[0]).toMatch(
      /^\.github\/factory\.yml:\d+:\d+: YAML syntax error/,
    );
    expect(reads).toHaveLength(1);
  });
});

/**
 * One parser everywhere: every config fixture gets the same verdict, with the same located problems,
 * from `factory-bot validate`, from the GitHub server path (the contents API, mocked) and from the
 * GitLab server path (the raw files API, mocked).
 */
describe("the same verdict from the CLI and both servers", () => {
  const fixtures = new URL("../fixtures/config/", import.meta.url);
  const cases = ["valid", "invalid"].flatMap((kind) =>
    readdirSync(new URL(`${kind}/`, fixtures))
      .filter((name) => name.endsWith(".yml"))
      .sort()
      .map((name) => [`${kind}/${name}`, readFileSync(new URL(`${kind}/${name}`, fixtures), "utf8")] as const),
  );
  const GITLAB = "https://gitlab.example.com";

  beforeAll(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  afterAll(() => allowLoopbackOnly());

  async function viaCli(text: string): Promise<string[]> {
    let out = "";
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    const checkout = mkdtempSync(join(tmpdir(), "factory-parity-"));
    try {
      mkdirSync(join(checkout, ".github"));
      writeFileSync(join(checkout, PATH), text);
      const io = { stdin: Readable.from([]), stdout: sink, stderr: sink, cwd: checkout, env: {} };
      const code = await validateCommand([], io);
      return [String(code), ...out.trimEnd().split("\n")];
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  }

  function verdict(result: ConfigLoadResult): string[] {
    return result.status === "ok" ? ["0", `${PATH}: valid`] : ["1", ...problems(result)];
  }

  async function viaGitHub(text: string): Promise<ConfigLoadResult> {
    const raw = { "content-type": "text/plain; charset=utf-8" };
    const api = githubApi();
    api.get("/repos/acme/widgets/contents/.github%2Ffactory.yml").reply(200, text, raw);
    // The server follows `_extends` (the CLI checks one file): an empty base leaves the verdict to this file.
    const extended = /^_extends:\s*(\S+)\s*$/m.exec(text)?.[1];
    const base = extended === undefined ? null : parseExtendsTarget(extended, { owner: "acme", path: PATH });
    if (base !== null) {
      api
        .get(`/repos/${base.owner}/${base.repo}/contents/${encodeURIComponent(base.path)}`)
        .reply(200, "# base\n", raw);
    }
    const forge = new GitHubForge(
      testOctokit(),
      { owner: "acme", name: "widgets", htmlUrl: "https://github.com/acme/widgets" },
      "factory-bot[bot]",
    );
    return forge.loadConfig();
  }

  async function viaGitLab(text: string): Promise<ConfigLoadResult> {
    nock(GITLAB)
      .get("/api/v4/projects/7/repository/files/.github%2Ffactory.yml/raw")
      .query({ ref: "main" })
      .reply(200, text, { "content-type": "text/plain; charset=utf-8" });
    const api = createGitLabApi({ url: GITLAB, token: "glpat-test" });
    const project = {
      id: 7,
      pathWithNamespace: "acme/widgets",
      webUrl: `${GITLAB}/acme/widgets`,
      defaultBranch: "main",
    };
    return new GitLabForge(api, project, { id: 99, username: "factory-bot" }).loadConfig();
  }

  test("every fixture is a case", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  test.each(cases)("%s", async (name, text) => {
    const cli = await viaCli(text);
    expect(cli[0]).toBe(name.startsWith("valid/") ? "0" : "1");
    expect(verdict(await viaGitHub(text))).toEqual(cli);
    expect(verdict(await viaGitLab(text))).toEqual(cli);
    expect(verdict(resolveConfig([{ file: PATH, text }]))).toEqual(cli);
    expect(nock.pendingMocks()).toEqual([]);
  });
});
