import { readFileSync } from "node:fs";

/**
 * No Docker engine (or hadolint) runs in CI, so the Dockerfile is checked as text: the contract the
 * docs promise (agent build argument, bubblewrap, tini) and the hadolint rules that apply to it.
 */
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

interface Instruction {
  keyword: string;
  args: string;
  /** hadolint rules ignored by a `# hadolint ignore=` comment right above. */
  ignored: string[];
}

/** Instructions with their continuation lines joined; comments dropped but ignore pragmas kept. */
function parse(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: string[] = [];
  let current: string | undefined;
  for (const line of text.split("\n")) {
    const pragma = /^#\s*hadolint ignore=(.+)$/.exec(line.trim());
    if (current === undefined && pragma) pending = pragma[1]!.split(",").map((rule) => rule.trim());
    if (current === undefined && (line.trim() === "" || line.trim().startsWith("#"))) continue;
    current = current === undefined ? line.trim() : `${current} ${line.trim()}`;
    if (current.endsWith("\\")) {
      current = current.slice(0, -1).trimEnd();
      continue;
    }
    const [keyword, ...rest] = current.split(/\s+/);
    instructions.push({ keyword: keyword!.toUpperCase(), args: rest.join(" "), ignored: pending });
    current = undefined;
    pending = [];
  }
  return instructions;
}

const instructions = parse(read("Dockerfile"));
const lastStage = instructions.slice(instructions.map((i) => i.keyword).lastIndexOf("FROM"));
const runs = instructions.filter((i) => i.keyword === "RUN");

describe("Dockerfile", () => {
  test("the runtime installs bubblewrap, git, tini and certificates, without recommends, and drops the apt lists (DL3009, DL3015)", () => {
    const apt = lastStage.find((i) => i.keyword === "RUN" && i.args.includes("apt-get install"))!;
    for (const pkg of ["bubblewrap", "ca-certificates", "git", "tini"]) expect(apt.args.split(/\s+/)).toContain(pkg);
    expect(apt.args).toContain("--no-install-recommends");
    expect(apt.args).toMatch(/apt-get update && .*rm -rf \/var\/lib\/apt\/lists\/\*/);
    expect(runs.filter((r) => r.args.includes("apt-get install"))).toHaveLength(1);
  });

  test("AGENT_NPM_PACKAGES is a runtime build argument that the install script reads, as root, before USER node", () => {
    const keywords = lastStage.map((i) => `${i.keyword} ${i.args}`);
    const arg = keywords.findIndex((k) => /^ARG AGENT_NPM_PACKAGES(=|$)/.test(k));
    const install = keywords.findIndex((k) => k === "RUN install-agent-packages");
    const user = keywords.findIndex((k) => k === "USER node");
    expect(arg).toBeGreaterThan(-1);
    expect(install).toBeGreaterThan(arg);
    expect(user).toBeGreaterThan(install);
    expect(keywords).toContain("COPY docker/install-agent-packages.sh /usr/local/bin/install-agent-packages");
    expect(read(".dockerignore")).toContain("!docker/install-agent-packages.sh");
  });

  test("tini is the entrypoint and the server runs in exec form (DL3025); no doc advises a second init", () => {
    const last = (keyword: string) => lastStage.filter((i) => i.keyword === keyword).at(-1)?.args;
    expect(last("ENTRYPOINT")).toBe('["/usr/bin/tini", "--"]');
    expect(JSON.parse(last("CMD")!)).toEqual(["node", "dist/src/entry/server.js"]);
    for (const page of ["Dockerfile", "README.md", "docs/deployment.md"]) {
      for (const line of read(page)
        .split("\n")
        .filter((l) => l.includes("--init"))) {
        expect(`${page}: ${line}`).toMatch(/do not add|not `docker run --init`|already tini/i);
      }
    }
  });

  test("runs as a non-root user (DL3002) and keeps secrets out of build arguments and ENV", () => {
    expect(lastStage.filter((i) => i.keyword === "USER").at(-1)?.args).toBe("node");
    for (const i of instructions.filter((i) => i.keyword === "ARG" || i.keyword === "ENV")) {
      expect(i.args).not.toMatch(/SECRET|PRIVATE_KEY|TOKEN|API_KEY/);
    }
  });

  test("follows hadolint's rules for images and shells", () => {
    for (const from of instructions.filter((i) => i.keyword === "FROM")) {
      expect(from.args).toMatch(/^\S+:\S+/); // DL3006: a tag
      expect(from.args).not.toMatch(/:latest\b/); // DL3007
    }
    expect(instructions.map((i) => i.keyword)).not.toContain("ADD"); // DL3020
    expect(instructions.map((i) => i.keyword)).not.toContain("MAINTAINER"); // DL4000
    for (const run of runs) {
      expect(run.args).not.toMatch(/(^|&&|;)\s*cd\s/); // DL3003: WORKDIR instead
      expect(run.args).not.toMatch(/(^|&&|;)\s*(sudo|apt)\s/); // DL3004, DL3027
      expect(run.args).not.toMatch(/[^|]\|[^|]/); // DL4006: no pipes without pipefail
      expect(run.args).not.toMatch(/npm (i|install)\s/); // DL3016: npm ci from the lockfile only
      expect(run.args).not.toMatch(/(curl|wget)\s/); // DL4001 and nothing fetched outside a package manager
    }
    const ignored = instructions.flatMap((i) => i.ignored);
    expect(ignored).toEqual(["DL3008"]); // apt versions follow the base image's Debian release
    expect(instructions.find((i) => i.ignored.length > 0)?.args).toContain("apt-get install");
  });

  test("no two RUN instructions in a row (DL3059)", () => {
    const keywords = instructions.map((i) => i.keyword);
    expect(keywords.some((k, n) => k === "RUN" && keywords[n + 1] === "RUN")).toBe(false);
  });
});
