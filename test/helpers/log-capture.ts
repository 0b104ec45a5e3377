import { Writable } from "node:stream";
import { parseStrictJson } from "./strict-json.js";

/** A log destination for a server under test, and its lines, each parsed strictly (a repeated key fails). */
export function logCapture() {
  let text = "";
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const lines = () => text.split("\n").filter((line) => line.length > 0);
  return {
    destination,
    lines,
    /** Every line as an object; throws on the first line that is not one JSON object with unique keys. */
    records: () =>
      lines().map((line, i) => {
        try {
          return parseStrictJson(line) as Record<string, unknown>;
        } catch (err) {
          throw new Error(
            `log line ${i + 1} is not one JSON object with unique keys (${(err as Error).message}): ${line}`,
          );
        }
      }),
  };
}

/** The value of one Prometheus series in `/metrics` text, or undefined when it is absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    const keys = Object.keys(labels);
    if (keys.length === Object.keys(found).length && keys.every((k) => found[k] === labels[k])) return Number(match[3]);
  }
  return undefined;
}
