import { pino } from "pino";
import { redactingLogOptions, registerSecrets } from "../log-redaction.js";
import type { Logger } from "../../core/deps.js";
import { uniqueKeys } from "../unique-keys.js";
import type { AwsCall } from "./aws-json.js";
import { loadParameters, parameterNamesFromEnv } from "./parameters.js";

/** JSON lines on stdout, which Lambda sends to CloudWatch Logs, each key once and no credential per line. */
export function lambdaLogger(
  env: NodeJS.ProcessEnv,
  fn: string,
  destination: { write(line: string): unknown } = pino.destination(1),
): Logger {
  return pino(
    { level: env.LOG_LEVEL || "info", base: { fn }, ...redactingLogOptions(env) },
    { write: (line: string) => destination.write(uniqueKeys(line)) },
  ) as unknown as Logger;
}

/** The function's environment with the secrets named by `FACTORY_SSM_PARAMETERS` read from SSM. */
export async function lambdaEnv(env: NodeJS.ProcessEnv, aws: AwsCall, logger: Logger): Promise<NodeJS.ProcessEnv> {
  if (parameterNamesFromEnv(env).length === 0) return env;
  const { env: loaded, missing } = await loadParameters(env, aws);
  registerSecrets(loaded);
  if (missing.length > 0) logger.info({ missing }, "SSM parameters not found; what they configure stays off");
  return loaded;
}
