import { pino, type Logger as PinoLogger, type LogFn } from "pino";
import { getTransformStream } from "@probot/pino";
import { redactingLogOptions } from "./log-redaction.js";

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

/**
 * Probot's own logger (same level, format and transport options), with the hook above and no
 * credential in any line. `destination` replaces stdout (tests read every line).
 */
export async function serverLog(
  env: NodeJS.ProcessEnv,
  destination: NodeJS.WritableStream = pino.destination(1) as unknown as NodeJS.WritableStream,
): Promise<PinoLogger> {
  const logFormat = env.LOG_FORMAT
    ? env.LOG_FORMAT === "pretty"
      ? "pretty"
      : "json"
    : env.NODE_ENV === "production"
      ? "json"
      : "pretty";
  const transform = await getTransformStream({
    logFormat,
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    sentryDsn: env.SENTRY_DSN,
  });
  transform.pipe(destination);
  const redaction = redactingLogOptions(env);
  return pino(
    {
      level: env.LOG_LEVEL || "info",
      name: "probot",
      messageKey: env.LOG_MESSAGE_KEY || "msg",
      redact: redaction.redact,
      hooks: { ...redaction.hooks, logMethod: quietSignatureFailures },
    },
    transform,
  );
}
