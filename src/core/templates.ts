/** `{number}`, `{title}`, `{slug}` templates for branch names and titles (docs/configuration.md). */
export interface TemplateValues {
  number: number;
  title: string;
}

const MAX_SLUG_LENGTH = 40;

// Letters NFKD does not decompose into ASCII.
const TRANSLITERATIONS: Record<string, string> = {
  ß: "ss",
  æ: "ae",
  Æ: "ae",
  œ: "oe",
  Œ: "oe",
  ø: "o",
  Ø: "o",
  ł: "l",
  Ł: "l",
  đ: "d",
  Đ: "d",
  ð: "d",
  þ: "th",
  ı: "i",
};

export function slugify(title: string): string {
  const ascii = [...title.normalize("NFKD")]
    .map((ch) => TRANSLITERATIONS[ch] ?? ch)
    .join("")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
  const dashed = ascii.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (dashed.length <= MAX_SLUG_LENGTH) return dashed;
  const cut = dashed.slice(0, MAX_SLUG_LENGTH);
  const lastDash = cut.lastIndexOf("-");
  return (lastDash > 0 ? cut.slice(0, lastDash) : cut).replace(/-+$/g, "");
}

export function renderTemplate(template: string, values: TemplateValues): string {
  return template.replace(/\{(number|title|slug)\}/g, (_, key: string) => {
    if (key === "number") return String(values.number);
    if (key === "title") return values.title;
    return slugify(values.title);
  });
}

const MAX_REF_COMPONENT = 100;

/**
 * `pull_request.branch` rendered into a ref that `git check-ref-format` accepts and that is inert
 * in a shell: `{title}` is issue text, so every character outside `[A-Za-z0-9._/-]` (spaces, `$(`,
 * backticks, `~^:?*[\`, `@{`, control characters) becomes `-`, and the component rules follow
 * (no `..`, no leading `.` or `-`, no trailing `.lock`, `.` or `/`, no empty component).
 */
export function renderBranchName(template: string, values: TemplateValues): string {
  const components = renderTemplate(template, values)
    .replace(/[^A-Za-z0-9._/-]+/g, "-")
    .replace(/\.{2,}/g, ".")
    .split("/")
    .map((part) =>
      part
        .slice(0, MAX_REF_COMPONENT)
        .replace(/-{2,}/g, "-")
        .replace(/^[.-]+/, "")
        .replace(/(\.lock)+$/i, "")
        .replace(/[.-]+$/, ""),
    )
    .filter((part) => part.length > 0);
  return components.length > 0 ? components.join("/") : `factory/${values.number}`;
}
