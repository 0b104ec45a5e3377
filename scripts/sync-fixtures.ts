/**
 * The real fixtures live in ../shared/fixtures (beside this repository); tests read copies kept in
 * the repository so a fork's CI works without ../shared. `npm run fixtures:sync` refreshes the
 * copies; `--check` (run by .ci/run) fails when they differ from ../shared.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PAIRS = [
  { from: join(root, "../shared/fixtures/ci-logs"), to: join(root, "test/fixtures/ci-logs") },
  { from: join(root, "../shared/fixtures/gitlab-webhooks"), to: join(root, "test/gitlab/fixtures") },
];

const check = process.argv.includes("--check");
let differences = 0;
for (const { from, to } of PAIRS) {
  if (!existsSync(from)) {
    console.error(`${from} is missing: nothing to ${check ? "check" : "copy"} against.`);
    process.exit(check ? 1 : 0);
  }
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const source = readFileSync(join(from, name));
    const target = join(to, name);
    const same = existsSync(target) && readFileSync(target).equals(source);
    if (same) continue;
    differences++;
    if (check) console.error(`${target} differs from ${join(from, name)}: run npm run fixtures:sync`);
    else writeFileSync(target, source);
  }
}
if (check && differences > 0) process.exit(1);
console.log(check ? "fixtures match ../shared" : `fixtures synced (${differences} file(s) updated)`);
