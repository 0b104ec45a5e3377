/**
 * `npm run openapi:refresh`: extracts the GitHub REST operations factory-bot calls from
 * `@octokit/openapi` into test/fixtures/openapi/github-operations.json, which
 * test/helpers/github-openapi.ts uses to check every nock mock against GitHub's own description.
 *
 * `@octokit/openapi` unpacks to ~385 MB, so it is not a dependency: this script fetches its
 * tarball on demand with `npm pack` into .openapi-cache/ (gitignored) and streams out the one
 * file it needs. Add an operation: append "METHOD /path/{template}" to OPERATIONS and re-run.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";

/** Operations the code (and its tests) call, spelled as in GitHub's OpenAPI `paths`. */
const OPERATIONS: readonly string[] = [
  "GET /repos/{owner}/{repo}",
  "GET /repos/{owner}/{repo}/contents/{path}",
  "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
  "GET /repos/{owner}/{repo}/git/ref/{ref}",
  "GET /repos/{owner}/{repo}/branches/{branch}",
  "GET /repos/{owner}/{repo}/tarball/{ref}",
  "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
  "DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}",
  "POST /repos/{owner}/{repo}/statuses/{sha}",
  "POST /repos/{owner}/{repo}/git/trees",
  "POST /repos/{owner}/{repo}/git/blobs",
  "POST /repos/{owner}/{repo}/git/commits",
  "GET /repos/{owner}/{repo}/git/commits/{commit_sha}",
  "POST /repos/{owner}/{repo}/git/refs",
  "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
  "GET /repos/{owner}/{repo}/pulls",
  "POST /repos/{owner}/{repo}/pulls",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
  "POST /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions",
  "PATCH /repos/{owner}/{repo}/pulls/{pull_number}",
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/files",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
  "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
  "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls",
  "GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
  "GET /repos/{owner}/{repo}/actions/runs/{run_id}/attempts/{attempt_number}/jobs",
  "GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs",
  "GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
  "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
  "GET /repos/{owner}/{repo}/commits/{ref}/status",
  "GET /repos/{owner}/{repo}/commits/{ref}/statuses",
  "POST /app/installations/{installation_id}/access_tokens",
  "GET /app",
  "GET /app/hook/deliveries",
  "POST /app/hook/deliveries/{delivery_id}/attempts",
  "GET /app/installations",
  "GET /installation/repositories",
  "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
  "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
  "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
  "GET /repos/{owner}/{repo}/actions/runs",
  "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
  "GET /repos/{owner}/{repo}/branches/{branch}/protection",
  "GET /repos/{owner}/{repo}/labels/{name}",
  "GET /repos/{owner}/{repo}/issues/{issue_number}",
  "GET /repos/{owner}/{repo}/commits",
  "POST /graphql",
  // factory-bot doctor
  "GET /repos/{owner}/{repo}/installation",
  "GET /repos/{owner}/{repo}/rules/branches/{branch}",
  "GET /app/hook/config",
  "GET /app/hook/deliveries",
];

/**
 * Pinned so re-running gives no diff. 23.0.1 is the description @octokit/openapi-types (the
 * typings our Octokit compiles against) was generated from; bump both together.
 */
const OPENAPI_PACKAGE = "@octokit/openapi";
const OPENAPI_VERSION = "23.0.1";
const SPEC_ENTRY = "package/generated/api.github.com.json";

type Json = null | boolean | number | string | Json[] | JsonObject;
interface JsonObject {
  [key: string]: Json;
}

/**
 * GraphQL is not part of GitHub's REST description, yet the bot calls it. These operations are
 * written by hand (marked `x-factory-bot-source`) so GraphQL mocks still get a minimal envelope
 * check: a JSON body with a `query` string and optional `variables`.
 */
const HAND_WRITTEN: Record<string, JsonObject> = {
  "POST /graphql": {
    "x-factory-bot-source":
      "hand-written: GitHub's OpenAPI description covers REST only; this is the GraphQL-over-HTTP envelope " +
      "from https://docs.github.com/graphql/guides/forming-calls-with-graphql",
    operationId: "graphql",
    summary: "GraphQL query or mutation (errors come back as 200 with an `errors` array)",
    parameters: [],
    requestBody: {
      required: true,
      content: {
        "application/json": {
          schema: {
            type: "object",
            required: ["query"],
            additionalProperties: false,
            properties: {
              query: { type: "string" },
              variables: { type: "object" },
              operationName: { type: "string" },
            },
          },
        },
      },
    },
    responses: {
      "200": { description: "Response; GraphQL errors are reported in the body's `errors` array" },
      "401": { description: "Requires authentication" },
      "403": { description: "Forbidden or rate limited" },
      "502": { description: "The query timed out" },
    },
  },
};

