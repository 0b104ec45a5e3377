import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";

/** The parts of JSON Schema that `schema.json` uses, for code that reads the schema itself. */
export interface SchemaNode {
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  items?: SchemaNode;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  uniqueItems?: boolean;
  $defs?: Record<string, SchemaNode>;
}

// Read at run time rather than imported: the build copies schema.json next to this module, and
// the same file ships in the package for editors.
export const configSchema: SchemaNode = JSON.parse(
  readFileSync(new URL("./schema.json", import.meta.url), "utf8"),
) as SchemaNode;

/** Compiled once; `useDefaults` fills every missing key with its default while it validates. */
export const validateAgainstSchema = new Ajv2020({ allErrors: true, useDefaults: true, verbose: true }).compile(
  configSchema,
);

/** What each pattern in `$defs` means, in words, for messages and the generated docs. */
export const patternMeanings: Readonly<Record<string, string>> = {
  extendsTarget: "`repo`, `owner/repo` or `owner/repo:path/to/file.yml`",
  template: "text with the placeholders {number}, {title} and {slug} only",
  workflowFile: "a file name in `.github/workflows` ending in `.yml` or `.yaml`",
  envName: "a variable name: letters, digits and `_`, not starting with a digit",
};

/** The definition a `$ref` points to, with the referring node's own keywords on top. */
export function resolveRef(node: SchemaNode): SchemaNode {
  const name = node.$ref?.replace("#/$defs/", "");
  const target = name === undefined ? undefined : configSchema.$defs?.[name];
  if (target === undefined) return node;
  const { $ref: _ref, ...own } = node;
  return { ...target, ...own };
}

/** `#/$defs/template/pattern` -> `template`, for looking up `patternMeanings`. */
export function definitionName(schemaPath: string): string | undefined {
  return /^#\/\$defs\/([^/]+)\//.exec(schemaPath)?.[1];
}
