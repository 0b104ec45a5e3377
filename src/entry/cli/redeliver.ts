import { createProbot } from "probot";
import { FactoryOctokit } from "../../github/octokit.js";
import type { CliCommand, CliIo } from "./types.js";

/** One webhook delivery of the app, as `GET /app/hook/deliveries` lists it. */
export interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
}

/** The small Octokit surface redelivery needs (an app-authenticated client: JWT). */
export interface AppClient {
  request(
    route: string,
    params?: Record<string, unknown>,
  ): Promise<{ data: unknown; headers: Record<string, unknown> }>;
}

const HELP = `Usage: factory-bot redeliver [--since 6h] [--dry-run]

Asks GitHub to redeliver the GitHub App's webhook deliveries that failed (GitHub does not retry
them by itself): lists the app's deliveries since the given time (GET /app/hook/deliveries),
skips every delivery whose guid was later delivered successfully, and asks once for each other
failed one (POST /app/hook/deliveries/{id}/attempts). The bot's handlers are idempotent, so a
delivery that half-ran finishes without duplicates.

Options:
  --since DURATION   how far back to look: 30m, 6h, 2d (default 6h; GitHub keeps 3 days)
  --dry-run          list what would be redelivered, ask for nothing
  --help             this text

Needs APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH (GHE_HOST for GitHub Enterprise Server).
`;

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `6h`, `30m`, `2d`, `90s` as milliseconds, or null. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2]!]! : null;
}

const failed = (d: HookDelivery) => d.status !== "OK" && !(d.status_code >= 200 && d.status_code < 300);

/**
 * The deliveries to ask for again: per guid, none delivered successfully (a redelivery that
 * succeeded counts), at least one failed within the window; the newest failed attempt of each.
 */
export function pickRedeliveries(deliveries: HookDelivery[], since: Date): HookDelivery[] {
  const byGuid = new Map<string, HookDelivery[]>();
  for (const d of deliveries) byGuid.set(d.guid, [...(byGuid.get(d.guid) ?? []), d]);
  const picked: HookDelivery[] = [];
  for (const attempts of byGuid.values()) {
    if (attempts.some((d) => !failed(d))) continue;
    const recent = attempts.filter((d) => Date.parse(d.delivered_at) >= since.getTime());
    if (recent.length === 0) continue;
    picked.push(recent.reduce((a, b) => (Date.parse(a.delivered_at) >= Date.parse(b.delivered_at) ? a : b)));
  }
  return picked.sort((a, b) => Date.parse(a.delivered_at) - Date.parse(b.delivered_at));
}

const NEXT_CURSOR = /<[^>]*[?&]cursor=([^&>]+)[^>]*>;\s*rel="next"/;

/** Lists the app's deliveries newest first, following the Link header's cursor, until older than `since`. */
export async function listDeliveries(client: AppClient, since: Date): Promise<HookDelivery[]> {
  const all: HookDelivery[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { data, headers } = await client.request("GET /app/hook/deliveries", {
      per_page: 100,
      ...(cursor ? { cursor } : {}),
    });
    const page = data as HookDelivery[];
    all.push(...page);
    const next = NEXT_CURSOR.exec(String(headers.link ?? ""));
    const oldest = page.at(-1);
    // The list is newest first; past the window, later pages only hold older deliveries.
    if (!next || !oldest || Date.parse(oldest.delivered_at) < since.getTime()) return all;
    cursor = decodeURIComponent(next[1]!);
  }
}

export interface RedeliverResult {
  considered: number;
  picked: HookDelivery[];
  redelivered: HookDelivery[];
  errors: Array<{ delivery: HookDelivery; message: string }>;
}

/** Lists, picks and (unless `dryRun`) asks GitHub to redeliver each failed delivery once. */
export async function redeliverFailed(
  client: AppClient,
  options: { since: Date; dryRun: boolean },
): Promise<RedeliverResult> {
  const deliveries = await listDeliveries(client, options.since);
  const picked = pickRedeliveries(deliveries, options.since);
  const result: RedeliverResult = { considered: deliveries.length, picked, redelivered: [], errors: [] };
  if (options.dryRun) return result;
  for (const delivery of picked) {
    try {
      await client.request("POST /app/hook/deliveries/{delivery_id}/attempts", { delivery_id: delivery.id });
      result.redelivered.push(delivery);
    } catch (err) {
      result.errors.push({ delivery, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

/** An app-authenticated (JWT) client from the server's own variables. */
export async function appClient(env: NodeJS.ProcessEnv, Octokit = FactoryOctokit): Promise<AppClient> {
  const probot = createProbot({ env, overrides: { Octokit, logLevel: "fatal" } });
  return (await probot.auth()) as unknown as AppClient;
}

function describe(d: HookDelivery): string {
  const event = d.action ? `${d.event}.${d.action}` : d.event;
  return `${d.guid} (${event}, delivery ${d.id}, answered ${d.status_code || "nothing"} at ${d.delivered_at})`;
}

function report(io: CliIo, result: RedeliverResult, dryRun: boolean): void {
  const out = (line: string) => io.stdout.write(`${line}\n`);
  out(`${result.considered} deliveries listed; ${result.picked.length} failed and not yet redelivered successfully.`);
  for (const d of result.picked) {
    const error = result.errors.find((e) => e.delivery === d);
    out(
      `${dryRun ? "would redeliver" : error ? "could not redeliver" : "redelivered"} ${describe(d)}${error ? `: ${error.message}` : ""}`,
    );
  }
}

export interface RedeliverDeps {
  client?: (env: NodeJS.ProcessEnv) => Promise<AppClient>;
  now?: () => Date;
}

export function redeliverCommandWith(deps: RedeliverDeps = {}): CliCommand {
  return async (args, io) => {
    let sinceMs = 6 * UNITS.h!;
    let dryRun = false;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === "--help" || arg === "-h") {
        io.stdout.write(HELP);
        return 0;
      }
      if (arg === "--dry-run") dryRun = true;
      else if (arg === "--since" || arg.startsWith("--since=")) {
        const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[++i];
        const parsed = value === undefined ? null : parseDuration(value);
        if (parsed === null) {
          io.stderr.write(`factory-bot redeliver: --since takes a duration such as 30m, 6h or 2d\n`);
          return 2;
        }
        sinceMs = parsed;
      } else {
        io.stderr.write(`factory-bot redeliver: unknown option ${arg}\n\n${HELP}`);
        return 2;
      }
    }
    if (!io.env.APP_ID || !(io.env.PRIVATE_KEY || io.env.PRIVATE_KEY_PATH)) {
      io.stderr.write("factory-bot redeliver: set APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) of the GitHub App\n");
      return 2;
    }
    const now = (deps.now ?? (() => new Date()))();
    const client = await (deps.client ?? appClient)(io.env);
    const result = await redeliverFailed(client, { since: new Date(now.getTime() - sinceMs), dryRun });
    report(io, result, dryRun);
    return result.errors.length > 0 ? 1 : 0;
  };
}

/** `factory-bot redeliver [--since 6h] [--dry-run]` */
export const redeliverCommand: CliCommand = redeliverCommandWith();