/** Keys that only document (examples) or belong to GitHub's docs tooling: dropped to keep the file small. */
const DROPPED_KEYS = new Set(["example", "examples", "externalDocs", "x-github", "x-octokit", "tags"]);
/** Values that are data, not schemas: copied verbatim so a property that happens to be called "example" survives. */
const VERBATIM_KEYS = new Set(["enum", "default", "const"]);
/** Component kinds that are inlined where used; `schemas` are kept by reference (they are shared and recursive). */
const INLINED_COMPONENTS = new Set(["parameters", "responses", "requestBodies", "headers"]);

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const cacheDir = join(repoRoot, ".openapi-cache");
const outputFile = join(repoRoot, "test/fixtures/openapi/github-operations.json");

async function main(): Promise<void> {
  const tarball = ensureTarball(OPENAPI_VERSION);
  const spec = JSON.parse((await readTarEntry(tarball, SPEC_ENTRY)).toString("utf8")) as JsonObject;
  const document = buildDocument(spec, OPERATIONS, tarballIntegrity(tarball));
  mkdirSync(join(outputFile, ".."), { recursive: true });
  const text = JSON.stringify(sortKeys(document), null, 2) + "\n";
  writeFileSync(outputFile, text);
  console.log(`wrote ${OPERATIONS.length} operations (${Math.round(text.length / 1024)} KiB) to ${outputFile}`);
  warnIfTypingsDiffer();
}

