import { routeGitHubEvent } from "../../src/github/events.js";
import { githubExample } from "../helpers/webhooks.js";

/** A real review payload (@octokit/webhooks-examples) with the state and text a test needs. */
function review(state: string, body: string | null) {
  const payload = githubExample("pull_request_review", "submitted");
  payload.review = { ...payload.review, state, body };
  return payload;
}

describe("GitHub review events", () => {
  it("a review requesting changes becomes review.submitted with its PR, id and text", () => {
    const payload = review("changes_requested", "Two things.");
    expect(routeGitHubEvent("pull_request_review", payload, "d1")).toEqual({
      type: "review.submitted",
      deliveryId: "d1",
      number: payload.pull_request.number,
      reviewId: payload.review.id,
      body: "Two things.",
      actor: { login: payload.sender.login, isBot: false },
    });
  });

  it("a review that comments or approves starts nothing, unless its text is a command", () => {
    expect(routeGitHubEvent("pull_request_review", review("commented", "looks fine"), "d")).toBeNull();
    expect(routeGitHubEvent("pull_request_review", review("approved", null), "d")).toBeNull();
    expect(routeGitHubEvent("pull_request_review", review("commented", "/factory fix"), "d")).toMatchObject({
      type: "command",
      command: "fix",
      source: "review",
      target: { kind: "change" },
    });
  });

  it("/factory fix in a review comment is a command acknowledged on the review comment", () => {
    const payload = githubExample("pull_request_review_comment", "created");
    payload.comment.body = "/factory fix";
    expect(routeGitHubEvent("pull_request_review_comment", payload, "d")).toMatchObject({
      type: "command",
      command: "fix",
      source: "review-comment",
      commentId: payload.comment.id,
      target: { kind: "change", number: payload.pull_request.number },
    });
    payload.comment.body = "Maybe rename this";
    expect(routeGitHubEvent("pull_request_review_comment", payload, "d")).toBeNull();
  });

  it("a dismissed review starts nothing", () => {
    expect(routeGitHubEvent("pull_request_review", githubExample("pull_request_review", "dismissed"), "d")).toBeNull();
  });
});
