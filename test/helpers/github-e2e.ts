import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { startFactoryServer, type FactoryServer, type FactoryServerOptions } from "../../src/entry/server.js";
import { FakeGitHub } from "./fake-github-server.js";
import { validateGitHubRequest } from "./github-openapi.js";
import { freePort, githubExample, postGitHubWebhook } from "./webhooks.js";

export const E2E_SECRET = "e2e-webhook-secret";

/** One pino line: `level` is pino's number (50 = error). */
export type LogRecord = { level: number; msg?: string } & Record<string, unknown>;

/** A stream that parses each JSON line written to it into `into`. */
function logCapture(into: LogRecord[]): Writable {
  let rest = "";
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines.filter((l) => l.trim() !== "")) into.push(JSON.parse(line) as LogRecord);
      done();
    },
  });
}

export interface GitHubE2E {
  fake: FakeGitHub;
  server: FactoryServer;
  /** The server's GitHub webhook URL. */
  url: string;
  /** Requests that broke GitHub's OpenAPI description. */
  problems: string[];
  /** The app's private key (PEM), for clients that authenticate as the app. */
  privateKey: string;
  /** The server's JSON log lines so far, parsed. */
  logs: LogRecord[];
  /**
   * Takes the log lines a test expects out of `logs`. Error-level lines nobody took are printed
   * when the server stops, so an unexpected error still shows.
   */
  takeLogs(match: (line: LogRecord) => boolean): LogRecord[];
  deliver(event: string, payload: unknown, deliveryId: string): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * The real server (`npm start`'s code path) against a fake GitHub Enterprise Server API on
 * 127.0.0.1, every request checked against GitHub's OpenAPI description.
 */
export async function startGitHubE2E(
  files: Record<string, string>,
  env: NodeJS.ProcessEnv = {},
  options: Omit<FactoryServerOptions, "env"> = {},
): Promise<GitHubE2E> {
  const fake = new FakeGitHub(files);
  fake.permissions.set("alice", "write");
  const problems: string[] = [];
  fake.onRequest = (req) => {
    // GHES serves GraphQL at /api/graphql, beside the REST root the fake strips.
    const path = req.path === "/api/graphql" ? "/graphql" : req.path;
    const check = validateGitHubRequest(req.method, path + (req.query.size ? `?${req.query}` : ""), req.body);
    problems.push(...check.problems.map((p) => `${req.method} ${req.path}: ${p}`));
  };
  await fake.start();
  const workdir = mkdtempSync(join(tmpdir(), "factory-e2e-"));
  const port = await freePort();
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  const logs: LogRecord[] = [];
  const server = await startFactoryServer({
    logDestination: logCapture(logs),
    env: {
      APP_ID: "1",
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: E2E_SECRET,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: (process.env.E2E_LOG_LEVEL ?? "error") as "error",
      LOG_FORMAT: "json",
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FACTORY_WORKDIR: workdir,
      ...env,
    },
    ...options,
  });
  const url = `http://127.0.0.1:${port}/api/github/webhooks`;
  return {
    fake,
    server,
    url,
    problems,
    privateKey,
    logs,
    takeLogs(match) {
      const taken = logs.filter(match);
      for (const line of taken) logs.splice(logs.indexOf(line), 1);
      return taken;
    },
    deliver: (event, payload, deliveryId) => postGitHubWebhook(url, event, payload, { secret: E2E_SECRET, deliveryId }),
    async stop() {
      await server.stop();
      for (const line of logs.filter((l) => l.level >= 50)) process.stderr.write(`${JSON.stringify(line)}\n`);
      await fake.stop();
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}

/** A real `issues.labeled` payload, moved to the fake's repository: alice labels issue 12 `factory`. */
export function labeledPayload(fake: FakeGitHub) {
  const payload = githubExample("issues", "labeled");
  payload.installation = { id: 42, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI=" };
  Object.assign(payload.repository, {
    name: fake.repo,
    full_name: `${fake.owner}/${fake.repo}`,
    default_branch: "main",
  });
  payload.repository.owner.login = fake.owner;
  payload.label = { ...payload.label, name: "factory" };
  payload.sender = { ...payload.sender, login: "alice", type: "User" };
  payload.issue.number = 12;
  payload.issue.title = "Add a dark theme";
  delete payload.issue.pull_request;
  return payload;
}

/** A real `pull_request_review.submitted` payload, moved to the fake's repository and PR. */
export function reviewPayload(fake: FakeGitHub, pull: number, reviewer: string, state: string, body = "") {
  const payload = githubExample("pull_request_review", "submitted");
  payload.installation = { id: 42, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI=" };
  Object.assign(payload.repository, {
    name: fake.repo,
    full_name: `${fake.owner}/${fake.repo}`,
    default_branch: "main",
  });
  payload.repository.owner.login = fake.owner;
  payload.pull_request.number = pull;
  payload.review = { ...payload.review, state, body, user: { ...payload.review.user, login: reviewer, type: "User" } };
  payload.sender = { ...payload.sender, login: reviewer, type: "User" };
  return payload;
}
