import {
  buildClientSchema,
  getOperationAST,
  parse,
  validate,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";
import { getVariableValues } from "graphql/execution/values.js";
import { schema as githubSchema } from "@octokit/graphql-schema";

let built: GraphQLSchema | null = null;

/** GitHub's public GraphQL schema (`@octokit/graphql-schema`), built once. */
function schema(): GraphQLSchema {
  // The introspection JSON builds several times faster than the SDL, and the package parses it on import anyway.
  const json = githubSchema.json as { data?: IntrospectionQuery } & IntrospectionQuery;
  return (built ??= buildClientSchema(json.data ?? json, { assumeValid: true }));
}

/**
 * Problems of one GraphQL request against GitHub's public schema: syntax, validation (fields,
 * arguments, types) and the variables' values against the operation's declared types.
 */
export function validateGitHubGraphQL(query: unknown, variables: unknown): string[] {
  if (typeof query !== "string") return ["the request has no query string"];
  let document;
  try {
    document = parse(query);
  } catch (err) {
    return [`syntax: ${(err as Error).message}`];
  }
  const problems = validate(schema(), document).map((e) => e.message);
  if (problems.length > 0) return problems;
  const operation = getOperationAST(document);
  if (!operation) return ["the document has no single operation"];
  const values = getVariableValues(
    schema(),
    operation.variableDefinitions ?? [],
    (variables ?? {}) as Record<string, unknown>,
  );
  return (values.errors ?? []).map((e) => `variables: ${e.message}`);
}
