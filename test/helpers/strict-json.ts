/**
 * JSON.parse, except that an object with the same key twice is an error (JSON.parse keeps the last
 * one silently; Elasticsearch and other strict ingesters refuse the document). Used to check log
 * lines: the text is first validated by JSON.parse, then scanned for each object's keys.
 */
export function parseStrictJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  let at = 0;
  const skipSpace = () => {
    while (/\s/.test(text[at] ?? "")) at++;
  };
  const readString = (): string => {
    const start = at;
    at++; // opening quote
    while (text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const readValue = (): void => {
    skipSpace();
    const c = text[at];
    if (c === "{") return readObject();
    if (c === "[") return readArray();
    if (c === '"') {
      readString();
      return;
    }
    while (at < text.length && !/[,}\]\s]/.test(text[at]!)) at++; // number, true, false, null
  };
  const readObject = (): void => {
    const keys = new Set<string>();
    at++;
    skipSpace();
    if (text[at] === "}") {
      at++;
      return;
    }
    for (;;) {
      skipSpace();
      const key = readString();
      if (keys.has(key)) throw new SyntaxError(`duplicate key ${JSON.stringify(key)} at position ${at}`);
      keys.add(key);
      skipSpace();
      at++; // colon
      readValue();
      skipSpace();
      if (text[at++] === "}") return;
    }
  };
  const readArray = (): void => {
    at++;
    skipSpace();
    if (text[at] === "]") {
      at++;
      return;
    }
    for (;;) {
      readValue();
      skipSpace();
      if (text[at++] === "]") return;
    }
  };
  readValue();
  return value;
}