/** Downloads the package tarball once; later runs reuse it from the cache directory. */
function ensureTarball(version: string): string {
  const tarball = join(cacheDir, `octokit-openapi-${version}.tgz`);
  if (existsSync(tarball)) return tarball;
  mkdirSync(cacheDir, { recursive: true });
  execFileSync("npm", ["pack", `${OPENAPI_PACKAGE}@${version}`, "--pack-destination", cacheDir, "--loglevel=warn"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (!existsSync(tarball)) throw new Error(`npm pack did not produce ${tarball}`);
  return tarball;
}

/** Same format as npm's `integrity`, so the file says exactly which tarball it came from. */
function tarballIntegrity(tarball: string): string {
  return `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
}

/** Streams one file out of a .tgz without unpacking the rest (the package holds ~385 MB). */
async function readTarEntry(tarball: string, entryName: string): Promise<Buffer> {
  const extract = tar.extract();
  // Errors from any stage destroy `extract`, which makes the loop below throw; the premature
  // close caused by leaving the loop early is expected and ignored.
  pipeline(createReadStream(tarball), createGunzip(), extract, () => {});
  for await (const entry of extract) {
    if (entry.header.name !== entryName) {
      entry.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  throw new Error(`${entryName} not found in ${tarball}`);
}

function buildDocument(spec: JsonObject, operations: readonly string[], integrity: string): JsonObject {
  const resolver = new RefResolver(spec);
  const extracted: JsonObject = {};
  const missing: string[] = [];
  for (const key of operations) {
    const operation = HAND_WRITTEN[key] ?? findOperation(spec, key);
    if (!operation) missing.push(key);
    else extracted[key] = HAND_WRITTEN[key] ? operation : trimOperation(operation, resolver);
  }
  if (missing.length > 0) throw new Error(describeMissing(spec, missing));
  return {
    $comment: "Generated by `npm run openapi:refresh` (scripts/openapi-refresh.ts). Do not edit by hand.",
    source: {
      package: OPENAPI_PACKAGE,
      version: OPENAPI_VERSION,
      file: SPEC_ENTRY.replace(/^package\//, ""),
      integrity,
      openapi: field(spec, "openapi"),
      descriptionVersion: field(asObject(spec.info), "version"),
    },
    operations: extracted,
    components: { schemas: resolver.copiedSchemas() },
  };
}

function findOperation(spec: JsonObject, key: string): JsonObject | undefined {
  const [method, path] = splitKey(key);
  const pathItem = asObject(asObject(spec.paths)[path]);
  const operation = pathItem[method.toLowerCase()];
  return isObject(operation) ? withPathLevelParameters(operation, pathItem) : undefined;
}

/** OpenAPI allows parameters on the path item too; fold them in so each operation stands alone. */
function withPathLevelParameters(operation: JsonObject, pathItem: JsonObject): JsonObject {
  const shared = Array.isArray(pathItem.parameters) ? pathItem.parameters : [];
  const own = Array.isArray(operation.parameters) ? operation.parameters : [];
  return shared.length === 0 ? operation : { ...operation, parameters: [...shared, ...own] };
}

function splitKey(key: string): [string, string] {
  const match = /^(GET|POST|PUT|PATCH|DELETE|HEAD) (\/\S*)$/.exec(key);
  if (!match) throw new Error(`operation "${key}" must look like "METHOD /path/{param}"`);
  return [match[1]!, match[2]!];
}

function describeMissing(spec: JsonObject, missing: string[]): string {
  const lines = missing.map((key) => {
    const [, path] = splitKey(key);
    const pathItem = asObject(spec.paths)[path];
    if (isObject(pathItem)) {
      const methods = Object.keys(pathItem).filter((k) => k !== "parameters");
      return `  ${key}\n    the path exists with methods: ${methods.map((m) => m.toUpperCase()).join(", ")}`;
    }
    const lastLiteral =
      path
        .split("/")
        .filter((s) => s && !s.startsWith("{"))
        .pop() ?? "";
    const similar = Object.keys(asObject(spec.paths)).filter((p) => lastLiteral && p.includes(lastLiteral));
    const hint = similar.length ? `\n    paths mentioning "${lastLiteral}": ${similar.slice(0, 8).join(", ")}` : "";
    return `  ${key}${hint}`;
  });
  return `OPERATIONS lists entries that ${OPENAPI_PACKAGE}@${OPENAPI_VERSION} does not describe:\n${lines.join("\n")}`;
}

/** Keeps what a mock check needs: parameters, request body schema, documented statuses and their schemas. */
function trimOperation(operation: JsonObject, resolver: RefResolver): JsonObject {
  const trimmed: JsonObject = {};
  for (const key of ["operationId", "summary", "parameters", "requestBody", "responses"]) {
    if (operation[key] !== undefined) trimmed[key] = resolver.clean(operation[key]);
  }
  return trimmed;
}

/**
 * Inlines parameter/response/header refs and keeps `#/components/schemas/...` refs as they are,
 * copying each referenced schema (and everything it references) into the output.
 */
class RefResolver {
  private readonly schemas = new Map<string, Json>();

  constructor(private readonly spec: JsonObject) {}

  clean(node: Json): Json {
    if (Array.isArray(node)) return node.map((item) => this.clean(item));
    if (!isObject(node)) return node;
    if (typeof node.$ref === "string") return this.cleanRef(node.$ref);
    const cleaned: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED_KEYS.has(key)) continue;
      cleaned[key] = VERBATIM_KEYS.has(key) ? value : key === "properties" ? this.cleanMap(value) : this.clean(value);
    }
    return cleaned;
  }

  copiedSchemas(): JsonObject {
    return Object.fromEntries(this.schemas);
  }

  /** `properties` maps names to schemas: names are data, so "example" as a property name is kept. */
  private cleanMap(map: Json): Json {
    if (!isObject(map)) return map;
    return Object.fromEntries(Object.entries(map).map(([name, schema]) => [name, this.clean(schema)]));
  }

  private cleanRef(ref: string): Json {
    const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(ref);
    if (!match) throw new Error(`unsupported $ref ${ref}`);
    const [, kind, name] = match as unknown as [string, string, string];
    const target = asObject(asObject(this.spec.components)[kind])[name];
    if (target === undefined) throw new Error(`dangling $ref ${ref}`);
    if (INLINED_COMPONENTS.has(kind)) return this.clean(target);
    if (kind !== "schemas") throw new Error(`unexpected $ref kind in ${ref}`);
    if (!this.schemas.has(name)) {
      this.schemas.set(name, null); // placeholder first: schemas can be recursive
      this.schemas.set(name, this.clean(target));
    }
    return { $ref: ref };
  }
}

/** Deterministic output: object keys sorted at every depth; array order is meaningful and kept. */
function sortKeys(node: Json): Json {
  if (Array.isArray(node)) return node.map(sortKeys);
  if (!isObject(node)) return node;
  return Object.fromEntries(
    Object.keys(node)
      .sort()
      .map((key) => [key, sortKeys(node[key]!)]),
  );
}

/** Octokit's typings come from a specific description version; say so when the fixture diverges. */
function warnIfTypingsDiffer(): void {
  const typesManifest = join(repoRoot, "node_modules/@octokit/openapi-types/package.json");
  if (!existsSync(typesManifest)) return;
  const manifest = JSON.parse(readFileSync(typesManifest, "utf8")) as { octokit?: { "openapi-version"?: string } };
  const typesVersion = manifest.octokit?.["openapi-version"];
  if (typesVersion && typesVersion !== OPENAPI_VERSION) {
    console.warn(
      `note: @octokit/openapi-types was generated from ${typesVersion}, this fixture uses ${OPENAPI_VERSION}`,
    );
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: Json | undefined): JsonObject {
  return isObject(value) ? value : {};
}

function field(object: JsonObject, key: string): string {
  const value = object[key];
  return typeof value === "string" ? value : "unknown";
}

await main();
