import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import { createGzip } from "node:zlib";
import tarStream from "tar-stream";
import { LocalServer, readBody, sendJson } from "./local-server.js";

/**
 * A GitHub Enterprise Server-style REST API on 127.0.0.1 with in-memory git data, for the
 * end-to-end tests: the real server talks to it through `GHE_HOST`/`GHE_PROTOCOL=http`.
 * Every request is handed to `onRequest` first (the OpenAPI check lives there).
 */

export interface FakeFile {
  content: string;
  mode: "100644" | "100755";
}
type Tree = Map<string, FakeFile>;
interface Commit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}
export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: string };
  created_at: string;
}
export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
  labels: string[];
  reviewers: string[];
  teamReviewers: string[];
}
/** A review thread as GitHub's GraphQL API serves it (`reviewThreads`). */
export interface FakeReviewThread {
  id: string;
  pull: number;
  isResolved: boolean;
  path: string;
  line: number | null;
  diffHunk: string;
  comments: Array<{ id: number; body: string; author: string }>;
}
export interface HookDeliveryRecord {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  duration: number;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
  installation_id: number | null;
  repository_id: number | null;
}
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

const OWNER = "acme";
const REPO = "widgets";
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

export class FakeGitHub extends LocalServer {
  readonly owner = OWNER;
  readonly repo = REPO;
  appSlug = "factory-bot";
  defaultBranch = "main";
  trees = new Map<string, Tree>();
  commits = new Map<string, Commit>();
  refs = new Map<string, string>();
  comments: FakeComment[] = [];
  statuses: Array<{ sha: string; state: string; context: string; description?: string; target_url?: string }> = [];
  pulls: FakePull[] = [];
  permissions = new Map<string, string>();
  /** Workflow dispatches received, and the artifacts (zip bytes) each run id serves. */
  dispatches: Array<{ workflow: string; ref: string; inputs: Record<string, string> }> = [];
  runArtifacts = new Map<number, Buffer>();
  /** Check runs per commit SHA, as GitHub lists them; `log` is served as the Actions job log. */
  checkRuns = new Map<string, Array<{ id: number; name: string; conclusion: string | null; log?: string }>>();
  reviewThreads: FakeReviewThread[] = [];
  requests: RecordedRequest[] = [];
  onRequest: (req: RecordedRequest) => void = () => {};
  /** The app's webhook deliveries, newest first, as `GET /app/hook/deliveries` lists them. */
  hookDeliveries: HookDeliveryRecord[] = [];
  /** Called for `POST /app/hook/deliveries/{id}/attempts`: sends the delivery again, returns the HTTP status. */
  redeliver: (delivery: HookDeliveryRecord) => Promise<number> = async () => 202;
  #nextId = 1000;

  constructor(files: Record<string, string>) {
    super();
    const tree = new Map(Object.entries(files).map(([p, c]) => [p, { content: c, mode: "100644" as const }]));
    const treeSha = this.storeTree(tree);
    const commit = this.storeCommit({ tree: treeSha, parents: [], message: "initial" });
    this.refs.set(`heads/${this.defaultBranch}`, commit.sha);
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  headOf(branch: string): string | undefined {
    return this.refs.get(`heads/${branch}`);
  }

  filesAt(commitSha: string): Tree {
    const commit = this.commits.get(commitSha);
    return commit ? (this.trees.get(commit.tree) ?? new Map()) : new Map();
  }

  storeTree(tree: Tree): string {
    const sha = sha1(JSON.stringify([...tree.entries()].sort()));
    this.trees.set(sha, tree);
    return sha;
  }

  storeCommit(input: Omit<Commit, "sha">): Commit {
    const commit = { ...input, sha: sha1(JSON.stringify(input) + this.commits.size) };
    this.commits.set(commit.sha, commit);
    return commit;
  }

  isAncestor(ancestor: string, sha: string): boolean {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length) {
      const current = stack.pop()!;
      if (current === ancestor) return true;
      if (seen.has(current)) continue;
      seen.add(current);
      stack.push(...(this.commits.get(current)?.parents ?? []));
    }
    return false;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const raw = await readBody(req);
    const body: unknown = raw ? JSON.parse(raw) : undefined;
    if (url.pathname.startsWith("/_codeload/")) return this.sendTarball(res, url.pathname.slice("/_codeload/".length));
    if (url.pathname.startsWith("/_logs/")) return this.sendJobLog(res, Number(url.pathname.slice("/_logs/".length)));
    if (url.pathname.startsWith("/_artifacts/"))
      return this.sendArtifact(res, Number(url.pathname.slice("/_artifacts/".length)));
    const path = decodeURIComponent(url.pathname.replace(/^\/api\/v3/, ""));
    const recorded = { method: req.method ?? "GET", path, query: url.searchParams, body };
    this.requests.push(recorded);
    this.onRequest(recorded);
    const route = ROUTES.find((r) => r.method === recorded.method && r.pattern.test(path));
    if (!route) return sendJson(res, 404, { message: `fake GitHub has no route for ${recorded.method} ${path}` });
    const match = route.pattern.exec(path)!;
    return route.handle.call(this, { ...recorded, params: match.slice(1), req, res });
  }

