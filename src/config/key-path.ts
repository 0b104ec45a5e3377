/** A location inside a config value: mapping keys and list indexes, outermost first. */
export type KeyPath = ReadonlyArray<string | number>;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `["tests", 1, "command"]` -> `tests[1].command`; odd keys are quoted so the path stays unambiguous. */
export function formatKeyPath(path: KeyPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (!PLAIN_KEY.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/** Turns ajv's JSON Pointer into a KeyPath, telling list indexes from keys by looking at `root`. */
export function keyPathFromPointer(pointer: string, root: unknown): KeyPath {
  if (pointer === "") return [];
  const path: Array<string | number> = [];
  let node = root;
  for (const token of pointer.slice(1).split("/")) {
    const key = token.replace(/~1/g, "/").replace(/~0/g, "~");
    const segment = Array.isArray(node) ? Number(key) : key;
    path.push(segment);
    node = childOf(node, segment);
  }
  return path;
}

/** The value at `segment` of a mapping or list, or undefined when there is none. */
export function childOf(node: unknown, segment: string | number): unknown {
  if (!hasChild(node, segment)) return undefined;
  return Array.isArray(node) ? node[segment as number] : (node as Record<string, unknown>)[segment];
}

function hasChild(node: unknown, segment: string | number): boolean {
  if (Array.isArray(node)) return typeof segment === "number" && segment >= 0 && segment < node.length;
  return isMapping(node) && typeof segment === "string" && Object.hasOwn(node, segment);
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `path` leads to a value (possibly null) inside `root`. */
export function hasKeyPath(root: unknown, path: KeyPath): boolean {
  let node = root;
  for (const segment of path) {
    if (!hasChild(node, segment)) return false;
    node = childOf(node, segment);
  }
  return true;
}

/** The value `path` leads to inside `root`, or undefined. */
export function valueAtPath(root: unknown, path: KeyPath): unknown {
  let node = root;
  for (const segment of path) node = childOf(node, segment);
  return node;
}
