/**
 * nock mocks checked against GitHub's OpenAPI description, so mocks cannot drift from the real API.
 *
 *   const api = githubApi(); // or githubApi("http://127.0.0.1:8080/api/v3") for GHES
 *   api.intercept("POST", "/repos/o/r/git/refs").reply(201, { ref: "refs/heads/x" });
 *   await codeUnderTest();
 *   api.done(); // throws what GitHub would have rejected, then nock's "mocks not satisfied"
 *
 * Declaring a path + method GitHub does not have, or a status it does not document, throws at once.
 * Requests are checked when they arrive: an invalid body or query gets a 500 reply (so the code
 * under test fails) and is recorded; `api.done()` / `api.assertValid()` rethrow it readably,
 * because an exception thrown inside nock's reply callback would be swallowed.
 *
 * The operations come from test/fixtures/openapi/github-operations.json; to mock an operation
 * that is not there, append it to OPERATIONS in scripts/openapi-refresh.ts and run
 * `npm run openapi:refresh`.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { validateGitHubGraphQL } from "./github-graphql.js";
import nock from "nock";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";

type QueryMatcher =
  Record<string, string | number | boolean | string[]> | true | ((query: Record<string, unknown>) => boolean);

export interface InterceptOptions {
  /** Passed to nock's `.query()`. Without it any query string matches (its names are still checked). */
  query?: QueryMatcher;
  /** Passed to nock as the request body matcher. */
  body?: nock.RequestBodyMatcher;
}

/** A reply body, or nock-style a function of the request path and parsed body. */
export type ReplyBody = unknown | ((uri: string, requestBody: unknown) => unknown);

export interface GitHubInterceptor {
  /** Lets the interceptor answer `count` requests, like nock's `.times()`. */
  times(count: number): GitHubInterceptor;
  /** Throws at once if the operation does not document `status`. */
  reply(status: number, body?: ReplyBody, headers?: Record<string, string>): GitHubApi;
}

export interface GitHubApi {
  /** The underlying nock scope, for anything this wrapper does not cover. */
  readonly scope: nock.Scope;
  /** Problems found in requests so far (each is also answered with a 500). */
  readonly problems: readonly string[];
  intercept(method: HttpMethod, path: string, options?: InterceptOptions): GitHubInterceptor;
  get(path: string, options?: InterceptOptions): GitHubInterceptor;
  post(path: string, options?: InterceptOptions): GitHubInterceptor;
  put(path: string, options?: InterceptOptions): GitHubInterceptor;
  patch(path: string, options?: InterceptOptions): GitHubInterceptor;
  delete(path: string, options?: InterceptOptions): GitHubInterceptor;
  /** Throws if any request so far broke GitHub's description. */
  assertValid(): void;
  /** `assertValid()`, then nock's `scope.done()` (every interceptor was used). */
  done(): void;
}

export interface RequestCheck {
  /** "METHOD /template" of the matched operation, when one matched. */
  operation?: string;
  /** Human-readable reasons GitHub would reject (or silently ignore part of) the request; empty if valid. */
  problems: string[];
}

/** Creates a nock scope for `baseUrl` whose interceptors are checked against GitHub's description. */
export function githubApi(baseUrl = "https://api.github.com"): GitHubApi {
  const { origin, prefix } = splitBaseUrl(baseUrl);
  const scope = nock(origin);
  const problems: string[] = [];
  const intercept = (method: HttpMethod, path: string, options: InterceptOptions = {}) =>
    declareInterceptor({ scope, prefix, problems, api }, method, path, options);
  const api: GitHubApi = {
    scope,
    problems,
    intercept,
    get: (path, options) => intercept("GET", path, options),
    post: (path, options) => intercept("POST", path, options),
    put: (path, options) => intercept("PUT", path, options),
    patch: (path, options) => intercept("PATCH", path, options),
    delete: (path, options) => intercept("DELETE", path, options),
    assertValid: () => throwProblems(problems),
    done: () => {
      throwProblems(problems);
      scope.done();
    },
  };
  return api;
}

