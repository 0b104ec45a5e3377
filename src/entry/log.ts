import { pino, type Logger as PinoLogger, type LogFn } from "pino";
import { getTransformStream } from "@probot/pino";
import { redactingLogOptions } from "./log-redaction.js";
import { uniqueKeys } from "./unique-keys.js";

export { uniqueKeys };

interface SignatureError extends Error {
  event?: { id?: string; name?: string };
  status?: number;
}

const SIGNATURE_FAILURE = /signature does not match|x-hub-signature/i;

/**
 * Probot logs a webhook whose signature fails at error level with the whole unauthenticated
 * payload, so anyone could fill the logs. Such a delivery becomes one warning with its id instead.
 */
export function quietSignatureFailures(this: PinoLogger, args: Parameters<LogFn>, method: LogFn): void {
  const [first] = args as unknown[];
  if (first instanceof Error && SIGNATURE_FAILURE.test(first.message)) {
    const { event, status } = first as SignatureError;
    const where = event ? { deliveryId: event.id, event: event.name } : {};
    this.warn(
      { ...where, status },
      "refused a webhook whose signature does not match WEBHOOK_SECRET (payload not logged)",
    );
    return;
  }
  method.apply(this, args);
}

/** The fields of an audit line (src/core/audit.ts) and its message, for a second destination (OTel logs). */
export type AuditSink = (fields: Record<string, unknown>, message: string) => void;

export interface ServerLogOptions {
  /** Where lines go; default stdout. */
  destination?: NodeJS.WritableStream;
  /** Also receives every audit line, in the caller's context (so it can carry the current trace). */
  audit?: AuditSink;
}

/** `LOG_FORMAT` (`json` | `pretty`); unset: JSON in production, pretty otherwise, as Probot does. */
export function logFormat(env: NodeJS.ProcessEnv): "json" | "pretty" {
  if (env.LOG_FORMAT) return env.LOG_FORMAT === "pretty" ? "pretty" : "json";
  return env.NODE_ENV === "production" ? "json" : "pretty";
}

function logMethodHook(audit: AuditSink | undefined) {
  return function (this: PinoLogger, args: Parameters<LogFn>, method: LogFn): void {
    const [fields, message] = args as unknown[];
    if (audit && isAuditLine(fields)) audit(fields, typeof message === "string" ? message : "");
    quietSignatureFailures.call(this, args, method);
  };
}

function isAuditLine(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && (value as { audit?: unknown }).audit === true;
}

/**
 * The servers' logger, GitHub and GitLab-only alike: Probot's level, format and transport options
 * (`LOG_LEVEL`, `LOG_FORMAT`, `LOG_LEVEL_IN_STRING`, `LOG_MESSAGE_KEY`, `SENTRY_DSN`), every line
 * with unique keys, and the hooks above.
 */
export async function serverLog(env: NodeJS.ProcessEnv, options: ServerLogOptions = {}): Promise<PinoLogger> {
  const transform = await getTransformStream({
    logFormat: logFormat(env),
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    sentryDsn: env.SENTRY_DSN,
  });
  transform.pipe(options.destination ?? (pino.destination(1) as unknown as NodeJS.WritableStream));
  const redaction = redactingLogOptions(env);
  return pino(
    {
      level: env.LOG_LEVEL || "info",
      name: "probot",
      messageKey: env.LOG_MESSAGE_KEY || "msg",
      redact: redaction.redact,
      hooks: { ...redaction.hooks, logMethod: logMethodHook(options.audit) },
    },
    { write: (line: string) => transform.write(uniqueKeys(line)) },
  );
}
