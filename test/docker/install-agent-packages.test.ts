import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * docker/install-agent-packages.sh is what the Dockerfile's AGENT_NPM_PACKAGES build argument runs.
 * There is no Docker engine here, so it runs as the image would run it, against a global prefix in
 * a temporary folder and a local package tarball (no registry).
 */
const run = promisify(execFile);
const script = fileURLToPath(new URL("../../docker/install-agent-packages.sh", import.meta.url));

let folder: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "factory-agent-packages-"));
  const pkg = join(folder, "hello-agent");
  mkdirSync(join(pkg, "bin"), { recursive: true });
  writeFileSync(
    join(pkg, "package.json"),
    JSON.stringify({ name: "hello-agent", version: "1.2.3", bin: { "hello-agent": "bin/cli.js" } }),
  );
  writeFileSync(join(pkg, "bin", "cli.js"), "#!/usr/bin/env node\nconsole.log('agent ' + process.argv[2]);\n");
  await run("npm", ["pack", "--silent", "--pack-destination", folder], { cwd: pkg });
  env = {
    PATH: process.env.PATH,
    HOME: folder,
    npm_config_prefix: join(folder, "global"),
    npm_config_cache: join(folder, "cache"),
    npm_config_offline: "true",
  };
}, 60_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function install(packages: string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("sh", [script], {
      env: packages === undefined ? env : { ...env, AGENT_NPM_PACKAGES: packages },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

test("installs the listed packages globally, so their commands are on PATH", async () => {
  const tarball = join(
    folder,
    readdirSync(folder).find((f) => f.endsWith(".tgz"))!,
  );
  const result = await install(` ${tarball} `);
  expect(result).toMatchObject({ code: 0 });
  expect(result.stdout).toContain(`installed ${tarball}`);
  const { stdout } = await run(join(folder, "global", "bin", "hello-agent"), ["ready"]);
  expect(stdout).toBe("agent ready\n");
}, 60_000);

test.each([[undefined], [""], ["  "]])("AGENT_NPM_PACKAGES=%j installs nothing and succeeds", async (packages) => {
  const result = await install(packages);
  expect(result).toMatchObject({ code: 0 });
  expect(result.stdout).toContain("no agent CLI installed");
});

test.each([
  ["--registry=https://evil.example", "is an option"],
  ["left-pad;id", "is not an npm package spec"],
  ["$(id)", "is not an npm package spec"],
  ["a`id`", "is not an npm package spec"],
  ["*", "is not an npm package spec"],
])("refuses %j before running npm", async (packages, message) => {
  const result = await install(`@factory/cli@0.225.1 ${packages}`);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(message);
  expect(existsSync(join(folder, "global", "lib", "node_modules", "@factory"))).toBe(false);
});
