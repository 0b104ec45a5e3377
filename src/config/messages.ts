import type { ErrorObject } from "ajv/dist/2020.js";
import { formatKeyPath, keyPathFromPointer, type KeyPath } from "./key-path.js";
import { kindOf } from "./describe.js";
import { definitionName, patternMeanings, type SchemaNode } from "./schema.js";

/** A problem found in the merged config value, before it is traced back to a file. */
export interface KeyIssue {
  path: KeyPath;
  message: string;
}

const TEMPLATE_PLACEHOLDERS = ["number", "title", "slug"];

/** Turns ajv's errors (compiled with `verbose`) into messages for the person editing the file. */
export function issuesFromAjv(errors: readonly ErrorObject[], root: unknown): KeyIssue[] {
  return errors.flatMap((error) => {
    // ajv reports a bad map key twice: once as `propertyNames`, once with the inner reason.
    if (error.keyword === "propertyNames") return [];
    const path = keyPathFromPointer(error.instancePath, root);
    return [describe(error, path)];
  });
}

function describe(error: ErrorObject, path: KeyPath): KeyIssue {
  const subject = `\`${formatKeyPath(path)}\``;
  const params = error.params as Record<string, unknown>;
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  switch (error.keyword) {
    case "additionalProperties":
      return unknownKey(path, String(params.additionalProperty), Object.keys(parent.properties ?? {}));
    case "required":
      return missingKey(path, String(params.missingProperty), parent.required ?? []);
    case "type":
      return {
        path,
        message:
          `${subject} must be ${expectedTypes(params.type)}, not ` +
          `${kindOf(error.data)}${typeHint(params.type, error.data)}`,
      };
    case "enum":
      return { path, message: `${subject} must be one of ${listOf(params.allowedValues)}; got ${kindOf(error.data)}` };
    case "pattern":
      return patternMismatch(error, path);
    default:
      return { path, message: `${subject} ${limitMessage(error.keyword, params, error.data) ?? error.message}` };
  }
}

function unknownKey(path: KeyPath, key: string, allowed: string[]): KeyIssue {
  const where = path.length === 0 ? "at the top level" : `under \`${formatKeyPath(path)}\``;
  const guess = closestKey(key, allowed);
  const hint = guess === undefined ? "" : ` (did you mean \`${guess}\`?)`;
  return { path: [...path, key], message: `unknown key \`${key}\` ${where}${hint}; allowed: ${allowed.join(", ")}` };
}

function missingKey(path: KeyPath, key: string, required: string[]): KeyIssue {
  const where = path.length === 0 ? "at the top level" : `in \`${formatKeyPath(path)}\``;
  return {
    path: [...path, key],
    message: `missing required key \`${key}\` ${where} (required: ${required.join(", ")})`,
  };
}

function patternMismatch(error: ErrorObject, path: KeyPath): KeyIssue {
  const definition = definitionName(error.schemaPath) ?? "";
  const meaning = patternMeanings[definition] ?? `text matching ${String(error.params.pattern)}`;
  if (error.propertyName !== undefined) {
    const message = `key \`${error.propertyName}\` under \`${formatKeyPath(path)}\` must be ${meaning}`;
    return { path: [...path, error.propertyName], message };
  }
  const subject = `\`${formatKeyPath(path)}\``;
  if (definition === "template") return { path, message: `${subject} ${templateFault(String(error.data))}` };
  return { path, message: `${subject} must be ${meaning}; got ${kindOf(error.data)}` };
}

/** Names the offending placeholder, which is what the author has to change. */
function templateFault(template: string): string {
  const allowed = TEMPLATE_PLACEHOLDERS.map((name) => `{${name}}`).join(", ");
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)].find(
    (match) => !TEMPLATE_PLACEHOLDERS.includes(match[1] ?? ""),
  );
  if (unknown !== undefined) return `uses unknown placeholder \`${unknown[0]}\`; templates may use only ${allowed}`;
  return `has a \`{\` or \`}\` that is not part of a placeholder; templates may use only ${allowed}`;
}

function limitMessage(keyword: string, params: Record<string, unknown>, data: unknown): string | undefined {
  const limit = Number(params.limit);
  switch (keyword) {
    case "minimum":
      return `must be at least ${limit}; got ${String(data)}`;
    case "maximum":
      return `must be at most ${limit}; got ${String(data)}`;
    case "minLength":
      return limit === 1 ? "must not be empty" : `must be at least ${limit} characters long`;
    case "maxLength":
      return `must be at most ${limit} characters long; got ${String(data).length}`;
    case "minItems":
      return `must list at least ${limit} ${limit === 1 ? "item" : "items"}`;
    case "uniqueItems":
      return `lists the same value twice (items ${String(params.j)} and ${String(params.i)})`;
    default:
      return undefined;
  }
}

const TYPE_WORDS: Record<string, string> = {
  boolean: "true or false",
  integer: "a whole number",
  number: "a number",
  string: "a string",
  array: "a list",
  object: "a mapping",
  null: "empty (null)",
};

function expectedTypes(types: unknown): string {
  return typeNames(types)
    .map((name) => TYPE_WORDS[name] ?? name)
    .join(" or ");
}

function typeNames(types: unknown): string[] {
  return Array.isArray(types) ? types.map(String) : String(types).split(",");
}

/** The two YAML slips behind most type errors: an unquoted number, a section left empty. */
function typeHint(types: unknown, data: unknown): string {
  const expected = typeNames(types);
  if (expected.includes("string") && (typeof data === "number" || typeof data === "boolean")) {
    return `; quote it to make it text: "${String(data)}"`;
  }
  if (expected.includes("object") && data === null) return "; indent its keys under it, or remove the line";
  return "";
}

function listOf(values: unknown): string {
  return Array.isArray(values) ? values.map(String).join(", ") : String(values);
}

/** Suggests an allowed key a typo or two away; short keys get no guess, as any key is close to them. */
function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const tolerance = Math.min(2, Math.floor(key.length / 3));
  if (key.length > 64) return undefined;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= tolerance && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