/**
 * Checks one request without nock (e.g. for a fake GitHub server). `path` may carry a query
 * string; give `pathPrefix` ("/api/v3") when the server is mounted like GitHub Enterprise Server.
 * `body` is the raw text or the parsed JSON; undefined or "" means no body.
 */
export function validateGitHubRequest(
  method: string,
  path: string,
  body?: unknown,
  options: { pathPrefix?: string } = {},
): RequestCheck {
  const prefix = normalizePrefix(options.pathPrefix ?? "");
  const apiPath = stripPrefix(path, prefix);
  if (apiPath === undefined) return { problems: [`${method} ${path} is outside the API root ${prefix}`] };
  const [pathname, search] = splitQuery(apiPath);
  const operation = findOperation(method, pathname);
  if (!operation) return { problems: [describeNoMatch(method, pathname)] };
  return { operation: operation.key, problems: checkRequest(operation, pathname, search, body) };
}

/** Whether GitHub documents (or always may send) `status` for "METHOD /template"; for fake servers. */
export function isDocumentedStatus(operationKey: string, status: number): boolean {
  const operation = loadSpec().operations.find((op) => op.key === operationKey);
  if (!operation) throw new Error(`unknown operation ${operationKey}`);
  return statusProblem(operation, status) === undefined;
}

// ---------------------------------------------------------------------------------------------
// nock wrapper

interface ApiContext {
  scope: nock.Scope;
  prefix: string;
  problems: string[];
  api: GitHubApi;
}

function declareInterceptor(
  context: ApiContext,
  method: HttpMethod,
  path: string,
  options: InterceptOptions,
): GitHubInterceptor {
  const upperMethod = method.toUpperCase();
  const [pathname, inlineSearch] = splitQuery(path);
  const operation = findOperation(upperMethod, pathname);
  if (!operation) throw new Error(describeNoMatch(upperMethod, pathname));
  const declarationProblems = [
    ...checkPathParameters(operation, pathname),
    ...checkDeclaredQuery(operation, options, inlineSearch),
  ];
  if (declarationProblems.length > 0) throw new Error(formatProblems(`${upperMethod} ${path}`, declarationProblems));

  const expected = normalizePath(pathname);
  let interceptor = context.scope.intercept(
    (uri: string) => {
      const apiPath = stripPrefix(uri, context.prefix);
      return apiPath !== undefined && normalizePath(splitQuery(apiPath)[0]) === expected;
    },
    upperMethod,
    options.body,
  );
  const query = options.query ?? (inlineSearch ? Object.fromEntries(new URLSearchParams(inlineSearch)) : undefined);
  if (query !== undefined) interceptor = interceptor.query(query);

  const wrapper: GitHubInterceptor = {
    times(count) {
      interceptor = interceptor.times(count);
      return wrapper;
    },
    reply(status, body, headers) {
      const problem = statusProblem(operation, status);
      if (problem) throw new Error(problem);
      interceptor.reply((uri, requestBody) => {
        // The matcher above only lets through paths under the prefix.
        const [requestPath, search] = splitQuery(stripPrefix(uri, context.prefix)!);
        const problems = checkRequest(operation, requestPath, search, requestBody);
        if (problems.length > 0) return rejectRequest(context.problems, `${upperMethod} ${uri}`, problems);
        return [status, replyBodyFor(body, uri, requestBody), headers];
      });
      return context.api;
    },
  };
  return wrapper;
}

function replyBodyFor(body: ReplyBody, uri: string, requestBody: unknown): nock.Body {
  const value = typeof body === "function" ? (body as (u: string, b: unknown) => unknown)(uri, requestBody) : body;
  return value as nock.Body;
}

/** Records the problems for `done()` and answers 500 with them, so Octokit's error names them too. */
function rejectRequest(recorded: string[], request: string, problems: string[]): nock.ReplyFnResult {
  const message = formatProblems(request, problems);
  recorded.push(message);
  return [500, { message: `github-openapi test helper: ${message}` }];
}

