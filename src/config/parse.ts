import * as jsYaml from "js-yaml";
import { CORE_SCHEMA, YAMLException, load, type Type } from "js-yaml";
import { MAX_DEPTH, MAX_VALUES, copyWithinBounds, type BoundsViolation } from "./bounded-value.js";
import { kindOf } from "./describe.js";
import { isMapping } from "./key-path.js";
import { NodeLimitExceeded, createNodeRecorder, locateKeys, type KeyLocations } from "./locations.js";
import { problemAt } from "./problems.js";
import type { ConfigProblem } from "./types.js";

/** Config files are a few KiB; anything this large is a mistake or an attack, refused unparsed. */
export const MAX_CONFIG_BYTES = 256 * 1024;

/** The one size rule for every forge's config file (a GitHub loader checks it before parsing too). */
export function sizeProblem(bytes: number, file: string): ConfigProblem | null {
  if (bytes <= MAX_CONFIG_BYTES) return null;
  const size = Math.ceil(bytes / 1024);
  return problemAt(file, undefined, "", `the file is ${size} KiB; config files may be at most 256 KiB`);
}

/**
 * js-yaml composes up to three nodes per value (it tries a value as a mapping key first), so
 * this cap on parser nodes still means more than MAX_VALUES values when it trips.
 */
const MAX_PARSER_NODES = 3 * MAX_VALUES;

const TOO_MANY_VALUES =
  `the file holds more than ${MAX_VALUES} values, counting every value an alias ` +
  `(\`*name\`) repeats; a factory config needs far fewer`;

/**
 * YAML 1.2 core types plus merge keys (`<<: *defaults`), which config authors use. Not js-yaml's
 * default schema: its timestamps would turn a branch named `2024-01-01` into a Date.
 */
const YAML_TYPES = CORE_SCHEMA.extend({ implicit: [mergeKeyType()] });

/** js-yaml exports its merge type, but @types/js-yaml does not declare `types`. */
function mergeKeyType(): Type {
  return (jsYaml as unknown as { types: { merge: Type } }).types.merge;
}

/** One parsed config file: its top-level mapping and where each key is written. */
export interface ConfigDocument {
  file: string;
  value: Record<string, unknown>;
  locations: KeyLocations;
}

export type ParsedConfigText =
  { status: "ok"; document: ConfigDocument } | { status: "invalid"; problems: ConfigProblem[] };

/** Parses one config file's text; an empty file is `{}`. Never throws for bad input. */
export function parseConfigText(text: string, file: string): ParsedConfigText {
  const tooLarge = sizeProblem(Buffer.byteLength(text, "utf8"), file);
  if (tooLarge) return invalid(tooLarge);
  // js-yaml drops a byte order mark itself; dropping it here keeps its offsets equal to ours.
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const recorder = createNodeRecorder(MAX_PARSER_NODES);
  let loaded: unknown;
  try {
    loaded = load(source, { schema: YAML_TYPES, listener: recorder.listener, filename: file });
  } catch (error) {
    return invalid(loadFailure(error, file));
  }
  const copied = copyWithinBounds(loaded ?? {});
  if (!copied.ok) return invalid(problemAt(file, undefined, "", boundsMessage(copied.violation)));
  const locations = locateKeys(recorder.documentNode(), source);
  if (!isMapping(copied.value)) {
    const message = `the top level must be a mapping of keys such as \`trigger:\` and \`agent:\`, not ${kindOf(copied.value)}`;
    return invalid(problemAt(file, locations.get(""), "", message));
  }
  return { status: "ok", document: { file, value: copied.value, locations } };
}

function invalid(problem: ConfigProblem): ParsedConfigText {
  return { status: "invalid", problems: [problem] };
}

function loadFailure(error: unknown, file: string): ConfigProblem {
  if (error instanceof NodeLimitExceeded) return problemAt(file, undefined, "", TOO_MANY_VALUES);
  if (error instanceof YAMLException) {
    // js-yaml counts lines and columns from 0.
    const position = { line: error.mark.line + 1, column: error.mark.column + 1 };
    return problemAt(file, position, "", `YAML syntax error: ${error.reason}`);
  }
  return problemAt(file, undefined, "", `could not read the YAML: ${String(error)}`);
}

function boundsMessage(violation: BoundsViolation): string {
  return violation === "too-many-values"
    ? TOO_MANY_VALUES
    : `values are nested more than ${MAX_DEPTH} levels deep (through aliases); a factory config needs far fewer`;
}
