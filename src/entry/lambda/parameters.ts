import type { AwsCall } from "./aws-json.js";

/** GetParameters takes at most this many names per call. */
const NAMES_PER_CALL = 10;

/** `FACTORY_SSM_PARAMETERS`: comma-separated SSM parameter names, e.g. `/factory-bot/WEBHOOK_SECRET`. */
export function parameterNamesFromEnv(env: NodeJS.ProcessEnv): string[] {
  return (env.FACTORY_SSM_PARAMETERS ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
}

/** The variable a parameter sets: the last segment of its name (`/factory-bot/PRIVATE_KEY` → `PRIVATE_KEY`). */
export function variableOf(parameterName: string): string {
  return parameterName.slice(parameterName.lastIndexOf("/") + 1);
}

export interface LoadedParameters {
  env: NodeJS.ProcessEnv;
  /** Names SSM does not have: that forge is simply off, which the entry logs. */
  missing: string[];
}

/**
 * Secrets are read from SSM Parameter Store (SecureString, decrypted) when the function starts,
 * not resolved into serverless.yml: they never appear in the CloudFormation template or in the
 * function's configuration, and `serverless package` needs no AWS credentials. A variable already
 * set in the function's environment is kept.
 */
interface GetParametersReply {
  Parameters?: Array<{ Name?: string; Value?: string }>;
  InvalidParameters?: string[];
}

export async function loadParameters(env: NodeJS.ProcessEnv, aws: AwsCall): Promise<LoadedParameters> {
  const names = parameterNamesFromEnv(env);
  const loaded: NodeJS.ProcessEnv = { ...env };
  const missing: string[] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    const reply = await aws<GetParametersReply>("ssm", "GetParameters", {
      Names: names.slice(i, i + NAMES_PER_CALL),
      WithDecryption: true,
    });
    for (const parameter of reply.Parameters ?? []) {
      const variable = variableOf(parameter.Name ?? "");
      if (variable && parameter.Value !== undefined && !loaded[variable]) loaded[variable] = parameter.Value;
    }
    missing.push(...(reply.InvalidParameters ?? []));
  }
  return { env: loaded, missing };
}
