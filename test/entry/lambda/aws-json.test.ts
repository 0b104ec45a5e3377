import { AwsError, awsJsonClient } from "../../../src/entry/lambda/aws-json.js";
import { loadParameters, variableOf } from "../../../src/entry/lambda/parameters.js";
import { startFakeAws, type FakeAws } from "../fixtures/fake-aws.js";

let aws: FakeAws;
const credentials = (endpoint: string) => ({
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_SESSION_TOKEN: "session",
  AWS_ENDPOINT_URL_SSM: endpoint,
});

beforeAll(async () => {
  aws = await startFakeAws({
    "/factory-bot/WEBHOOK_SECRET": "from-ssm",
    "/factory-bot/PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\nkey\n-----END RSA PRIVATE KEY-----",
  });
});
afterAll(() => aws.close());
beforeEach(() => {
  aws.requests.length = 0;
});

describe("the AWS JSON client", () => {
  it("signs each request with SigV4 for the service, region and session", async () => {
    await awsJsonClient(credentials(aws.url))("ssm", "GetParameters", { Names: ["/x"] });
    const [request] = aws.requests;
    expect(request!.target).toBe("AmazonSSM.GetParameters");
    expect(request!.headers["content-type"]).toBe("application/x-amz-json-1.1");
    expect(request!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/ssm\/aws4_request, SignedHeaders=.*x-amz-security-token.*, Signature=[0-9a-f]{64}$/,
    );
    expect(request!.headers["x-amz-security-token"]).toBe("session");
  });

  it("turns an AWS error into an AwsError with its code", async () => {
    aws.failNext(1, 400, "ParameterNotFound");
    await expect(awsJsonClient(credentials(aws.url))("ssm", "GetParameters", {})).rejects.toEqual(
      new AwsError(400, "ParameterNotFound", "injected by the test"),
    );
  });

  it("says which variable is missing instead of sending an unsigned request", async () => {
    await expect(awsJsonClient({ AWS_REGION: "eu-west-1" })("sqs", "SendMessage", {})).rejects.toThrow(
      /AWS_ACCESS_KEY_ID/,
    );
    await expect(awsJsonClient({})("sqs", "SendMessage", {})).rejects.toThrow(/AWS_REGION/);
  });
});

describe("secrets from SSM Parameter Store", () => {
  it("sets each parameter's variable, keeps variables already set, and reports the missing ones", async () => {
    const env = {
      ...credentials(aws.url),
      FACTORY_SSM_PARAMETERS: "/factory-bot/WEBHOOK_SECRET, /factory-bot/PRIVATE_KEY,/factory-bot/GITLAB_TOKEN",
      PRIVATE_KEY: "set by the operator",
    };
    const { env: loaded, missing } = await loadParameters(env, awsJsonClient(env));
    expect(loaded.WEBHOOK_SECRET).toBe("from-ssm");
    expect(loaded.PRIVATE_KEY).toBe("set by the operator");
    expect(loaded.GITLAB_TOKEN).toBeUndefined();
    expect(missing).toEqual(["/factory-bot/GITLAB_TOKEN"]);
    expect(aws.requests.map((r) => r.input)).toEqual([
      {
        Names: ["/factory-bot/WEBHOOK_SECRET", "/factory-bot/PRIVATE_KEY", "/factory-bot/GITLAB_TOKEN"],
        WithDecryption: true,
      },
    ]);
  });

  it("asks for ten names at a time, GetParameters' limit", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `/factory-bot/P${i}`);
    const env = { ...credentials(aws.url), FACTORY_SSM_PARAMETERS: names.join(",") };
    await loadParameters(env, awsJsonClient(env));
    expect(aws.requests.map((r) => (r.input.Names as string[]).length)).toEqual([10, 2]);
    expect(variableOf("/factory-bot/prod/GITLAB_URL")).toBe("GITLAB_URL");
  });
});