  private sendTarball(res: ServerResponse, commitSha: string): void {
    const pack = tarStream.pack();
    const top = `${OWNER}-${REPO}-${commitSha.slice(0, 7)}/`;
    pack.entry({ name: top, type: "directory" });
    for (const [path, file] of this.filesAt(commitSha)) {
      pack.entry({ name: top + path, mode: file.mode === "100755" ? 0o755 : 0o644 }, file.content);
    }
    pack.finalize();
    res.writeHead(200, { "content-type": "application/x-gzip" });
    pack.pipe(createGzip()).pipe(res);
  }

  private sendArtifact(res: ServerResponse, runId: number): void {
    const zip = this.runArtifacts.get(runId);
    if (!zip) return sendJson(res, 404, { message: "Not Found" });
    res.writeHead(200, { "content-type": "application/zip" }).end(zip);
  }

  private sendJobLog(res: ServerResponse, jobId: number): void {
    const run = [...this.checkRuns.values()].flat().find((r) => r.id === jobId);
    if (!run?.log) return sendJson(res, 404, { message: "Not Found" });
    res.writeHead(200, { "content-type": "text/plain" }).end(run.log);
  }

  // Route handlers -------------------------------------------------------------------------
  nextId(): number {
    return this.#nextId++;
  }

  pullJson(p: FakePull) {
    const headSha = this.headOf(p.head) ?? "";
    return {
      number: p.number,
      html_url: `http://${this.host}/${OWNER}/${REPO}/pull/${p.number}`,
      title: p.title,
      body: p.body,
      draft: p.draft,
      state: p.state,
      merged_at: null,
      head: { ref: p.head, sha: headSha, label: `${OWNER}:${p.head}` },
      base: { ref: p.base, sha: this.headOf(p.base) ?? "" },
      user: { login: `${this.appSlug}[bot]`, type: "Bot" },
      labels: p.labels.map((name) => ({ name })),
      node_id: `PR_${p.number}`,
    };
  }

  /** The branch's commits from where it left `base` up to its head, oldest first. */
  pullCommits(p: FakePull): Commit[] {
    const base = this.headOf(p.base) ?? "";
    const chain: Commit[] = [];
    for (let sha = this.headOf(p.head); sha && sha !== base && !this.isAncestor(sha, base);) {
      const commit = this.commits.get(sha);
      if (!commit) break;
      chain.unshift(commit);
      sha = commit.parents[0];
    }
    return chain;
  }

  commentJson(c: FakeComment) {
    return {
      id: c.id,
      body: c.body,
      user: c.user,
      created_at: c.created_at,
      updated_at: c.created_at,
      html_url: `http://${this.host}/c/${c.id}`,
    };
  }
}

interface RouteInput extends RecordedRequest {
  params: string[];
  req: IncomingMessage;
  res: ServerResponse;
}
interface Route {
  method: string;
  pattern: RegExp;
  handle(this: FakeGitHub, input: RouteInput): void | Promise<void>;
}

const repoPath = `/repos/${OWNER}/${REPO}`;
const r = (method: string, path: string, handle: Route["handle"]): Route => ({
  method,
  pattern: new RegExp(`^${path.replace("REPO", repoPath.replace(/\//g, "\\/"))}$`),
  handle,
});

