import { renderTemplate, slugify } from "../../src/core/templates.js";

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