function throwProblems(problems: readonly string[]): void {
  if (problems.length > 0) {
    const heading = "GitHub mock received requests that do not match GitHub's OpenAPI description:";
    throw new Error(`${heading}\n\n${problems.join("\n\n")}`);
  }
}

function formatProblems(request: string, problems: string[]): string {
  return `${request}\n${problems.map((p) => `  - ${p}`).join("\n")}`;
}

// ---------------------------------------------------------------------------------------------
// base URLs and paths

/** GHES serves REST under /api/v3 but GraphQL at /api/graphql (Octokit rewrites it the same way). */
const GHES_REST_PREFIX = /\/api\/v3$/;

function splitBaseUrl(baseUrl: string): { origin: string; prefix: string } {
  const url = new URL(baseUrl);
  return { origin: url.origin, prefix: normalizePrefix(url.pathname) };
}

function normalizePrefix(prefix: string): string {
  return prefix.replace(/\/+$/, "");
}

/**
 * The path relative to the API root, or undefined when `path` lies outside it: code that drops
 * the GHES prefix must not be answered as if it had called the right URL.
 */
function stripPrefix(path: string, prefix: string): string | undefined {
  if (!prefix) return path;
  if (GHES_REST_PREFIX.test(prefix)) {
    const graphqlPath = prefix.replace(GHES_REST_PREFIX, "/api/graphql");
    if (path === graphqlPath || path.startsWith(`${graphqlPath}?`)) return `/graphql${path.slice(graphqlPath.length)}`;
  }
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : undefined;
}

function splitQuery(path: string): [string, string] {
  const index = path.indexOf("?");
  return index === -1 ? [path, ""] : [path.slice(0, index), path.slice(index + 1)];
}

/** Octokit sends `heads%2Fmain` where a test may write `heads/main`: compare decoded forms. */
function normalizePath(pathname: string): string {
  return safeDecode(pathname);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// the operations file

export interface SpecParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema;
}

type Schema = Record<string, unknown>;

export interface SpecOperation {
  operationId: string;
  parameters?: SpecParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
  responses: Record<string, unknown>;
}

interface OperationsFile {
  source: { package: string; version: string };
  operations: Record<string, SpecOperation>;
  components: { schemas: Record<string, Schema> };
}

interface Operation extends SpecOperation {
  key: string;
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
}

interface LoadedSpec {
  file: OperationsFile;
  operations: Operation[];
}

const OPERATIONS_FILE = new URL("../fixtures/openapi/github-operations.json", import.meta.url);
/** Parameters that hold a file path or a git ref, whose slashes GitHub accepts unencoded. */
const SLASH_PARAMETERS = new Set(["path", "ref"]);
let cachedSpec: LoadedSpec | undefined;

function loadSpec(): LoadedSpec {
  if (cachedSpec) return cachedSpec;
  const file = JSON.parse(readFileSync(OPERATIONS_FILE, "utf8")) as OperationsFile;
  const operations = Object.entries(file.operations).map(([key, operation]) => toOperation(key, operation));
  cachedSpec = { file, operations };
  return cachedSpec;
}

function toOperation(key: string, operation: SpecOperation): Operation {
  const [method, template] = key.split(" ") as [string, string];
  const parts = template.split(/(\{[^}]+\})/).filter(Boolean);
  const source = parts
    .map((part) => {
      const name = parameterName(part);
      if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      return SLASH_PARAMETERS.has(name) ? "(.+)" : "([^/]+)";
    })
    .join("");
  const literalSegments = template
    .split("/")
    .filter((segment) => segment && parameterName(segment) === undefined).length;
  return { ...operation, key, method, template, pattern: new RegExp(`^${source}$`), literalSegments };
}

function parameterName(part: string): string | undefined {
  return /^\{(.+)\}$/.exec(part)?.[1];
}

function templateParameterNames(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
}

// ---------------------------------------------------------------------------------------------
// matching

/**
 * The operation for `method pathname`. Several templates can match one path (`commits/{ref}`
 * also matches `commits/abc/status`), so prefer templates whose path values are valid, then the
 * most literal segments: the most specific route, as GitHub's router does.
 */