const ROUTES: Route[] = [
  r("POST", "/app/installations/(\\d+)/access_tokens", function ({ res }) {
    sendJson(res, 201, {
      token: "ghs_faketoken000000000000000000000000",
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      permissions: {},
    });
  }),
  r("GET", "/app/hook/deliveries", function ({ res, query }) {
    const perPage = Number(query.get("per_page") ?? 30);
    const start = Number(query.get("cursor") ?? 0);
    const page = this.hookDeliveries.slice(start, start + perPage);
    const next = start + perPage < this.hookDeliveries.length;
    const link = next
      ? {
          link: `<http://${this.host}/api/v3/app/hook/deliveries?per_page=${perPage}&cursor=${start + perPage}>; rel="next"`,
        }
      : {};
    res.writeHead(200, { "content-type": "application/json", ...link }).end(JSON.stringify(page));
  }),
  r("POST", "/app/hook/deliveries/(\\d+)/attempts", async function ({ res, params }) {
    const delivery = this.hookDeliveries.find((d) => d.id === Number(params[0]));
    if (!delivery) return sendJson(res, 404, { message: "Not Found" });
    sendJson(res, 202, {});
    const status = await this.redeliver(delivery);
    this.hookDeliveries.unshift({
      ...delivery,
      id: this.nextId(),
      redelivery: true,
      delivered_at: new Date().toISOString(),
      status: status < 300 ? "OK" : `Invalid HTTP Response: ${status}`,
      status_code: status,
    });
  }),
  r("GET", "/app", function ({ res }) {
    sendJson(res, 200, {
      id: 1,
      slug: this.appSlug,
      name: this.appSlug,
      owner: { login: OWNER },
      permissions: {},
      events: [],
    });
  }),
  r("GET", "REPO", function ({ res }) {
    sendJson(res, 200, {
      id: 1,
      name: REPO,
      full_name: `${OWNER}/${REPO}`,
      default_branch: this.defaultBranch,
      owner: { login: OWNER },
    });
  }),
  r("GET", "/repos/([^/]+)/([^/]+)/contents/(.+)", function ({ res, params, query }) {
    const [owner, repo, path] = params as [string, string, string];
    if (owner !== OWNER || repo !== REPO) return sendJson(res, 404, { message: "Not Found" });
    const ref = query.get("ref") ?? this.defaultBranch;
    const sha = this.headOf(ref) ?? ref;
    const file = this.filesAt(sha).get(path);
    if (!file) return sendJson(res, 404, { message: "Not Found" });
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(file.content);
  }),
  r("GET", "REPO/collaborators/([^/]+)/permission", function ({ res, params }) {
    const role = this.permissions.get(params[0]!) ?? "read";
    const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
    sendJson(res, 200, { permission, role_name: role, user: { login: params[0] } });
  }),
  r("GET", "REPO/git/ref/(.+)", function ({ res, params }) {
    const sha = this.refs.get(params[0]!);
    if (!sha) return sendJson(res, 404, { message: "Not Found" });
    sendJson(res, 200, { ref: `refs/${params[0]}`, object: { sha, type: "commit" } });
  }),
  r("GET", "REPO/tarball/(.+)", function ({ res, params }) {
    const sha = this.headOf(params[0]!) ?? params[0]!;
    if (!this.commits.has(sha)) return sendJson(res, 404, { message: "Not Found" });
    // GitHub redirects to codeload; following it is part of what is tested.
    res.writeHead(302, { location: `http://${this.host}/_codeload/${sha}` }).end();
  }),
  r("GET", "REPO/git/commits/([0-9a-f]{40})", function ({ res, params }) {
    const commit = this.commits.get(params[0]!);
    if (!commit) return sendJson(res, 404, { message: "Not Found" });
    sendJson(res, 200, {
      sha: commit.sha,
      tree: { sha: commit.tree },
      parents: commit.parents.map((sha) => ({ sha })),
      message: commit.message,
    });
  }),
  r("POST", "REPO/git/blobs", function ({ res, body }) {
    const { content } = body as { content: string };
    const sha = sha1(content);
    this.trees.set(
      `blob:${sha}`,
      new Map([["", { content: Buffer.from(content, "base64").toString("latin1"), mode: "100644" }]]),
    );
    sendJson(res, 201, { sha, url: "" });
  }),
  r("POST", "REPO/git/trees", function ({ res, body }) {
    const input = body as {
      base_tree?: string;
      tree: Array<{ path: string; mode: string; content?: string; sha?: string | null }>;
    };
    const tree: Tree = new Map(input.base_tree ? this.trees.get(input.base_tree) : []);
    for (const entry of input.tree) {
      if (entry.sha === null) tree.delete(entry.path);
      else if (entry.content !== undefined)
        tree.set(entry.path, { content: entry.content, mode: entry.mode as FakeFile["mode"] });
      else
        tree.set(entry.path, {
          content: this.trees.get(`blob:${entry.sha}`)?.get("")?.content ?? "",
          mode: entry.mode as FakeFile["mode"],
        });
    }
    const sha = this.storeTree(tree);
    sendJson(res, 201, { sha, tree: [] });
  }),
  r("POST", "REPO/git/commits", function ({ res, body }) {
    const input = body as { message: string; tree: string; parents: string[] };
    const commit = this.storeCommit(input);
    sendJson(res, 201, {
      sha: commit.sha,
      tree: { sha: commit.tree },
      parents: input.parents.map((sha) => ({ sha })),
      message: input.message,
    });
  }),
  r("POST", "REPO/git/refs", function ({ res, body }) {
    const { ref, sha } = body as { ref: string; sha: string };
    const name = ref.replace(/^refs\//, "");
    if (this.refs.has(name)) return sendJson(res, 422, { message: "Reference already exists" });
    this.refs.set(name, sha);
    sendJson(res, 201, { ref, object: { sha, type: "commit" } });
  }),
  r("PATCH", "REPO/git/refs/(.+)", function ({ res, params, body }) {
    const { sha, force } = body as { sha: string; force?: boolean };
    const current = this.refs.get(params[0]!);
    if (!current) return sendJson(res, 422, { message: "Reference does not exist" });
    const ff = this.isAncestor(current, sha);
    if (!ff && !force) return sendJson(res, 422, { message: "Update is not a fast forward" });
    this.refs.set(params[0]!, sha);
    sendJson(res, 200, { ref: `refs/${params[0]}`, object: { sha, type: "commit" } });
  }),
  r("GET", "REPO/issues/(\\d+)/comments", function ({ res, params }) {
    sendJson(
      res,
      200,
      this.comments.filter((c) => c.issue === Number(params[0])).map((c) => this.commentJson(c)),
    );
  }),
  r("POST", "REPO/issues/(\\d+)/comments", function ({ res, params, body }) {
    const comment: FakeComment = {
      id: this.nextId(),
      issue: Number(params[0]),
      body: (body as { body: string }).body,
      user: { login: `${this.appSlug}[bot]`, type: "Bot" },
      created_at: new Date().toISOString(),
    };
    this.comments.push(comment);
    sendJson(res, 201, this.commentJson(comment));
  }),
  r("POST", "REPO/issues/comments/(\\d+)/reactions", function ({ res, body }) {
    sendJson(res, 201, { id: this.nextId(), content: (body as { content: string }).content });
  }),
  r("PATCH", "REPO/issues/comments/(\\d+)", function ({ res, params, body }) {
    const comment = this.comments.find((c) => c.id === Number(params[0]));
    if (!comment) return sendJson(res, 404, { message: "Not Found" });
    comment.body = (body as { body: string }).body;
    sendJson(res, 200, this.commentJson(comment));
  }),
  r("DELETE", "REPO/issues/comments/(\\d+)", function ({ res, params }) {
    this.comments = this.comments.filter((c) => c.id !== Number(params[0]));
    res.writeHead(204).end();
  }),
  r("POST", "REPO/statuses/([0-9a-f]{40})", function ({ res, params, body }) {
    this.statuses.push({ sha: params[0]!, ...(body as { state: string; context: string }) });
    sendJson(res, 201, { id: this.nextId(), ...(body as object) });
  }),
  // https://docs.github.com/en/rest/commits/commits#list-pull-requests-associated-with-a-commit
  r("GET", "REPO/commits/([0-9a-f]{40})/pulls", function ({ res, params }) {
    const pulls = this.pulls.filter((p) => this.headOf(p.head) === params[0]);
    sendJson(
      res,
      200,
      pulls.map((p) => this.pullJson(p)),
    );
  }),
  r("GET", "REPO/pulls", function ({ res, query }) {
    const head = query.get("head")?.split(":")[1];
    const state = query.get("state") ?? "open";
    const pulls = this.pulls.filter((p) => (!head || p.head === head) && (state === "all" || p.state === state));
    sendJson(
      res,
      200,
      pulls.map((p) => this.pullJson(p)),
    );
  }),
  r("POST", "REPO/pulls", function ({ res, body }) {
    const input = body as { title: string; body: string; head: string; base: string; draft?: boolean };
    if (this.pulls.some((p) => p.head === input.head && p.state === "open")) {
      return sendJson(res, 422, {
        message: "Validation Failed",
        errors: [{ message: `A pull request already exists for ${OWNER}:${input.head}.` }],
      });
    }
    const pull: FakePull = {
      number: this.nextId(),
      title: input.title,
      body: input.body,
      head: input.head,
      base: input.base,
      draft: input.draft ?? false,
      state: "open",
      labels: [],
      reviewers: [],
      teamReviewers: [],
    };
    this.pulls.push(pull);
    sendJson(res, 201, this.pullJson(pull));
  }),
  r("PATCH", "REPO/pulls/(\\d+)", function ({ res, params, body }) {
    const pull = this.pulls.find((p) => p.number === Number(params[0]));
    if (!pull) return sendJson(res, 404, { message: "Not Found" });
    Object.assign(pull, body as object);
    sendJson(res, 200, this.pullJson(pull));
  }),
  r("GET", "REPO/pulls/(\\d+)", function ({ res, params }) {
    const pull = this.pulls.find((p) => p.number === Number(params[0]));
    if (!pull) return sendJson(res, 404, { message: "Not Found" });
    sendJson(res, 200, this.pullJson(pull));
  }),
  r("GET", "REPO/commits/([0-9a-f]{40})/check-runs", function ({ res, params }) {
    const runs = (this.checkRuns.get(params[0]!) ?? []).map((run) => ({
      id: run.id,
      name: run.name,
      status: run.conclusion ? "completed" : "in_progress",
      conclusion: run.conclusion,
      head_sha: params[0],
      html_url: `http://${this.host}/${OWNER}/${REPO}/actions/runs/1/job/${run.id}`,
      details_url: null,
      app: { slug: "github-actions" },
      output: { title: null, summary: null, text: null, annotations_count: 0 },
    }));
    sendJson(res, 200, { total_count: runs.length, check_runs: runs });
  }),
  r("GET", "REPO/commits/([0-9a-f]{40})/status", function ({ res, params }) {
    sendJson(res, 200, { state: "success", statuses: [], sha: params[0], total_count: 0 });
  }),
  r("GET", "REPO/actions/jobs/(\\d+)/logs", function ({ res, params }) {
    res.writeHead(302, { location: `http://${this.host}/_logs/${params[0]}` }).end();
  }),
  r("POST", "REPO/actions/workflows/([^/]+)/dispatches", function ({ res, params, body }) {
    const input = body as { ref: string; inputs: Record<string, string> };
    this.dispatches.push({ workflow: params[0]!, ref: input.ref, inputs: input.inputs });
    const id = 9000 + this.dispatches.length;
    sendJson(res, 200, {
      workflow_run_id: id,
      run_url: `http://${this.host}/api/v3${repoPath}/actions/runs/${id}`,
      html_url: `http://${this.host}/${OWNER}/${REPO}/actions/runs/${id}`,
    });
  }),
  r("GET", "REPO/actions/runs/(\\d+)/artifacts", function ({ res, params }) {
    const zip = this.runArtifacts.get(Number(params[0]));
    const artifacts = zip
      ? [{ id: Number(params[0]), name: "factory-changeset", size_in_bytes: zip.length, expired: false }]
      : [];
    sendJson(res, 200, { total_count: artifacts.length, artifacts });
  }),
  r("GET", "REPO/actions/artifacts/(\\d+)/zip", function ({ res, params }) {
    res.writeHead(302, { location: `http://${this.host}/_artifacts/${params[0]}` }).end();
  }),
  r("GET", "REPO/actions/runs/(\\d+)/jobs", function ({ res }) {
    sendJson(res, 200, { total_count: 0, jobs: [] });
  }),
  r("POST", "REPO/issues/(\\d+)/labels", function ({ res, params, body }) {
    const pull = this.pulls.find((p) => p.number === Number(params[0]));
    const labels = (body as { labels: string[] }).labels;
    if (pull) pull.labels = [...new Set([...pull.labels, ...labels])];
    sendJson(
      res,
      200,
      labels.map((name) => ({ name })),
    );
  }),
  r("GET", "REPO/pulls/(\\d+)/commits", function ({ res, params }) {
    const pull = this.pulls.find((p) => p.number === Number(params[0]));
    if (!pull) return sendJson(res, 404, { message: "Not Found" });
    sendJson(
      res,
      200,
      this.pullCommits(pull).map((c) => ({ sha: c.sha, commit: { message: c.message }, parents: [] })),
    );
  }),
  r("POST", "REPO/pulls/comments/(\\d+)/reactions", function ({ res, body }) {
    sendJson(res, 201, { id: this.nextId(), content: (body as { content: string }).content });
  }),
  r("POST", "/api/graphql", function ({ res, body }) {
    const { query, variables } = body as { query: string; variables?: Record<string, unknown> };
    sendJson(res, 200, answerGraphQL(this, query, variables ?? {}));
  }),
  r("POST", "REPO/pulls/(\\d+)/requested_reviewers", function ({ res, params, body }) {
    const pull = this.pulls.find((p) => p.number === Number(params[0]));
    if (!pull) return sendJson(res, 404, { message: "Not Found" });
    const input = body as { reviewers?: string[]; team_reviewers?: string[] };
    // Requesting someone already requested changes nothing.
    pull.reviewers = [...new Set([...pull.reviewers, ...(input.reviewers ?? [])])];
    pull.teamReviewers = [...new Set([...pull.teamReviewers, ...(input.team_reviewers ?? [])])];
    sendJson(res, 201, this.pullJson(pull));
  }),
];

/** The few GraphQL operations the bot sends, answered from the fake's state (the schema check is in onRequest). */
function answerGraphQL(fake: FakeGitHub, query: string, variables: Record<string, unknown>): unknown {
  const field = /\{\s*(\w+)/.exec(query)?.[1];
  const thread = (id: unknown) => fake.reviewThreads.find((t) => t.id === id);
  switch (field) {
    case "repository": {
      const nodes = fake.reviewThreads
        .filter((t) => t.pull === variables.number)
        .map((t) => ({
          id: t.id,
          isResolved: t.isResolved,
          path: t.path,
          line: t.line,
          originalLine: t.line,
          comments: {
            nodes: t.comments.map((c) => ({ body: c.body, diffHunk: t.diffHunk, author: { login: c.author } })),
          },
        }));
      const pageInfo = { hasNextPage: false, endCursor: null };
      return { data: { repository: { pullRequest: { reviewThreads: { pageInfo, nodes } } } } };
    }
    case "addPullRequestReviewThreadReply": {
      const target = thread(variables.id);
      if (!target) return { errors: [{ message: "Could not resolve to a node" }] };
      const comment = { id: fake.nextId(), body: String(variables.body), author: fake.appSlug };
      target.comments.push(comment);
      return { data: { addPullRequestReviewThreadReply: { comment: { id: `C_${comment.id}` } } } };
    }
    case "resolveReviewThread": {
      const target = thread(variables.id);
      if (!target) return { errors: [{ message: "Could not resolve to a node" }] };
      target.isResolved = true;
      return { data: { resolveReviewThread: { thread: { isResolved: true } } } };
    }
    case "markPullRequestReadyForReview": {
      const pull = fake.pulls.find((p) => `PR_${p.number}` === variables.id);
      if (pull) pull.draft = false;
      return { data: { markPullRequestReadyForReview: { pullRequest: { isDraft: false } } } };
    }
    default:
      return { errors: [{ message: `fake GitHub does not answer ${field ?? "this query"}` }] };
  }
}
