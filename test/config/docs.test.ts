import { readFileSync } from "node:fs";
import {
  END_MARKER,
  REFERENCE_PAGE,
  START_MARKER,
  renderConfigReference,
  replaceConfigReference,
} from "../../scripts/config-docs.js";
import { configSchema } from "../../src/config/index.js";

const page = readFileSync(new URL(`../../${REFERENCE_PAGE}`, import.meta.url), "utf8");

describe("configuration reference", () => {
  test("docs/configuration.md matches the schema (run `npm run docs` after changing src/config/schema.json)", () => {
    expect(replaceConfigReference(page, renderConfigReference())).toBe(page);
  });

  test("has a row for every key, with its enum values and default", () => {
    const reference = renderConfigReference();
    for (const key of [
      "trigger.min_permission",
      "tests[].paths",
      "pull_request.reviewers[].teams",
      "ci.fix_attempts",
    ]) {
      expect(reference).toContain(`| \`${key}\` |`);
    }
    expect(reference).toMatch(/\| `runner` \| string \| `local` \| `local`, `actions`, `gitlab-ci` \|/);
    expect(reference).toMatch(/\| `tests\[\]\.command` \| string \| required \|/);
  });

  test("follows the schema: a changed description shows up", () => {
    const changed = structuredClone(configSchema);
    changed.properties!.runner!.description = "Somewhere else entirely.";
    expect(renderConfigReference(changed)).toContain("Somewhere else entirely.");
    expect(replaceConfigReference(page, renderConfigReference(changed))).not.toBe(page);
  });

  test("replaces only the text between the markers", () => {
    const text = `# Title\n${START_MARKER}\nold\n${END_MARKER}\nfooter\n`;
    expect(replaceConfigReference(text, "new")).toBe(`# Title\n${START_MARKER}\nnew\n${END_MARKER}\nfooter\n`);
  });

  test("refuses a page without the markers rather than losing the reference", () => {
    expect(() => replaceConfigReference("# Title\n", "new")).toThrow(START_MARKER);
  });
});
