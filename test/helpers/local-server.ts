import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A fault the fake answers with instead of its normal reply:
 * - `status`: refused before anything happens (502, or 403 secondary rate limit with `retry-after`);
 * - `lost-response`: the request is carried out, then the connection drops before any answer, as a
 *   timeout at a proxy does, so the client cannot know whether the write happened.
 */
export type Fault =
  { kind: "status"; status: number; headers?: Record<string, string>; body?: unknown } | { kind: "lost-response" };

export const FAULTS = {
  badGateway: { kind: "status", status: 502, body: { message: "Bad Gateway" } },
  lostResponse: { kind: "lost-response" },
  secondaryRateLimit: {
    kind: "status",
    status: 403,
    headers: { "retry-after": "1" },
    body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
  },
} satisfies Record<string, Fault>;

interface PendingFault {
  method: string;
  path: RegExp;
  fault: Fault;
  times: number;
  after: number;
}

/** A fake API's HTTP side on 127.0.0.1: a random port, and a 500 for a handler that throws. */
export abstract class LocalServer {
  #server: Server | null = null;
  #faults: PendingFault[] = [];
  port = 0;
  /** Faults served so far, as `METHOD path kind`. */
  faultsServed: string[] = [];

  /** After `after` of them, the next `times` requests matching `method` and `path` (the URL path) get `fault`. */
  injectFault(method: string, path: RegExp, fault: Fault, times = 1, after = 0): void {
    this.#faults.push({ method, path, fault, times, after });
  }

  #takeFault(req: IncomingMessage): Fault | null {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const pending = this.#faults.find((f) => f.method === req.method && f.path.test(path) && f.times > 0);
    if (!pending) return null;
    if (pending.after > 0) {
      pending.after -= 1;
      return null;
    }
    pending.times -= 1;
    this.faultsServed.push(`${req.method} ${path} ${pending.fault.kind === "status" ? pending.fault.status : "lost"}`);
    return pending.fault;
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    const fault = this.#takeFault(req);
    if (fault?.kind === "status") {
      req.resume();
      res.writeHead(fault.status, { "content-type": "application/json", ...fault.headers });
      res.end(JSON.stringify(fault.body ?? {}));
      return;
    }
    if (fault?.kind === "lost-response") {
      // The write happens; its answer never arrives.
      const muted = res as unknown as Record<string, unknown>;
      muted.writeHead = () => res;
      muted.setHeader = () => res;
      muted.write = () => true;
      muted.end = () => res;
      this.handle(req, res)
        .catch(() => undefined)
        .finally(() => req.socket.destroy());
      return;
    }
    this.handle(req, res).catch((err: unknown) => sendJson(res, 500, { message: String(err) }));
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  async start(): Promise<void> {
    this.#server = createServer((req, res) => this.#serve(req, res));
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
