import { randomBytes } from "node:crypto";
import { awsJsonClient } from "../../../src/entry/lambda/aws-json.js";
import { createHttpHandler, type HttpHandler } from "../../../src/entry/lambda/http-handler.js";
import { httpDepsFromEnv } from "../../../src/entry/lambda/http-setup.js";
import {
  decodeDelivery,
  encodeDelivery,
  MAX_MESSAGE_BYTES,
  SqsDeliveryQueue,
} from "../../../src/entry/lambda/queue.js";
import { recordingLogger } from "../../helpers/logger.js";
import { githubExample, signGitHub } from "../../helpers/webhooks.js";
import { gitlabPayload, issueLabelsChanged } from "../../gitlab/helpers.js";
import { startFakeAws, type FakeAws } from "../fixtures/fake-aws.js";
import { functionUrlEvent, HTTP_EVENT_SHAPES, restApiEvent, type RequestSpec } from "../fixtures/lambda-events.js";

const SECRET = "github-webhook-secret";
const GITLAB_SECRET = "gitlab-webhook-secret";
const QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/factory-bot-prod-deliveries";
const GITHUB_PATH = "/api/github/webhooks";
const GITLAB_PATH = "/api/gitlab/webhooks";

let aws: FakeAws;

beforeAll(async () => {
  aws = await startFakeAws();
});
afterAll(() => aws.close());
beforeEach(() => {
  aws.requests.length = 0;
});

function handler(
  env: NodeJS.ProcessEnv = { WEBHOOK_SECRET: SECRET, GITLAB_WEBHOOK_SECRET: GITLAB_SECRET },
): HttpHandler {
  const credentials = {
    AWS_REGION: "eu-west-1",
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_ENDPOINT_URL_SQS: aws.url,
  };
  const queue = new SqsDeliveryQueue(awsJsonClient(credentials), QUEUE_URL);
  return createHttpHandler(httpDepsFromEnv(env, queue, recordingLogger()));
}

/** What reached the queue, decoded as the worker would. */
function queued() {
  return aws.requests
    .filter((r) => r.target === "AmazonSQS.SendMessage")
    .map(({ input }) => {
      expect(input.QueueUrl).toBe(QUEUE_URL);
      const decoded = decodeDelivery(String(input.MessageBody));
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.delivery;
    });
}

function labeledByHuman() {
  const payload = githubExample("issues", "labeled");
  payload.sender = { ...payload.sender, login: "alice", type: "User" };
  payload.label = { ...payload.label, name: "factory" };
  delete payload.issue.pull_request;
  return payload;
}

/** A GitHub delivery with the header case GitHub itself sends (`X-GitHub-Event`). */
function github(
  event: string,
  payload: unknown,
  options: { secret?: string; deliveryId?: string; base64?: boolean } = {},
): RequestSpec {
  const body = JSON.stringify(payload);
  return {
    path: GITHUB_PATH,
    headers: {
      "Content-Type": "application/json",
      "X-GitHub-Event": event,
      "X-GitHub-Delivery": options.deliveryId ?? "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      "X-Hub-Signature-256": signGitHub(body, options.secret ?? SECRET),
    },
    body,
    base64: options.base64,
  };
}

function gitlab(event: string, payload: unknown, token = GITLAB_SECRET): RequestSpec {
  return {
    path: GITLAB_PATH,
    headers: {
      "Content-Type": "application/json",
      "X-Gitlab-Event": event,
      "X-Gitlab-Token": token,
      "Idempotency-Key": "f1b3c8de-1c2b-4d6e-9f6a-2b0c1d2e3f40",
    },
    body: JSON.stringify(payload),
  };
}

