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
