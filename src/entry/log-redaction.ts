import type { LoggerOptions } from "pino";

const CENSOR = "[redacted]";

/**
 * Request headers that carry a credential. pino-http (Probot's access log) serializes every
 * request header, so GitLab's `X-Gitlab-Token` (the webhook secret itself) would be logged.
 */
const SECRET_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-gitlab-token",
  "x-hub-signature",
  "x-hub-signature-256",
  "x-amz-security-token",
];

/** Paths where a logged object can hold headers (access log, Octokit errors, our own lines). */
export const REDACT_PATHS = SECRET_HEADERS.flatMap((h) => [
  `req.headers["${h}"]`,
  `res.headers["${h}"]`,
  `headers["${h}"]`,
  `*.headers["${h}"]`,
  `err.request.headers["${h}"]`,
  `err.response.headers["${h}"]`,
]);

/** Server variables whose values are credentials: they never appear in a log line, whatever logged them. */
const SECRET_VARIABLES = [
  "WEBHOOK_SECRET",
  "PRIVATE_KEY",
  "GITLAB_TOKEN",
  "GITLAB_WEBHOOK_SECRET",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "CLIENT_SECRET",
  "GITHUB_CLIENT_SECRET",
  "REDIS_URL",
];

// Token shapes that appear at run time (installation tokens are minted per hour, never in env).
const TOKEN_SHAPES =
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255}|glpat-[A-Za-z0-9_-]{20,255}|gl(?:dt|ft|cbt|rt|soat|ptt|agent|imt|oas)-[A-Za-z0-9_-]{20,255})\b/g;
const PEM_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;
const PEM_BLOCK_ESCAPED = /-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\n|[^-])*?-----END [A-Z ]*PRIVATE KEY-----/g;
// Shorter values (a webhook secret of "s") would censor ordinary words.
const MIN_SECRET_LENGTH = 6;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The secret values of one environment, as written raw and as they appear inside a JSON string. */
function secretValues(env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = env[name]?.trim();
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    values.push(value, JSON.stringify(value).slice(1, -1));
    // A URL's password (redis://:pass@host) is the part that matters.
    if (name === "REDIS_URL") {
      try {
        const password = decodeURIComponent(new URL(value).password);
        if (password.length >= MIN_SECRET_LENGTH) values.push(password);
      } catch {
        // not a URL: the whole value is censored above
      }
    }
  }
  return values;
}

// One registry for the process: secrets read later (Lambda loads them from SSM) join it.
const knownSecrets = new Set<string>();
let knownPattern: RegExp | null = null;

/** Adds an environment's credentials to what every logger censors. */
export function registerSecrets(env: NodeJS.ProcessEnv): void {
  const before = knownSecrets.size;
  for (const value of secretValues(env)) knownSecrets.add(value);
  if (knownSecrets.size === before) return;
  const sorted = [...knownSecrets].sort((a, b) => b.length - a.length);
  knownPattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
}

/** Censors every known credential and token shape in one serialized log line. */
export function scrubCredentials(line: string): string {
  let out = knownPattern ? line.replace(knownPattern, CENSOR) : line;
  out = out.replace(TOKEN_SHAPES, CENSOR);
  if (out.includes("PRIVATE KEY-----")) out = out.replace(PEM_BLOCK, CENSOR).replace(PEM_BLOCK_ESCAPED, CENSOR);
  return out;
}

/**
 * pino options every logger of the bot uses: credential headers removed by path, and every line
 * scrubbed of the configured secrets and of token shapes before it is written, at any level.
 */
export function redactingLogOptions(env: NodeJS.ProcessEnv): Pick<LoggerOptions, "redact" | "hooks"> {
  registerSecrets(env);
  return {
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    hooks: { streamWrite: scrubCredentials },
  };
}
