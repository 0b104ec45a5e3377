/**
 * One JSON object per line with every key once. pino appends a child's bindings to its parent's
 * without merging them (https://github.com/pinojs/pino/blob/main/docs/child-loggers.md#duplicate-keys-caveat),
 * so Probot's nested `name` bindings, and fields a line repeats from its logger's bindings, would
 * appear twice; strict ingesters (Elasticsearch) refuse such documents. The last value wins, as
 * with JSON.parse: the most specific one. A module of its own so the Lambda bundles take only this.
 */
export function uniqueKeys(line: string): string {
  try {
    return `${JSON.stringify(JSON.parse(line))}\n`;
  } catch {
    return line; // not JSON: pass on rather than lose a line
  }
}
