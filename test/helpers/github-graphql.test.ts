import { validateGitHubGraphQL } from "./github-graphql.js";

describe("GitHub GraphQL validation of mocked requests", () => {
  it("accepts a valid query with well-typed variables", () => {
    expect(
      validateGitHubGraphQL(
        "mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { isResolved } } }",
        {
          id: "T1",
        },
      ),
    ).toEqual([]);
  });

  it("names unknown fields, wrong arguments, syntax errors and mistyped or missing variables", () => {
    expect(validateGitHubGraphQL('query { repository(owner: "a", name: "b") { nope } }', {})[0]).toMatch(
      /Cannot query field "nope"/,
    );
    expect(
      validateGitHubGraphQL('mutation { resolveReviewThread(input: { id: "x" }) { clientMutationId } }', {}).join(),
    ).toMatch(/threadId|id/);
    expect(validateGitHubGraphQL("query {", {})[0]).toMatch(/^syntax:/);
    expect(
      validateGitHubGraphQL(
        'query($n: Int!) { repository(owner: "a", name: "b") { pullRequest(number: $n) { id } } }',
        {
          n: "seven",
        },
      )[0],
    ).toMatch(/^variables:/);
    expect(
      validateGitHubGraphQL(
        'query($n: Int!) { repository(owner: "a", name: "b") { pullRequest(number: $n) { id } } }',
        {},
      )[0],
    ).toMatch(/^variables:.*\$n/);
  });
});
