/**
 * Generates the configuration reference in docs/configuration.md from src/config/schema.json, so the two cannot
 * disagree (test/config/docs.test.ts fails when they do). Run with `npm run docs`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { dump } from "js-yaml";
import { defaultConfig } from "../src/config/defaults.js";
import { configSchema, patternMeanings, resolveRef, type SchemaNode } from "../src/config/schema.js";

export const START_MARKER = "<!-- config-reference:start -->";
export const END_MARKER = "<!-- config-reference:end -->";
/** The page that holds the reference, relative to the repository root. */
export const REFERENCE_PAGE = "docs/configuration.md";

interface ReferenceRow {
  key: string;
  node: SchemaNode;
  required: boolean;
}

/** The Markdown that goes between the markers of docs/configuration.md. */
export function renderConfigReference(schema: SchemaNode = configSchema): string {
  const header = ["| Key | Type | Default | Allowed | Description |", "|---|---|---|---|---|"];
  const table = referenceRows(schema, "").map(renderRow);
  return [
    "<!-- Generated from src/config/schema.json by `npm run docs`: edit the schema, not this section. -->",
    "",
    `\`.github/factory.yml\` (on GitLab also \`.gitlab/factory.yml\`). ${schema.description ?? ""}`,
    "Check a file with `npx factory-bot validate [file]` in the factory-bot checkout.",
    "",
    ...header,
    ...table,
    "",
    "A file with every default (tasks stay off until `agent.command` is set):",
    "",
    "```yaml",
    dump(defaultConfig(), { lineWidth: -1 }).trimEnd(),
    "```",
  ].join("\n");
}

/** `page` with the text between the markers replaced by `reference`. */
export function replaceConfigReference(page: string, reference: string): string {
  const start = page.indexOf(START_MARKER);
  const end = page.indexOf(END_MARKER);
  if (start === -1 || end < start)
    throw new Error(`${REFERENCE_PAGE} needs the lines ${START_MARKER} and ${END_MARKER}`);
  return `${page.slice(0, start + START_MARKER.length)}\n${reference}\n${page.slice(end)}`;
}

function referenceRows(node: SchemaNode, prefix: string): ReferenceRow[] {
  return Object.entries(node.properties ?? {}).flatMap(([name, raw]) => {
    const child = resolveRef(raw);
    const key = prefix === "" ? name : `${prefix}.${name}`;
    const row = { key, node: child, required: node.required?.includes(name) ?? false };
    return [row, ...nestedRows(child, key)];
  });
}

/** Rows for a section's keys, or for the keys of each item of a list of mappings (`tests[].name`). */
function nestedRows(node: SchemaNode, key: string): ReferenceRow[] {
  if (node.properties !== undefined) return referenceRows(node, key);
  const items = node.items === undefined ? undefined : resolveRef(node.items);
  return items?.properties === undefined ? [] : referenceRows(items, `${key}[]`);
}

function renderRow({ key, node, required }: ReferenceRow): string {
  const cells = [code(key), typeText(node), defaultText(node, required), allowedText(node), node.description ?? ""];
  return `| ${cells.map(cell).join(" | ")} |`;
}

function typeText(node: SchemaNode): string {
  if (node.enum !== undefined) return "string";
  const types = Array.isArray(node.type) ? node.type : [node.type ?? "any"];
  return types.map((type) => typeWord(type, node)).join(" or ");
}

function typeWord(type: string, node: SchemaNode): string {
  if (type === "array") {
    const items = node.items === undefined ? {} : resolveRef(node.items);
    return items.properties === undefined ? `list of ${typeText(items)}s` : "list of mappings";
  }
  if (type === "object")
    return typeof node.additionalProperties === "object"
      ? `mapping of names to ${typeText(node.additionalProperties)}s`
      : "mapping";
  return type;
}

function defaultText(node: SchemaNode, required: boolean): string {
  if (required) return "required";
  if (node.default === undefined || node.properties !== undefined) return "";
  return code(typeof node.default === "string" ? node.default : JSON.stringify(node.default));
}

function allowedText(node: SchemaNode): string {
  const items = node.items === undefined ? undefined : resolveRef(node.items);
  return [
    node.enum?.map((value) => code(String(value))).join(", "),
    rangeText(node),
    node.minLength === 1 && node.pattern === undefined ? "not empty" : undefined,
    node.maxLength === undefined ? undefined : `at most ${node.maxLength} characters`,
    node.pattern === undefined ? undefined : (patternMeanings[patternDefinition(node) ?? ""] ?? code(node.pattern)),
    node.minItems === undefined ? undefined : `at least ${node.minItems} item`,
    node.uniqueItems === true ? "no duplicates" : undefined,
    typeof node.propertyNames === "object" ? `names: ${allowedText(resolveRef(node.propertyNames))}` : undefined,
    items?.pattern === undefined ? undefined : `items: ${allowedText(items)}`,
  ]
    .filter((part): part is string => part !== undefined && part !== "")
    .join("; ");
}

function rangeText(node: SchemaNode): string | undefined {
  if (node.minimum !== undefined && node.maximum !== undefined) return `${node.minimum} to ${node.maximum}`;
  if (node.minimum !== undefined) return `at least ${node.minimum}`;
  return node.maximum === undefined ? undefined : `at most ${node.maximum}`;
}

/** `resolveRef` drops `$ref`; find the definition by its pattern instead. */
function patternDefinition(node: SchemaNode): string | undefined {
  return Object.entries(configSchema.$defs ?? {}).find(([, definition]) => definition.pattern === node.pattern)?.[0];
}

function code(text: string): string {
  return `\`${text}\``;
}

/** Table cells are one line, and `|` would end the cell. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
}

function main(): void {
  const pageUrl = new URL(`../${REFERENCE_PAGE}`, import.meta.url);
  const page = readFileSync(pageUrl, "utf8");
  const updated = replaceConfigReference(page, renderConfigReference());
  if (updated === page) {
    process.stdout.write(`${REFERENCE_PAGE}: configuration reference already up to date\n`);
    return;
  }
  writeFileSync(pageUrl, updated);
  process.stdout.write(`${REFERENCE_PAGE}: configuration reference updated\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