describe.each(HTTP_EVENT_SHAPES)("the HTTP function with %s events", (_shape, toEvent) => {
  it("queues an accepted GitHub delivery with its event name and delivery id, and answers 202", async () => {
    const payload = labeledByHuman();
    const result = await handler()(toEvent(github("issues", payload, { deliveryId: "delivery-1" })));
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body)).toEqual({ status: "accepted", deliveryId: "delivery-1" });
    expect(queued()).toEqual([
      { forge: "github", event: "issues", deliveryId: "delivery-1", body: JSON.stringify(payload) },
    ]);
  });

  it("decodes a base64 body before checking its signature", async () => {
    const result = await handler()(toEvent(github("issues", labeledByHuman(), { base64: true })));
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(queued()[0]!.body)).toMatchObject({ action: "labeled", label: { name: "factory" } });
  });

  it("refuses a wrong signature with 401 and queues nothing", async () => {
    const result = await handler()(toEvent(github("issues", labeledByHuman(), { secret: "not-the-secret" })));
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body).error).toMatch(/signature/);
    expect(queued()).toEqual([]);
  });

  it("refuses missing headers with 400, naming them, and a malformed signature with 401", async () => {
    const spec = github("issues", labeledByHuman());
    const { ["X-Hub-Signature-256"]: _signature, ["X-GitHub-Delivery"]: _id, ...rest } = spec.headers;
    const unsigned = await handler()(toEvent({ ...spec, headers: rest }));
    expect(unsigned.statusCode).toBe(400);
    expect(JSON.parse(unsigned.body).error).toBe("missing headers: x-github-delivery, x-hub-signature-256");
    const malformed = await handler()(
      toEvent({ ...spec, headers: { ...spec.headers, "X-Hub-Signature-256": "sha1=zz" } }),
    );
    expect(malformed.statusCode).toBe(401);
    expect(queued()).toEqual([]);
  });

  it("answers 400 to a correctly signed body that is not JSON", async () => {
    const body = "{not json";
    const spec: RequestSpec = { ...github("issues", {}), body };
    spec.headers["X-Hub-Signature-256"] = signGitHub(body, SECRET);
    const result = await handler()(toEvent(spec));
    expect(result.statusCode).toBe(400);
    expect(queued()).toEqual([]);
  });

  it("answers 200 without queueing the events the bot ignores", async () => {
    const byBot = labeledByHuman();
    byBot.sender = { ...byBot.sender, login: "renovate[bot]", type: "Bot" };
    const deliveries = [
      github("issues", byBot),
      github("push", githubExample("push", undefined)),
      github("star", githubExample("star", "created")),
      github("issues", githubExample("issues", "opened")),
    ];
    for (const spec of deliveries) {
      const result = await handler()(toEvent(spec));
      expect(result.statusCode).toBe(200);
      expect(JSON.parse(result.body).status).toBe("ignored");
    }
    expect(queued()).toEqual([]);
  });

  it("queues a GitLab issue that gained a label, keyed by its Idempotency-Key", async () => {
    const payload = issueLabelsChanged({
      project: { id: 7, path: "acme/widgets", webUrl: "https://gitlab.example.com/acme/widgets" },
      user: { id: 5, username: "alice" },
      iid: 12,
      previous: [],
      current: ["factory"],
    });
    const result = await handler()(toEvent(gitlab("Issue Hook", payload)));
    expect(result.statusCode).toBe(202);
    expect(queued()).toEqual([
      {
        forge: "gitlab",
        event: "Issue Hook",
        deliveryId: "f1b3c8de-1c2b-4d6e-9f6a-2b0c1d2e3f40",
        body: JSON.stringify(payload),
      },
    ]);
  });

  it("refuses a wrong GitLab token with 401 and acknowledges GitLab events the bot ignores with 200", async () => {
    const wrong = await handler()(toEvent(gitlab("Issue Hook", gitlabPayload("issue"), "guess")));
    expect(wrong.statusCode).toBe(401);
    const push = await handler()(toEvent(gitlab("Push Hook", gitlabPayload("push"))));
    expect(push.statusCode).toBe(200);
    expect(queued()).toEqual([]);
  });
});