function findOperation(method: string, pathname: string, operations = loadSpec().operations): Operation | undefined {
  const candidates = operations.filter(
    (operation) => operation.method === method.toUpperCase() && operation.pattern.test(pathname),
  );
  const rank = (operation: Operation) =>
    (checkPathParameters(operation, pathname).length === 0 ? 1000 : 0) + operation.literalSegments;
  return candidates.sort((a, b) => rank(b) - rank(a))[0];
}

/** `findOperation` over given operations, so the ranking can be tested with templates that do collide. */
export function matchOperationKey(
  operations: Record<string, SpecOperation>,
  method: string,
  pathname: string,
): string | undefined {
  const candidates = Object.entries(operations).map(([key, operation]) => toOperation(key, operation));
  return findOperation(method, pathname, candidates)?.key;
}

function describeNoMatch(method: string, pathname: string): string {
  const { file } = loadSpec();
  const closest = closestOperations(method, pathname)
    .map((key) => `    ${key}`)
    .join("\n");
  return (
    `No GitHub operation matches ${method} ${pathname} in test/fixtures/openapi/github-operations.json ` +
    `(${file.source.package}@${file.source.version}). Closest:\n${closest}\n` +
    `If the path is right, add it to OPERATIONS in scripts/openapi-refresh.ts and run \`npm run openapi:refresh\`.`
  );
}

/** Scores templates by segments that line up with the path, so typos and wrong methods point at the fix. */
/** A shared literal ("git") says more than a parameter slot; a shared stem ("ref"/"reference") is a likely typo. */
function segmentScore(templateSegment: string, actual: string | undefined): number {
  if (actual === undefined) return 0;
  if (templateSegment === actual) return 3;
  if (parameterName(templateSegment) !== undefined) return 1;
  const stem = Math.min(templateSegment.length, actual.length, 3);
  return templateSegment.slice(0, stem) === actual.slice(0, stem) ? 2 : 0;
}

function closestOperations(method: string, pathname: string, count = 5): string[] {
  const segments = pathname.split("/").filter(Boolean);
  const score = (operation: Operation) => {
    const templateSegments = operation.template.split("/").filter(Boolean);
    const aligned = templateSegments.reduce((sum, segment, i) => sum + segmentScore(segment, segments[i]), 0);
    // A trailing {path} or {ref} absorbs extra segments, so a longer path is no mismatch there.
    const absorbs = SLASH_PARAMETERS.has(parameterName(templateSegments.at(-1) ?? "") ?? "");
    const lengthGap = templateSegments.length - segments.length;
    const lengthPenalty = absorbs ? Math.max(0, lengthGap) : Math.abs(lengthGap);
    return aligned - lengthPenalty + (operation.method === method.toUpperCase() ? 1 : 0);
  };
  return [...loadSpec().operations]
    .sort((a, b) => score(b) - score(a) || a.key.localeCompare(b.key))
    .slice(0, count)
    .map((operation) => operation.key);
}

// ---------------------------------------------------------------------------------------------
// checks

function checkRequest(operation: Operation, pathname: string, search: string, body: unknown): string[] {
  return [
    ...checkPathParameters(operation, pathname),
    ...checkQuery(operation, queryEntries(new URLSearchParams(search))),
    ...checkBody(operation, body),
    ...checkGraphQL(operation, body),
  ];
}

