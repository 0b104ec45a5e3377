import { payloadProblem } from "../../src/github/webhook-guard.js";
import { githubExample } from "../helpers/webhooks.js";

describe("payloadProblem", () => {
  it("accepts real payloads, with or without an installation", () => {
    const labeled = githubExample("issues", "labeled");
    expect(payloadProblem(JSON.stringify(labeled))).toBeNull();
    expect(payloadProblem(JSON.stringify({ ...labeled, installation: { id: 42 } }))).toBeNull();
    const { installation: _, ...withoutInstallation } = labeled;
    expect(payloadProblem(JSON.stringify(withoutInstallation))).toBeNull();
  });

  it.each(["[]", '"x"', "1", "null", "true"])("refuses %s: not a JSON object", (body) => {
    expect(payloadProblem(body)).toBe("the webhook payload is not a JSON object");
  });

  it.each([{ id: "42" }, { id: 1.5 }, { id: -1 }, {}, null, []])("refuses installation %j", (installation) => {
    expect(payloadProblem(JSON.stringify({ action: "labeled", installation }))).toContain("installation.id");
  });

  it("leaves a body that is not JSON to Probot, which answers it 400 itself", () => {
    expect(payloadProblem("{not json")).toBeNull();
  });
});
