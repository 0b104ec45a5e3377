/**
 * Secret redaction for every piece of log text that leaves the process (comments, task files,
 * summaries). Logs are hostile input: every quantifier below is bounded and no group can match
 * the same text two ways, so each pattern runs in time linear in the input, however long.
 */

export const REDACTED = "[REDACTED]";

const TOKEN_CHARS = "A-Za-z0-9_-";

/** Tokens recognisable by their issuer's prefix; the whole token goes. */
const PREFIXED_TOKENS: readonly RegExp[] = [
  // GitHub: personal, OAuth, user-to-server, server-to-server, refresh; fine-grained PATs.
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})/g,
  // GitLab: glpat-, gldt-, glrt-, glcbt-, glptt-, glft-, glimt-, glagent-, glsoat-, glffct-, gloas-…
  new RegExp(`\\bgl[a-z]{1,7}-[${TOKEN_CHARS}]{20,255}`, "g"),
  /\bGR1348941[A-Za-z0-9_-]{16,255}/g,
  // AWS access key ids (long-term AKIA, temporary ASIA, and the other documented id prefixes).
  /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}\b/g,
  // Slack bot/user/app tokens and incoming-webhook URLs.
  /\bxox[abprs]-[A-Za-z0-9-]{10,255}/g,
  /\bxapp-\d-[A-Za-z0-9-]{10,255}/g,
  /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{10,255}/g,
  // JWTs, also cut short: `eyJ` is base64 for `{"`, the start of every JWT header.
  new RegExp(`\\beyJ[${TOKEN_CHARS}]{8,4096}(?:\\.[${TOKEN_CHARS}]{0,4096}){0,2}`, "g"),
  // Registries and payment/cloud keys that show up in build logs.
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\bpypi-[A-Za-z0-9_-]{50,255}/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\b[rs]k_live_[0-9A-Za-z]{20,255}/g,
];

const SCHEMES = "bearer|basic|token|bot|digest|negotiate|ntlm|aws4-hmac-sha256|gitlab-ci-token";

/** AWS access key ids (long-term AKIA, temporary ASIA, and the other documented id prefixes). */
const AWS_KEY_ID = /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}\b/;
/**
 * A secret access key is 40 characters of base64. Beside a key id (a CSV row, a table, a
 * sentence) it is redacted even with no name before it; 40 hex digits are a commit hash.
 */
const AWS_SECRET_NEAR_ID = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const HEX_ONLY = /^[0-9a-f]{40}$/i;
/**
 * `Bearer <token>` without an `Authorization:` before it. A token has a digit or another
 * character no English word has, or is too long for a word; `$TOKEN` and `${{ … }}` are references.
 */
const BARE_BEARER = /\b(bearer\s{1,4})([A-Za-z0-9._~+/=-]{8,4096})/gi;