/** The OpenAPI description only says GraphQL takes a query: the query itself is checked against GitHub's schema. */
function checkGraphQL(operation: Operation, body: unknown): string[] {
  if (operation.key !== "POST /graphql") return [];
  const parsed = (typeof body === "string" ? safeJson(body) : body) as { query?: unknown; variables?: unknown } | null;
  if (typeof parsed?.query !== "string") return []; // checkBody already says the query is missing
  return validateGitHubGraphQL(parsed.query, parsed.variables).map((problem) => `GraphQL: ${problem}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Path values are strings on the wire: validate them with type coercion (`42` for an integer). */
function checkPathParameters(operation: Operation, pathname: string): string[] {
  const values = operation.pattern.exec(pathname)?.slice(1) ?? [];
  const names = templateParameterNames(operation.template);
  return names.flatMap((name, i) => {
    const parameter = findParameter(operation, "path", name);
    const value = safeDecode(values[i] ?? "");
    return parameter?.schema ? schemaProblems(`path parameter {${name}}`, parameter.schema, value, "coerce") : [];
  });
}

function findParameter(operation: Operation, location: SpecParameter["in"], name: string): SpecParameter | undefined {
  return operation.parameters?.find((parameter) => parameter.in === location && parameter.name === name);
}

/** Query names must be declared and values must fit their schema; required ones must be present. */
function checkQuery(operation: Operation, query: Map<string, string[]>): string[] {
  const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === "query");
  const problems: string[] = [];
  for (const [name, values] of query) {
    const parameter = declared.find((candidate) => candidate.name === name);
    if (!parameter) {
      const documented = declared.map((p) => p.name).join(", ") || "none";
      problems.push(`query parameter "${name}" is not documented (documented: ${documented})`);
    } else if (parameter.schema) {
      const value = values.length === 1 && parameter.schema.type !== "array" ? values[0] : values;
      problems.push(...schemaProblems(`query parameter "${name}"`, parameter.schema, value, "coerce"));
    }
  }
  for (const parameter of declared) {
    if (parameter.required && !query.has(parameter.name)) {
      problems.push(`required query parameter "${parameter.name}" is missing`);
    }
  }
  return problems;
}

/** A `query` declared on the mock is checked up front, so a misspelt name fails at declaration. */
function checkDeclaredQuery(operation: Operation, options: InterceptOptions, inlineSearch: string): string[] {
  if (options.query !== undefined && inlineSearch) {
    return ["give the query either in the path or as options.query, not both"];
  }
  if (inlineSearch) return checkQuery(operation, queryEntries(new URLSearchParams(inlineSearch)));
  if (typeof options.query !== "object") return [];
  const entries = new Map(Object.entries(options.query).map(([name, value]) => [name, [value].flat().map(String)]));
  // Only names: required parameters may legitimately be left to nock's partial matching.
  return checkQuery(operation, entries).filter((problem) => !problem.startsWith("required"));
}

function queryEntries(params: URLSearchParams): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  for (const [name, value] of params) entries.set(name, [...(entries.get(name) ?? []), value]);
  return entries;
}

function checkBody(operation: Operation, rawBody: unknown): string[] {
  const body = parseBody(rawBody);
  const content = operation.requestBody?.content ?? {};
  const jsonSchema = content["application/json"]?.schema;
  if (body === undefined) return operation.requestBody?.required ? ["request body is required but none was sent"] : [];
  if (!operation.requestBody) return [`sends a body, but ${operation.key} documents none`];
  if (!jsonSchema) return []; // e.g. binary uploads: nothing we can check structurally
  if (typeof body === "string") return ["request body is not JSON, but GitHub expects application/json"];
  return [...schemaProblems("request body", jsonSchema, body, "strict"), ...undocumentedFields(jsonSchema, body)];
}

/** nock hands over parsed JSON for JSON requests and a string otherwise; "" means no body. */
function parseBody(rawBody: unknown): unknown {
  if (rawBody === undefined || rawBody === null || rawBody === "") return undefined;
  if (typeof rawBody !== "string") return rawBody;
  try {
    return JSON.parse(rawBody) as unknown;
  } catch {
    return rawBody;
  }
}

/**
 * GitHub ignores body fields it does not know, so a misspelt field passes schema validation yet
 * never takes effect. Flag top-level fields outside a plain object schema's `properties`.
 */
function undocumentedFields(schema: Schema, body: unknown): string[] {
  const resolved = resolveSchemaRef(schema);
  const properties = resolved.properties as Record<string, unknown> | undefined;
  const isPlainObjectSchema =
    properties && !resolved.oneOf && !resolved.anyOf && !resolved.allOf && resolved.additionalProperties === undefined;
  if (!isPlainObjectSchema || typeof body !== "object" || body === null || Array.isArray(body)) return [];
  const unknownFields = Object.keys(body).filter((field) => !(field in properties));
  if (unknownFields.length === 0) return [];
  return [
    `request body has fields GitHub does not document (it ignores them): ${unknownFields.join(", ")}; ` +
      `documented: ${Object.keys(properties).join(", ")}`,
  ];
}

function resolveSchemaRef(schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== "string") return schema;
  const name = ref.replace(/^#\/components\/schemas\//, "");
  const target = loadSpec().file.components.schemas[name];
  return target ? resolveSchemaRef(target) : schema;
}

/**
 * Any endpoint can answer these whether or not its description lists them: GitHub returns 404
 * for resources the token cannot see, 401/403/429 for auth and rate limits, 5xx when it fails.
 * Tests of those paths should not need an exemption; a 200 for an endpoint that answers 201 or
 * 204 is still caught.
 */
const ALWAYS_POSSIBLE_STATUSES = new Set([401, 403, 404, 429, 500, 502, 503, 504]);

function statusProblem(operation: Operation, status: number): string | undefined {
  const documented = Object.keys(operation.responses);
  const family = `${String(status)[0]}XX`;
  const covered = [String(status), family, "default"].some((key) => documented.includes(key));
  if (covered || ALWAYS_POSSIBLE_STATUSES.has(status)) return undefined;
  return `${operation.key} (${operation.operationId}) documents statuses ${documented.join(", ")}, not ${status}`;
}

// ---------------------------------------------------------------------------------------------
// JSON Schema validation

const DOCUMENT_ID = "github-operations.json";
type Mode = "strict" | "coerce";
const validators = new Map<Mode, { ajv: Ajv; compiled: WeakMap<Schema, ValidateFunction> }>();

/** OpenAPI 3.0 schemas with `format`s Ajv does not know: formats are tolerated, not checked. */
function validatorFor(mode: Mode): { ajv: Ajv; compiled: WeakMap<Schema, ValidateFunction> } {
  let entry = validators.get(mode);
  if (!entry) {
    const coerceTypes = mode === "coerce" ? "array" : false;
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, coerceTypes });
    ajv.addSchema({ components: loadSpec().file.components }, DOCUMENT_ID);
    entry = { ajv, compiled: new WeakMap() };
    validators.set(mode, entry);
  }
  return entry;
}

function schemaProblems(subject: string, schema: Schema, value: unknown, mode: Mode): string[] {
  const { ajv, compiled } = validatorFor(mode);
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(prepareSchema(schema, mode) as Schema);
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => describeError(subject, error, value));
}

/**
 * Points local `#/components/...` refs at the shared components document. For string-encoded
 * values, `oneOf: [integer, string]` (e.g. workflow_id) would match twice once "42" is coerced,
 * so coercing validators read `oneOf` as `anyOf`.
 */
function prepareSchema(node: unknown, mode: Mode): unknown {
  if (Array.isArray(node)) return node.map((item) => prepareSchema(item, mode));
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === "$ref" && typeof value === "string" && value.startsWith("#/")) return [key, `${DOCUMENT_ID}${value}`];
      if (key === "oneOf" && mode === "coerce") return ["anyOf", prepareSchema(value, mode)];
      return [key, prepareSchema(value, mode)];
    }),
  );
}

function describeError(subject: string, error: ErrorObject, value: unknown): string {
  const where = error.instancePath ? `${subject} at ${error.instancePath}` : subject;
  const allowedValues = error.keyword === "enum" ? (error.params as { allowedValues: unknown[] }).allowedValues : [];
  const allowed = allowedValues.length > 0 ? ` (${allowedValues.map((v) => JSON.stringify(v)).join(", ")})` : "";
  const actual = error.instancePath ? "" : ` (got ${truncate(JSON.stringify(value))})`;
  return `${where} ${error.message ?? "is invalid"}${allowed}${actual}`;
}

function truncate(text: string | undefined, length = 120): string {
  if (text === undefined) return "undefined";
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
