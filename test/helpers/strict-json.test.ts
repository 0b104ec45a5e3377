import { parseStrictJson } from "./strict-json.js";

describe("parseStrictJson", () => {
  it("parses what JSON.parse parses", () => {
    const text = '{"a":[1,{"b":"x\\"}"},true,null],"c":{"d":-1.5e3},"e":"\\u0041"}';
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it("refuses a key repeated in one object, at any depth", () => {
    expect(() => parseStrictJson('{"name":"probot","name":"http"}')).toThrow(/duplicate key "name"/);
    expect(() => parseStrictJson('{"a":{"x":1,"y":[{"k":1,"k":2}]}}')).toThrow(/duplicate key "k"/);
    expect(() => parseStrictJson('{"\\u0061":1,"a":2}')).toThrow(/duplicate key "a"/);
  });

  it("allows the same key in different objects", () => {
    expect(parseStrictJson('{"a":{"a":1},"b":[{"a":2},{"a":3}]}')).toEqual({ a: { a: 1 }, b: [{ a: 2 }, { a: 3 }] });
  });

  it("refuses text that is not JSON", () => {
    expect(() => parseStrictJson("SIGTERM: stopping factory-bot")).toThrow(SyntaxError);
  });
});