/** `Name: value` pairs whose value is a credential: the name stays, the value goes. */
const CREDENTIAL_FIELDS: readonly RegExp[] = [
  // HTTP headers, also as `-H "Authorization: Bearer …"` or `extraheader AUTHORIZATION: basic …`.
  new RegExp(
    `\\b((?:proxy-)?authorization|private-token|job-token|x-api-key|x-auth-token|x-gitlab-token|x-vault-token)` +
      `(["']?\\s{0,4}[:=]\\s{0,4}["']?)((?:${SCHEMES})\\s{1,4})?([^\\s"',;]{1,4096})`,
    "gi",
  ),
  // AWS secrets as env variables, ini lines or `aws sts` JSON output.
  /\b((?:aws_?)?(?:secret_?access_?key|session_?token))(["']?\s{0,4}[:=]\s{0,4}["']?)([A-Za-z0-9/+=]{16,4096})/gi,
];

/** `user:password@` in any URL; a long user name alone is a token (`https://<token>@host`). */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{1,20}:\/\/)[^\s/?#@:'"]{1,256}:[^\s/?#@'"]{1,256}@/gi;
const URL_TOKEN_USER = /\b([a-z][a-z0-9+.-]{1,20}:\/\/)[A-Za-z0-9_-]{20,256}@/gi;

/**
 * `password=…`, `api_key: …`, `SECRET_TOKEN=…`: any assignment whose name says secret. Values that
 * are already masked or are references (`***`, `$VAR`, `${{ secrets.X }}`, `<token>`) are left.
 */
const SECRET_ASSIGNMENT =
  /(password|passwd|secret|token|api_?key|apikey|access_?key|private_?key|client_?secret)([A-Za-z0-9_.-]{0,40})(["']?\s{0,4}[:=]\s{0,4}["']?)([^\s"',;&*$<%[{][^\s"',;&]{5,4096})/gi;

const PEM_BEGIN = /-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----/;
const PEM_END = /-----END[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----/;

/** True when the line opens a private key block (PEM, OpenSSH, PGP). */
export function opensPrivateKey(line: string): boolean {
  return line.includes("-----BEGIN") && PEM_BEGIN.test(line);
}

/** True when the line closes a private key block. */
export function closesPrivateKey(line: string): boolean {
  return line.includes("-----END") && PEM_END.test(line);
}

/**
 * Redacts secrets from text before it leaves the process. Multi-line text keeps its line
 * structure; private key blocks are blanked from their BEGIN line to their END line.
 */
export function redactSecrets(text: string): string {
  const blanked = text.includes("-----BEGIN") ? blankPrivateKeys(text) : text;
  return redactTokens(blanked);
}

/** Token and credential patterns of one piece of text (no private-key state). */
function redactTokens(text: string): string {
  let out = text.includes("A") && AWS_KEY_ID.test(text) ? redactAwsSecretsBesideIds(text) : text;
  for (const pattern of PREFIXED_TOKENS) out = out.replace(pattern, REDACTED);
  for (const pattern of CREDENTIAL_FIELDS) out = out.replace(pattern, keepNameRedactValue);
  out = out.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(URL_TOKEN_USER, `$1${REDACTED}@`);
  out = out.replace(BARE_BEARER, (match: string, scheme: string, value: string) =>
    looksLikeToken(value) ? `${scheme}${REDACTED}` : match,
  );
  return out.replace(SECRET_ASSIGNMENT, redactAssignedSecret);
}

/** Line by line: a secret key is redacted where its line also holds a key id. */
function redactAwsSecretsBesideIds(text: string): string {
  return text
    .split("\n")
    .map((line) =>
      AWS_KEY_ID.test(line)
        ? line.replace(AWS_SECRET_NEAR_ID, (candidate) => (HEX_ONLY.test(candidate) ? candidate : REDACTED))
        : line,
    )
    .join("\n");
}

function looksLikeToken(value: string): boolean {
  return value.length >= 20 || /[0-9._~+/=-]/.test(value);
}

/**
 * Like keepNameRedactValue, except for a diagnostic that quotes an identifier and goes on in
 * words (`'tokenCount': undeclared identifier`): a quoted name, an unquoted value and more words
 * after it are prose. `"password": "…"`, `{'token': '…'}` and YAML's `"secret": abc123` are still
 * redacted.
 */
function redactAssignedSecret(
  match: string,
  name: string,
  rest: string,
  separator: string,
  value: string,
  offset: number,
  whole: string,
): string {
  const quotedName = offset > 0 && /["']/.test(whole[offset - 1] ?? "");
  const quotedValue = /["']\s*$/.test(separator);
  const proseFollows = /^ +[A-Za-z]/.test(whole.slice(offset + match.length, offset + match.length + 8));
  if (quotedName && !quotedValue && proseFollows) return match;
  return keepNameRedactValue(match, name, rest, separator, value, offset, whole);
}

function keepNameRedactValue(match: string, ...groups: unknown[]): string {
  const value = groups.slice(0, -2).filter((g): g is string => typeof g === "string");
  const secret = value[value.length - 1];
  if (!secret || secret === REDACTED) return match;
  return match.slice(0, match.length - secret.length) + REDACTED;
}

/** Line by line, so a key split over many lines (or over chunks of a stream) is caught whole. */
function blankPrivateKeys(text: string): string {
  const lines = text.split("\n");
  let insideKey = false;
  for (let i = 0; i < lines.length; i++) {
    const result = blankKeyText(lines[i] ?? "", insideKey);
    lines[i] = result.text;
    insideKey = result.insideKey;
  }
  return lines.join("\n");
}

/** Keeps the BEGIN/END markers (they say what was there) and blanks what lies between them. */
function blankKeyText(line: string, startsInsideKey: boolean): { text: string; insideKey: boolean } {
  let rest = line;
  let out = "";
  let insideKey = startsInsideKey;
  for (;;) {
    if (insideKey) {
      const end = PEM_END.exec(rest);
      if (!end) return { text: out + REDACTED, insideKey: true };
      out += `${REDACTED}${end[0]}`;
      rest = rest.slice(end.index + end[0].length);
      insideKey = false;
    }
    const begin = PEM_BEGIN.exec(rest);
    if (!begin) return { text: out + rest, insideKey: false };
    out += rest.slice(0, begin.index + begin[0].length);
    rest = rest.slice(begin.index + begin[0].length);
    insideKey = true;
  }
}
