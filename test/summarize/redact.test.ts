import { Readable } from "node:stream";
import { redactSecrets, renderSummaryMarkdown, renderSummaryText, summarizeLog } from "../../src/summarize/index.js";
import { actionsLog } from "./helpers.js";

// Built at run time so that no scanner mistakes this file for a leak.
const token = (prefix: string, length: number, alphabet = "aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xYz") =>
  prefix + Array.from({ length }, (_, i) => alphabet[(i * 7) % alphabet.length]).join("");

const GITHUB = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"].map((p) => token(p, 36));
const GITHUB_FINE_GRAINED = token("github_pat_", 82, "aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0xYz_");
const GITLAB = ["glpat-", "gldt-", "glrt-", "glcbt-", "glptt-"].map((p) => token(p, 20));
const AWS_KEY_ID = token("AKIA", 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
const AWS_TEMP_KEY_ID = token("ASIA", 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
const AWS_SECRET = token("", 40, "abcdEFGH1234/+ijklMNOP5678qrstUVWX90yz");
const SLACK = token("xoxb-", 40, "0123456789abcdefABCDEF-");
const JWT = `${token("eyJ", 20)}.${token("eyJ", 40)}.${token("", 43)}`;
const PEM_BODY = [token("MIIE", 60), token("", 64), token("", 64)];
const PEM = ["-----BEGIN RSA PRIVATE KEY-----", ...PEM_BODY, "-----END RSA PRIVATE KEY-----"];

describe("redactSecrets", () => {
  test.each([
    ...GITHUB.map((t) => [`git push https://github.com/o/r.git with ${t}`, t]),
    [`export GH_TOKEN=${GITHUB_FINE_GRAINED}`, GITHUB_FINE_GRAINED],
    ...GITLAB.map((t) => [`curl --header "x: ${t}" https://gitlab.com/api/v4/projects`, t]),
    [`aws configure set aws_access_key_id ${AWS_KEY_ID}`, AWS_KEY_ID],
    [`AWS_ACCESS_KEY_ID=${AWS_TEMP_KEY_ID}`, AWS_TEMP_KEY_ID],
    [`aws_secret_access_key = ${AWS_SECRET}`, AWS_SECRET],
    [`"SecretAccessKey": "${AWS_SECRET}",`, AWS_SECRET],
    [`posting to slack with ${SLACK}`, SLACK],
    [`Cookie: session=${JWT}; Path=/`, JWT],
  ])("%s", (line, secret) => {
    const redacted = redactSecrets(line);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain("[REDACTED]");
  });

  test.each([
    ["Authorization: Bearer abc.def-ghi_123", "abc.def-ghi_123"],
    ["curl -H 'Authorization: Basic dXNlcjpwYXNzd29yZA==' https://api", "dXNlcjpwYXNzd29yZA=="],
    ['-H "authorization: token 0123456789abcdef0123456789abcdef01234567"', "0123456789abcdef0123456789abcdef01234567"],
    ["PRIVATE-TOKEN: s3cr3t-v4lu3", "s3cr3t-v4lu3"],
  ])("header: %s", (line, secret) => {
    const redacted = redactSecrets(line);
    expect(redacted).not.toContain(secret);
    expect(redacted).toMatch(/^.*(?:authorization|TOKEN).*\[REDACTED\]/i);
  });

  // Gaps found by an adversarial probe: secrets that no variable name introduces.
  test.each([
    ["a CSV row of a downloaded key", `${AWS_KEY_ID},${AWS_SECRET}`],
    ["an access key printed with its secret", `created key ${AWS_TEMP_KEY_ID} with secret ${AWS_SECRET} for ci-bot`],
    ["the secret first", `${AWS_SECRET} ${AWS_KEY_ID}`],
    [
      "a table of `aws configure list`",
      `access_key     ****************ABCD shared-credentials-file\n${AWS_KEY_ID}  ${AWS_SECRET}`,
    ],
  ])("an AWS key pair without a variable name: %s", (_name, text) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(AWS_SECRET);
    expect(redacted).not.toMatch(/AKIA|ASIA[A-Z0-9]{16}/);
  });

  test("a 40-character hash beside an AWS key id is still a hash only when it is hex", () => {
    const sha = token("", 40, "0123456789abcdef");
    expect(redactSecrets(`deployed ${sha} with ${AWS_KEY_ID}`)).toContain(sha);
  });

  test.each([
    [
      "a bare scheme in a command line",
      `curl -H "Bearer ${token("", 32, "aB3dE5fG7hJ9kL1m")}" https://api.example.com`,
    ],
    ["in prose", `retrying with bearer ${token("", 24, "0123456789abcdefXYZ_-.")} after 401`],
    ["a long value without digits", `sending Bearer ${token("", 30, "abcdefghijKLMNOPqrst")}`],
  ])("a token after a bare Bearer: %s", (_name, line) => {
    const value = /bearer (\S+?)"?(?: |$)/i.exec(line)![1]!;
    const redacted = redactSecrets(line);
    expect(redacted).not.toContain(value);
    expect(redacted).toMatch(/bearer \[REDACTED\]/i);
  });

  test.each([
    ["Bearer token authentication is required"],
    ["the Bearer scheme (RFC 6750)"],
    ["Bearer ${{ secrets.API_TOKEN }}"],
  ])("words after Bearer that are no token stay: %s", (line) => {
    expect(redactSecrets(line)).toBe(line);
  });

  test("credentials in URLs, keeping the host", () => {
    expect(redactSecrets("git clone https://deploy:hunter2pass@git.example.com/team/repo.git")).toBe(
      "git clone https://[REDACTED]@git.example.com/team/repo.git",
    );
    expect(redactSecrets("fetching postgres://app:pa55word@db:5432/app")).toBe(
      "fetching postgres://[REDACTED]@db:5432/app",
    );
    const tokenAsUser = token("", 40, "0123456789abcdef");
    expect(redactSecrets(`https://${tokenAsUser}@github.com/o/r`)).toBe("https://[REDACTED]@github.com/o/r");
  });

  test("assignments whose name says secret", () => {
    expect(redactSecrets("DB_PASSWORD=correct-horse-battery")).toBe("DB_PASSWORD=[REDACTED]");
    expect(redactSecrets("  api_key: 9f8e7d6c5b4a39281706")).toBe("  api_key: [REDACTED]");
    expect(redactSecrets("--client-secret=abcdef123456")).toBe("--client-secret=[REDACTED]");
  });

  test("a private key is blanked from BEGIN to END, line structure kept", () => {
    const text = ["before", ...PEM, "after"].join("\n");
    const redacted = redactSecrets(text);
    expect(redacted.split("\n")).toEqual([
      "before",
      "-----BEGIN RSA PRIVATE KEY-----[REDACTED]",
      "[REDACTED]",
      "[REDACTED]",
      "[REDACTED]",
      "[REDACTED]-----END RSA PRIVATE KEY-----",
      "after",
    ]);
  });

  test("a private key escaped into one line (JSON)", () => {
    const line = `{"key": "${PEM.join("\\n")}", "name": "deploy"}`;
    const redacted = redactSecrets(line);
    for (const part of PEM_BODY) expect(redacted).not.toContain(part);
    expect(redacted).toContain('"name": "deploy"');
  });

  test("ordinary log text is left alone", () => {
    const text = [
      "Installing glib2-devel-2.68.4-14.el9.x86_64 and glibc-langpack-en-2.34",
      "commit 9f2c3b1a8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a",
      "Authorization header missing for /api/v1/items",
      "GITHUB_TOKEN: ***",
      "token: ${{ secrets.GITHUB_TOKEN }}",
      "src/auth/token.ts(12,3): error TS2304: Cannot find name 'tokenize'.",
      "visit https://github.com/o/r/actions/runs/123",
    ].join("\n");
    expect(redactSecrets(text)).toBe(text);
  });

  test.each([
    ["ghp_".repeat(250_000)],
    ["eyJ".repeat(350_000)],
    ["a".repeat(1_000_000)],
    ["https://".repeat(125_000)],
    ["Authorization: ".repeat(60_000)],
    ["password=".repeat(100_000)],
    ["-----BEGIN RSA PRIVATE KEY-----".repeat(30_000)],
    [`${"_".repeat(500_000)}token${"=".repeat(500_000)}`],
  ])("hostile input of 1 MB finishes: %#", (text) => {
    expect(typeof redactSecrets(text)).toBe("string");
  });
});

describe("nothing secret leaves the summarizer", () => {
  const SECRETS = [
    ...GITHUB,
    GITHUB_FINE_GRAINED,
    ...GITLAB,
    AWS_KEY_ID,
    AWS_SECRET,
    SLACK,
    JWT,
    ...PEM_BODY,
    "hunter2pass",
  ];
  const LOG = actionsLog([
    "##[group]Run ./deploy.sh",
    "##[endgroup]",
    `+ git push https://deploy:hunter2pass@github.com/o/r.git HEAD:main`,
    `+ export GH_TOKEN=${GITHUB[0]} GITLAB_TOKEN=${GITLAB[0]}`,
    `Using ${GITHUB[1]} ${GITHUB[2]} ${GITHUB[3]} ${GITHUB[4]} ${GITHUB_FINE_GRAINED}`,
    `aws_access_key_id=${AWS_KEY_ID} aws_secret_access_key=${AWS_SECRET}`,
    ...PEM,
    `error: remote rejected: token ${SLACK} ${GITLAB[1]} jwt ${JWT} is invalid`,
    `fatal: Authentication failed for 'https://deploy:hunter2pass@github.com/o/r.git/' ${GITLAB.slice(2).join(" ")}`,
    "##[error]Process completed with exit code 128.",
  ]);

  async function summaryFrom(chunkSize: number) {
    const bytes = Buffer.from(LOG);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
    return summarizeLog(Readable.from(chunks), { maxLines: 40 });
  }

  test.each([1, 3, 7, 64, 1 << 20])("in chunks of %i bytes", async (chunkSize) => {
    const summary = await summaryFrom(chunkSize);
    const outputs = [
      summary.excerpt.join("\n"),
      summary.headline ?? "",
      renderSummaryMarkdown(summary),
      renderSummaryText(summary),
    ];
    expect(summary.excerpt.join("\n")).toContain("fatal: Authentication failed");
    for (const output of outputs) for (const secret of SECRETS) expect(output).not.toContain(secret);
  });

  test("lines inside a private key are never shown, even as context", async () => {
    const summary = await summarizeLog(
      Readable.from([["config:", ...PEM, "error: key rejected by server"].join("\n")]),
      { maxLines: 20 },
    );
    expect(summary.excerpt.join("\n")).toContain("error: key rejected by server");
    for (const part of PEM_BODY) expect(summary.excerpt.join("\n")).not.toContain(part);
  });

  test("a key that starts far into a long line is still tracked", async () => {
    const log = [`config: ${"x".repeat(900)} ${PEM[0]}`, PEM_BODY[0], "error: key rejected by server"].join("\n");
    const summary = await summarizeLog(Readable.from([log]), { maxLines: 20 });
    for (const part of PEM_BODY) expect(summary.excerpt.join("\n")).not.toContain(part);
  });

  test("a token across the display cut of a long line is redacted whole", async () => {
    const padding = "p".repeat(463);
    const summary = await summarizeLog(
      Readable.from([`error: push rejected ${padding} ${GITHUB[0]} ${"q".repeat(400)}\n`]),
    );
    const shown = summary.excerpt.join("\n");
    expect(shown).not.toContain(GITHUB[0]!.slice(0, 12));
    expect(shown.endsWith("…")).toBe(true);
  });

  test("renderers redact what they are given", () => {
    const text = renderSummaryText({
      excerpt: [`error: bad credentials ${GITHUB[0]}`],
      headline: null,
      linesRead: 1,
      bytesRead: 10,
    });
    expect(text).not.toContain(GITHUB[0]);
  });
});

describe("secret-named assignments versus compiler prose", () => {
  it.each([
    [
      "parser.cpp(88,17): error C2065: 'tokenCount': undeclared identifier",
      "parser.cpp(88,17): error C2065: 'tokenCount': undeclared identifier",
    ],
    [
      "error TS2741: Property 'passwordHash' is missing in type 'User'",
      "error TS2741: Property 'passwordHash' is missing in type 'User'",
    ],
    ['{"password": "hunter2xyz"}', '{"password": "[REDACTED]"}'],
    ["{'token': 'abcdef123456'}", "{'token': '[REDACTED]'}"],
    ['"secretKey": abc123def456', '"secretKey": [REDACTED]'],
    ["password: correcthorse", "password: [REDACTED]"],
  ])("%s", (line, expected) => {
    expect(redactSecrets(line)).toBe(expected);
  });
});
