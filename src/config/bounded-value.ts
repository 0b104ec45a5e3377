import { isMapping } from "./key-path.js";

/**
 * A factory config has a few hundred values. YAML aliases let a small file describe a huge or
 * cyclic graph ("billion laughs"), which js-yaml builds cheaply by reference but which would
 * explode when copied, merged or validated; these bounds stop that before anything walks it.
 */
export const MAX_VALUES = 20_000;
export const MAX_DEPTH = 64;

export type BoundsViolation = "too-many-values" | "too-deep";
export type BoundedCopy = { ok: true; value: unknown } | { ok: false; violation: BoundsViolation };

/** Copies `value` into independent plain data, unless it is larger or deeper than the bounds. */
export function copyWithinBounds(value: unknown): BoundedCopy {
  const violation = measure(value);
  return violation === null ? { ok: true, value: copyPlain(value) } : { ok: false, violation };
}

/** Iterative, and counts children before queueing them, so its own work is bounded too. */
function measure(root: unknown): BoundsViolation | null {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: root, depth: 0 }];
  let counted = 1;
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const children = childrenOf(item.node);
    if (children.length === 0) continue;
    if (item.depth + 1 > MAX_DEPTH) return "too-deep";
    counted += children.length;
    if (counted > MAX_VALUES) return "too-many-values";
    for (const node of children) pending.push({ node, depth: item.depth + 1 });
  }
  return null;
}

function childrenOf(node: unknown): unknown[] {
  if (Array.isArray(node)) return node;
  return isMapping(node) ? Object.values(node) : [];
}

function copyPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyPlain);
  if (!isMapping(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) setOwn(copy, key, copyPlain(child));
  return copy;
}

/** Assignment that treats `__proto__` as an ordinary key, as YAML does, instead of a prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
