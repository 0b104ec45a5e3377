import { isMapping } from "./key-path.js";

/** Names a value's YAML kind for messages: "a list", "a string (`x`)", "empty (null)". */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return "empty (null)";
  if (Array.isArray(value)) return "a list";
  if (isMapping(value)) return "a mapping";
  if (typeof value === "string") return `a string (\`${abbreviate(value)}\`)`;
  if (typeof value === "boolean") return `a boolean (${value})`;
  if (typeof value === "number") return `a number (${value})`;
  return typeof value;
}

function abbreviate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
