import type { EventType, State } from "js-yaml";
import { formatKeyPath, isMapping, type KeyPath } from "./key-path.js";

/** 1-based line and column, as editors count them. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Formatted key path (`tests[1].command`) -> where that key or list item is written. */
export type KeyLocations = ReadonlyMap<string, SourcePosition>;

/** One node js-yaml composed: where it started and what it became. */
interface NodeFrame {
  start: number;
  value: unknown;
  children: NodeFrame[];
}

/** Thrown from the listener to stop js-yaml when a file has more nodes than any config needs. */
export class NodeLimitExceeded extends Error {}

/**
 * js-yaml keeps no positions in its result, but its `listener` hook sees every node open and
 * close; nesting those events rebuilds the node tree with each node's start offset.
 */
export function createNodeRecorder(maxNodes: number) {
  const top: NodeFrame = { start: 0, value: undefined, children: [] };
  const open: NodeFrame[] = [top];
  let nodes = 0;
  function listener(event: EventType, state: State): void {
    if (event === "close") {
      const closing = open.pop();
      if (closing !== undefined) closing.value = state.result;
      return;
    }
    nodes += 1;
    if (nodes > maxNodes) throw new NodeLimitExceeded(`more than ${maxNodes} nodes`);
    const frame: NodeFrame = { start: state.position, value: undefined, children: [] };
    (open[open.length - 1] ?? top).children.push(frame);
    open.push(frame);
  }
  return { listener, documentNode: (): NodeFrame | undefined => top.children[0] };
}

/** Where every key path of the document is written in `text`. */
export function locateKeys(documentNode: NodeFrame | undefined, text: string): KeyLocations {
  const offsets = new Map<string, number>();
  if (documentNode !== undefined) collect({ text, offsets }, documentNode, [], documentNode.start);
  const lines = lineStarts(text);
  return new Map([...offsets].map(([key, offset]) => [key, positionOf(lines, offset)]));
}

interface Collector {
  text: string;
  offsets: Map<string, number>;
}

function collect(into: Collector, frame: NodeFrame, path: KeyPath, start: number): void {
  into.offsets.set(formatKeyPath(path), skipBlank(into.text, start));
  if (Array.isArray(frame.value)) collectItems(into, frame, frame.value, path);
  else if (isMapping(frame.value)) collectEntries(into, frame, frame.value, path);
}

/**
 * Children are matched to the result by identity rather than by count: js-yaml sometimes
 * composes a node it then discards or wraps, which leaves extra frames.
 */
function collectItems(into: Collector, frame: NodeFrame, items: unknown[], path: KeyPath): void {
  let cursor = 0;
  items.forEach((item, index) => {
    const found = indexOfValue(frame.children, item, cursor);
    const child = frame.children[found];
    if (child === undefined) return;
    cursor = found + 1;
    collect(into, child, [...path, index], child.start);
  });
}

/** Searches from `from` on, so matching a whole list stays linear in its length. */
function indexOfValue(frames: readonly NodeFrame[], value: unknown, from: number): number {
  for (let at = from; at < frames.length; at += 1) {
    if (Object.is(frames[at]?.value, value)) return at;
  }
  return -1;
}

/** A mapping's children come as key node, value node; keys merged in with `<<` have none. */
function collectEntries(into: Collector, frame: NodeFrame, mapping: Record<string, unknown>, path: KeyPath): void {
  const located = new Set<string>();
  const children = frame.children;
  for (let at = 0; at < children.length; at += 1) {
    const key = keyOf(children[at]);
    const valueFrame = children[at + 1];
    if (key === null || located.has(key) || !Object.hasOwn(mapping, key)) continue;
    if (valueFrame === undefined || !Object.is(valueFrame.value, mapping[key])) continue;
    located.add(key);
    collect(into, valueFrame, [...path, key], children[at]?.start ?? valueFrame.start);
    at += 1;
  }
}

function keyOf(frame: NodeFrame | undefined): string | null {
  const value = frame?.value;
  const scalar = value === null || ["string", "number", "boolean"].includes(typeof value);
  return scalar ? String(value) : null;
}

/** Moves past spaces, line breaks and comments to where the node's own text begins. */
function skipBlank(text: string, offset: number): number {
  let at = offset;
  while (at < text.length) {
    const char = text[at];
    if (char === "#") {
      while (at < text.length && text[at] !== "\n" && text[at] !== "\r") at += 1;
    } else if (char === " " || char === "\t" || char === "\n" || char === "\r") {
      at += 1;
    } else {
      break;
    }
  }
  return Math.min(at, Math.max(text.length - 1, 0));
}

/** Offsets where lines begin; a line ends at LF, CRLF or a lone CR, as in YAML. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (char === "\n" || (char === "\r" && text[at + 1] !== "\n")) starts.push(at + 1);
  }
  return starts;
}

export function positionOf(lines: readonly number[], offset: number): SourcePosition {
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((lines[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (lines[low] ?? 0) + 1 };
}