describe("the HTTP function's routes", () => {
  it("finds the route behind a stage name or base path, and refuses other paths and methods", async () => {
    const staged = await handler()(
      functionUrlEvent({ ...github("issues", labeledByHuman()), path: "/prod/api/github/webhooks" }),
    );
    expect(staged.statusCode).toBe(202);
    expect(
      (await handler()(functionUrlEvent({ ...github("issues", {}), path: "/api/bitbucket/webhooks" }))).statusCode,
    ).toBe(404);
    const get = await handler()(restApiEvent({ path: GITHUB_PATH, method: "GET", headers: {}, body: "" }));
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe("POST");
  });

  it("says which variables to set for a forge that is not configured", async () => {
    const githubOnly = handler({ WEBHOOK_SECRET: SECRET });
    const result = await githubOnly(functionUrlEvent(gitlab("Issue Hook", gitlabPayload("issue"))));
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body).error).toContain("GITLAB_WEBHOOK_SECRET");
    expect(() => handler({})).toThrow(/WEBHOOK_SECRET/);
  });

  it("answers 503 when the queue cannot take the delivery, so the forge can redeliver it", async () => {
    aws.failNext(2, 500, "InternalError"); // the first try and its one retry
    const result = await handler()(functionUrlEvent(github("issues", labeledByHuman())));
    expect(result.statusCode).toBe(503);
  });

  it("retries a 5xx from SQS once, and never a 4xx", async () => {
    aws.failNext(1, 503, "ServiceUnavailable");
    expect((await handler()(functionUrlEvent(github("issues", labeledByHuman())))).statusCode).toBe(202);
    expect(queued()).toHaveLength(2); // the failed try and the retry both reached the queue endpoint
    aws.requests.length = 0;
    aws.failNext(1, 400, "AccessDenied");
    expect((await handler()(functionUrlEvent(github("issues", labeledByHuman())))).statusCode).toBe(503);
    expect(aws.requests).toHaveLength(1);
  });
});

describe("queue messages", () => {
  const delivery = { forge: "github" as const, event: "issues", deliveryId: "d-1" };

  it("carry a large payload compressed and come back unchanged", () => {
    const body = JSON.stringify({ issue: { body: "A long issue body. ".repeat(40_000) } });
    const message = encodeDelivery({ ...delivery, body });
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(JSON.parse(message)).not.toHaveProperty("body");
    expect(decodeDelivery(message)).toEqual({ ok: true, delivery: { ...delivery, body } });
  });

  it("refuse a payload that does not fit even compressed, and the HTTP function answers 413", async () => {
    const noise = randomBytes(MAX_MESSAGE_BYTES).toString("base64");
    expect(() => encodeDelivery({ ...delivery, body: noise })).toThrow(/limit/);
    const payload = labeledByHuman();
    payload.issue.body = noise;
    const result = await handler()(functionUrlEvent(github("issues", payload)));
    expect(result.statusCode).toBe(413);
    expect(queued()).toEqual([]);
  });

  it.each([
    ["not JSON", "{", /not JSON/],
    [
      "another version",
      JSON.stringify({ version: 2, forge: "github", event: "issues", deliveryId: "d", body: "{}" }),
      /version/,
    ],
    [
      "an unknown forge",
      JSON.stringify({ version: 1, forge: "bitbucket", event: "issues", deliveryId: "d", body: "{}" }),
      /forge/,
    ],
    ["no payload", JSON.stringify({ version: 1, forge: "github", event: "issues", deliveryId: "d" }), /payload/],
    [
      "a corrupt compressed payload",
      JSON.stringify({ version: 1, forge: "github", event: "issues", deliveryId: "d", bodyGzip: "AAAA" }),
      /payload/,
    ],
  ])("are refused when they are %s", (_what, text, reason) => {
    const decoded = decodeDelivery(text);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? "" : decoded.reason).toMatch(reason);
  });
});
