import { createHmac } from "node:crypto";
import { createServer } from "node:net";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string }>;
}

/** A real payload from @octokit/webhooks-examples (deep-copied so tests can edit it). */
export function githubExample(
  event: string,
  action: string | undefined,
  pick: (p: Record<string, unknown>) => boolean = () => true,
) {
  const groups = require("@octokit/webhooks-examples/api.github.com/index.json") as ExampleGroup[];
  const example = groups.find((g) => g.name === event)?.examples.find((e) => e.action === action && pick(e));
  if (!example) throw new Error(`no ${event}.${action} example`);
  return structuredClone(example) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export function signGitHub(body: string, secret: string): string {
  return "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function postGitHubWebhook(
  url: string,
  event: string,
  payload: unknown,
  options: { secret: string; deliveryId: string; signature?: string | null },
): Promise<Response> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": event,
    "x-github-delivery": options.deliveryId,
  };
  const signature = options.signature === undefined ? signGitHub(body, options.secret) : options.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return fetch(url, { method: "POST", headers, body });
}
