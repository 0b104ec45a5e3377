import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createGzip } from "node:zlib";
import tarStream from "tar-stream";
import { LocalServer, readBody, sendJson } from "./local-server.js";

/**
 * A GitLab-style REST API (`/api/v4`, optionally under a path prefix as on self-managed
 * instances) on 127.0.0.1 with one project held in memory: files per commit, branches, issue and
 * MR notes, merge requests, commit statuses, pipelines with jobs and traces. Requests need the
 * right `PRIVATE-TOKEN`; every request is recorded with its headers.
 */

export interface FakeFile {
  content: Buffer;
  executable: boolean;
}
type Tree = Map<string, FakeFile>;
interface FakeCommit {
  sha: string;
  tree: Tree;
  parents: string[];
  message: string;
}
export interface FakeUser {
  id: number;
  username: string;
}
export interface FakeNote {
  id: number;
  noteable: "issues" | "merge_requests";
  iid: number;
  body: string;
  author: FakeUser;
  system: boolean;
  created_at: string;
}
export interface FakeMergeRequest {
  iid: number;
  title: string;
  description: string;
  source_branch: string;
  target_branch: string;
  state: "opened" | "closed" | "merged";
  labels: string[];
  reviewer_ids: number[];
  author: FakeUser;
}
export interface FakeStatus {
  sha: string;
  state: string;
  name: string;
  description?: string;
  target_url?: string;
}
export interface FakePipeline {
  id: number;
  sha: string;
  ref: string;
  source: string;
  status: string;
}
export interface FakeJob {
  id: number;
  pipelineId: number;
  name: string;
  status: string;
  allowFailure?: boolean;
  trace: string;
}
/** A merge request discussion (GitLab's discussions API); its first note carries the diff position. */
export interface FakeDiscussion {
  id: string;
  iid: number;
  notes: Array<{
    id: number;
    body: string;
    author: FakeUser;
    resolvable: boolean;
    resolved: boolean;
    position?: { new_path: string; new_line: number | null };
  }>;
}
export interface RecordedRequest {
  method: string;
  /** The URL path as sent, prefix and `/api/v4` included. */
  urlPath: string;
  /** The path below `/api/v4`, decoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

const PROJECT_ID = 7;
const PROJECT_PATH = "acme/widgets";
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

export class FakeGitLab extends LocalServer {
  readonly projectId = PROJECT_ID;
  readonly projectPath = PROJECT_PATH;
  readonly token = "glpat-fake-token-0000000000";
  readonly bot: FakeUser = { id: 99, username: "factory-bot" };
  defaultBranch = "main";
  commits = new Map<string, FakeCommit>();
  branches = new Map<string, string>();
  users: FakeUser[] = [this.bot];
  /** Access levels by user id, inherited memberships included. */
  accessLevels = new Map<number, number>();
  notes: FakeNote[] = [];
  mergeRequests: FakeMergeRequest[] = [];
  statuses: FakeStatus[] = [];
  pipelines: FakePipeline[] = [];
  jobs: FakeJob[] = [];
  discussions: FakeDiscussion[] = [];
  requests: RecordedRequest[] = [];
  #nextId = 500;

  /** `prefix` puts the whole instance below a path, as self-managed GitLab at `https://host/gitlab`. */
  constructor(
    files: Record<string, string>,
    readonly prefix = "",
  ) {
    super();
    const tree: Tree = new Map(
      Object.entries(files).map(([path, text]) => [path, { content: Buffer.from(text), executable: false }]),
    );
    this.branches.set(this.defaultBranch, this.storeCommit(tree, [], "initial").sha);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.prefix}`;
  }

  get webUrl(): string {
    return `${this.url}/${PROJECT_PATH}`;
  }

  addUser(username: string, accessLevel?: number): FakeUser {
    const user = { id: this.nextId(), username };
    this.users.push(user);
    if (accessLevel !== undefined) this.accessLevels.set(user.id, accessLevel);
    return user;
  }

  headOf(branch: string): string | undefined {
    return this.branches.get(branch);
  }

  filesAt(sha: string): Tree {
    return this.commits.get(sha)?.tree ?? new Map();
  }

  textAt(sha: string, path: string): string | undefined {
    return this.filesAt(sha).get(path)?.content.toString("utf8");
  }

  storeCommit(tree: Tree, parents: string[], message: string): FakeCommit {
    const commit = { sha: sha1(`${message}:${parents.join(",")}:${this.commits.size}`), tree, parents, message };
    this.commits.set(commit.sha, commit);
    return commit;
  }

  /** Pushes a commit as a person would, outside the API under test. */
  push(branch: string, files: Record<string, string>, message = "a human commit"): string {
    const parent = this.headOf(branch)!;
    const tree = new Map(this.filesAt(parent));
    for (const [path, text] of Object.entries(files)) tree.set(path, { content: Buffer.from(text), executable: false });
    const commit = this.storeCommit(tree, [parent], message);
    this.branches.set(branch, commit.sha);
    return commit.sha;
  }

  addPipeline(input: Omit<FakePipeline, "id">, jobs: Array<Omit<FakeJob, "id" | "pipelineId">>): FakePipeline {
    const pipeline = { id: this.nextId(), ...input };
    this.pipelines.push(pipeline);
    for (const job of jobs) this.jobs.push({ id: this.nextId(), pipelineId: pipeline.id, ...job });
    return pipeline;
  }

  notesOn(noteable: FakeNote["noteable"], iid: number): FakeNote[] {
    return this.notes.filter((n) => n.noteable === noteable && n.iid === iid);
  }

  nextId(): number {
    return this.#nextId++;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const raw = await readBody(req);
    const apiRoot = `${this.prefix}/api/v4`;
    // Paths are matched decoded, as Rails routes them (`acme%2Fwidgets`, `factory%2F12-x`).
    const path = decodeURIComponent(
      url.pathname.startsWith(apiRoot) ? url.pathname.slice(apiRoot.length) : url.pathname,
    );
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      urlPath: url.pathname,
      path,
      query: url.searchParams,
      headers: req.headers,
      body: raw ? (JSON.parse(raw) as unknown) : undefined,
    };
    this.requests.push(recorded);
    if (!url.pathname.startsWith(apiRoot))
      return sendJson(res, 404, { message: "404 Not Found (outside the API root)" });
    if (req.headers["private-token"] !== this.token) return sendJson(res, 401, { message: "401 Unauthorized" });
    for (const route of ROUTES) {
      const match = route.method === recorded.method ? route.pattern.exec(path) : null;
      if (match) return route.handle.call(this, { ...recorded, params: match.slice(1), res });
    }
    sendJson(res, 404, { message: `404 fake GitLab has no route for ${recorded.method} ${path}` });
  }

  // JSON shapes --------------------------------------------------------------------------------
  mergeRequestJson(mr: FakeMergeRequest) {
    return {
      id: mr.iid + 10_000,
      iid: mr.iid,
      project_id: PROJECT_ID,
      source_project_id: PROJECT_ID,
      target_project_id: PROJECT_ID,
      web_url: `${this.webUrl}/-/merge_requests/${mr.iid}`,
      title: mr.title,
      description: mr.description,
      source_branch: mr.source_branch,
      target_branch: mr.target_branch,
      sha: this.headOf(mr.source_branch) ?? null,
      draft: /^(draft:|\[draft\]|\(draft\))/i.test(mr.title),
      state: mr.state,
      author: mr.author,
      labels: mr.labels,
      reviewers: mr.reviewer_ids.map((id) => this.users.find((u) => u.id === id)),
    };
  }

  noteJson(note: FakeNote) {
    return {
      id: note.id,
      body: note.body,
      author: note.author,
      system: note.system,
      created_at: note.created_at,
      noteable_iid: note.iid,
    };
  }

  jobJson(job: FakeJob) {
    return {
      id: job.id,
      name: job.name,
      status: job.status,
      allow_failure: job.allowFailure ?? false,
      web_url: `${this.webUrl}/-/jobs/${job.id}`,
    };
  }

  sendArchive(res: ServerResponse, sha: string): void {
    const pack = tarStream.pack();
    const top = `widgets-${sha}-${sha}/`;
    pack.entry({ name: top, type: "directory" });
    for (const [path, file] of this.filesAt(sha))
      pack.entry({ name: top + path, mode: file.executable ? 0o755 : 0o644 }, file.content);
    pack.finalize();
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="widgets-${sha}.tar.gz"`,
    });
    pack.pipe(createGzip()).pipe(res);
  }

  /** The commits API: actions applied in order onto the branch head, or onto `start_sha` for a new branch. */
  applyCommit(res: ServerResponse, body: CommitBody): void {
    const head = this.headOf(body.branch);
    const start = body.start_sha ?? (body.start_branch ? this.headOf(body.start_branch) : undefined);
    if ((body.start_sha || body.start_branch) && head) {
      return sendJson(res, 400, {
        message: `A branch called '${body.branch}' already exists. Switch to that branch in order to make changes`,
      });
    }
    const parent = head ?? start;
    if (!parent || !this.commits.has(parent))
      return sendJson(res, 400, { message: "You can only create or edit files when you are on a branch" });
    const tree = new Map(this.filesAt(parent));
    for (const action of body.actions) {
      const problem = applyAction(tree, action);
      if (problem) return sendJson(res, 400, { message: problem });
    }
    const commit = this.storeCommit(tree, [parent], body.commit_message);
    this.branches.set(body.branch, commit.sha);
    sendJson(res, 201, {
      id: commit.sha,
      short_id: commit.sha.slice(0, 8),
      message: commit.message,
      parent_ids: commit.parents,
    });
  }
}

interface CommitAction {
  action: string;
  file_path: string;
  content?: string;
  encoding?: string;
  execute_filemode?: boolean;
}
interface CommitBody {
  branch: string;
  commit_message: string;
  start_branch?: string;
  start_sha?: string;
  actions: CommitAction[];
}

/** One commits-API action on a tree; the error message GitLab gives, or null. */
function applyAction(tree: Tree, action: CommitAction): string | null {
  const existing = tree.get(action.file_path);
  const content = () => Buffer.from(action.content ?? "", action.encoding === "base64" ? "base64" : "utf8");
  switch (action.action) {
    case "create":
      if (existing) return `A file with this name already exists: ${action.file_path}`;
      tree.set(action.file_path, { content: content(), executable: false });
      return null;
    case "update":
      if (!existing) return `A file with this name doesn't exist: ${action.file_path}`;
      tree.set(action.file_path, { ...existing, content: content() });
      return null;
    case "delete":
      if (!existing) return `A file with this name doesn't exist: ${action.file_path}`;
      tree.delete(action.file_path);
      return null;
    case "chmod":
      if (!existing) return `A file with this name doesn't exist: ${action.file_path}`;
      tree.set(action.file_path, { ...existing, executable: Boolean(action.execute_filemode) });
      return null;
    default:
      return `Unknown action type \`${action.action}\`.`;
  }
}

interface RouteInput extends RecordedRequest {
  params: string[];
  res: ServerResponse;
}
interface Route {
  method: string;
  pattern: RegExp;
  handle(this: FakeGitLab, input: RouteInput): void;
}

// The project is addressed by id or by its (decoded) path.
const PROJECT = `/projects/(?:${PROJECT_ID}|${PROJECT_PATH.replace("/", "\\/")})`;
const route = (method: string, path: string, handle: Route["handle"]): Route => ({
  method,
  pattern: new RegExp(`^${path.replace("PROJECT", PROJECT)}$`),
  handle,
});
const NOTEABLE = "(issues|merge_requests)";

const ROUTES: Route[] = [
  route("GET", "/user", function ({ res }) {
    sendJson(res, 200, { ...this.bot, name: "Factory Bot", state: "active", bot: true });
  }),
  route("GET", "/users", function ({ res, query }) {
    sendJson(
      res,
      200,
      this.users.filter((u) => u.username === query.get("username")),
    );
  }),
  route("GET", "PROJECT", function ({ res }) {
    sendJson(res, 200, {
      id: PROJECT_ID,
      path_with_namespace: PROJECT_PATH,
      default_branch: this.defaultBranch,
      web_url: this.webUrl,
    });
  }),
  route("GET", "PROJECT/members/all/(\\d+)", function ({ res, params }) {
    const user = this.users.find((u) => u.id === Number(params[0]));
    const level = this.accessLevels.get(Number(params[0]));
    if (!user || level === undefined) return sendJson(res, 404, { message: "404 Not found" });
    sendJson(res, 200, { ...user, access_level: level, state: "active" });
  }),
  route("GET", "PROJECT/repository/files/(.+)/raw", function ({ res, params, query }) {
    const ref = query.get("ref") ?? this.defaultBranch;
    const file = this.filesAt(this.headOf(ref) ?? ref).get(params[0]!);
    if (!file) return sendJson(res, 404, { message: "404 File Not Found" });
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(file.content);
  }),
  route("GET", "PROJECT/repository/branches/(.+)", function ({ res, params }) {
    const sha = this.headOf(params[0]!);
    if (!sha) return sendJson(res, 404, { message: "404 Branch Not Found" });
    sendJson(res, 200, { name: params[0], commit: { id: sha } });
  }),
  route("GET", "PROJECT/repository/archive.tar.gz", function ({ res, query }) {
    const sha = query.get("sha") ?? "";
    if (!this.commits.has(sha)) return sendJson(res, 404, { message: "404 Not Found" });
    this.sendArchive(res, sha);
  }),
  route("POST", "PROJECT/repository/commits", function ({ res, body }) {
    this.applyCommit(res, body as CommitBody);
  }),
  route("GET", "PROJECT/repository/commits/([0-9a-f]{40})", function ({ res, params }) {
    const commit = this.commits.get(params[0]!);
    if (!commit) return sendJson(res, 404, { message: "404 Commit Not Found" });
    sendJson(res, 200, { id: commit.sha, message: commit.message, parent_ids: commit.parents });
  }),
  route("GET", "PROJECT/repository/commits/([0-9a-f]{40})/merge_requests", function ({ res, params }) {
    sendJson(
      res,
      200,
      this.mergeRequests
        .filter((mr) => this.headOf(mr.source_branch) === params[0])
        .map((mr) => this.mergeRequestJson(mr)),
    );
  }),
  route("GET", `PROJECT/${NOTEABLE}/(\\d+)/notes`, function ({ res, params }) {
    const notes = this.notesOn(params[0] as FakeNote["noteable"], Number(params[1]));
    sendJson(
      res,
      200,
      notes.map((n) => this.noteJson(n)),
    );
  }),
  route("POST", `PROJECT/${NOTEABLE}/(\\d+)/notes`, function ({ res, params, body }) {
    const note: FakeNote = {
      id: this.nextId(),
      noteable: params[0] as FakeNote["noteable"],
      iid: Number(params[1]),
      body: (body as { body: string }).body,
      author: this.bot,
      system: false,
      created_at: new Date().toISOString(),
    };
    this.notes.push(note);
    sendJson(res, 201, this.noteJson(note));
  }),
  route("POST", `PROJECT/${NOTEABLE}/(\\d+)/notes/(\\d+)/award_emoji`, function ({ res, body }) {
    sendJson(res, 201, { id: this.nextId(), name: (body as { name: string }).name });
  }),
  route("PUT", `PROJECT/${NOTEABLE}/(\\d+)/notes/(\\d+)`, function ({ res, params, body }) {
    const note = this.notes.find((n) => n.id === Number(params[2]));
    if (!note) return sendJson(res, 404, { message: "404 Note Not Found" });
    note.body = (body as { body: string }).body;
    sendJson(res, 200, this.noteJson(note));
  }),
  route("DELETE", `PROJECT/${NOTEABLE}/(\\d+)/notes/(\\d+)`, function ({ res, params }) {
    this.notes = this.notes.filter((n) => n.id !== Number(params[2]));
    res.writeHead(204).end();
  }),
  route("POST", "PROJECT/statuses/([0-9a-f]{40})", function ({ res, params, body }) {
    const input = body as Omit<FakeStatus, "sha">;
    const previous = this.statuses.findLast((s) => s.sha === params[0] && s.name === input.name);
    if (previous?.state === input.state) {
      return sendJson(res, 400, { message: `Cannot transition status via :${input.state} from :${input.state}` });
    }
    this.statuses.push({ sha: params[0]!, ...input });
    sendJson(res, 201, { id: this.nextId(), sha: params[0], status: input.state, name: input.name });
  }),
  route("GET", "PROJECT/merge_requests", function ({ res, query }) {
    const state = query.get("state");
    const source = query.get("source_branch");
    const found = this.mergeRequests.filter(
      (mr) => (!state || mr.state === state) && (!source || mr.source_branch === source),
    );
    sendJson(
      res,
      200,
      found.map((mr) => this.mergeRequestJson(mr)),
    );
  }),
  route("POST", "PROJECT/merge_requests", function ({ res, body }) {
    const input = body as { source_branch: string; target_branch: string; title: string; description?: string };
    const open = this.mergeRequests.find((mr) => mr.source_branch === input.source_branch && mr.state === "opened");
    if (open)
      return sendJson(res, 409, {
        message: [`Another open merge request already exists for this source branch: !${open.iid}`],
      });
    const mr: FakeMergeRequest = {
      iid: this.mergeRequests.length + 1,
      title: input.title,
      description: input.description ?? "",
      source_branch: input.source_branch,
      target_branch: input.target_branch,
      state: "opened",
      labels: [],
      reviewer_ids: [],
      author: this.bot,
    };
    this.mergeRequests.push(mr);
    sendJson(res, 201, this.mergeRequestJson(mr));
  }),
  route("GET", "PROJECT/merge_requests/(\\d+)/commits", function ({ res, params }) {
    const mr = this.mergeRequests.find((m) => m.iid === Number(params[0]));
    if (!mr) return sendJson(res, 404, { message: "404 Not found" });
    const base = this.headOf(mr.target_branch);
    const commits: FakeCommit[] = [];
    for (let sha = this.headOf(mr.source_branch); sha && sha !== base;) {
      const commit = this.commits.get(sha);
      if (!commit) break;
      commits.push(commit);
      sha = commit.parents[0];
    }
    // Newest first, as GitLab lists them.
    sendJson(
      res,
      200,
      commits.map((c) => ({
        id: c.sha,
        short_id: c.sha.slice(0, 8),
        title: c.message.split("\n")[0],
        message: c.message,
      })),
    );
  }),
  route("GET", "PROJECT/merge_requests/(\\d+)/diffs", function ({ res, params }) {
    const mr = this.mergeRequests.find((m) => m.iid === Number(params[0]));
    if (!mr) return sendJson(res, 404, { message: "404 Not found" });
    const base = this.filesAt(this.headOf(mr.target_branch) ?? "");
    const head = this.filesAt(this.headOf(mr.source_branch) ?? "");
    const diffs = [...head].flatMap(([path, file]) => {
      const before = base.get(path)?.content.toString() ?? "";
      const after = file.content.toString();
      if (before === after) return [];
      const lines = after.split("\n").filter((l, i, all) => i < all.length - 1 || l !== "");
      const diff = `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}\n`;
      return [{ old_path: path, new_path: path, new_file: !base.has(path), deleted_file: false, diff }];
    });
    sendJson(res, 200, diffs);
  }),
  route("POST", `PROJECT/${NOTEABLE}/(\\d+)/notes/(\\d+)/award_emoji`, function ({ res, body }) {
    sendJson(res, 201, { id: this.nextId(), name: (body as { name: string }).name, user: this.bot });
  }),
  route("GET", "PROJECT/merge_requests/(\\d+)/discussions", function ({ res, params }) {
    const iid = Number(params[0]);
    sendJson(
      res,
      200,
      this.discussions
        .filter((d) => d.iid === iid)
        .map((d) => ({
          id: d.id,
          individual_note: false,
          notes: d.notes.map((n) => ({
            id: n.id,
            type: n.position ? "DiffNote" : "DiscussionNote",
            body: n.body,
            author: { id: n.author.id, username: n.author.username },
            created_at: new Date().toISOString(),
            system: false,
            resolvable: n.resolvable,
            resolved: n.resolved,
            ...(n.position ? { position: { ...n.position, old_path: n.position.new_path, old_line: null } } : {}),
          })),
        })),
    );
  }),
  route("POST", "PROJECT/merge_requests/(\\d+)/discussions/([0-9a-f]+)/notes", function ({ res, params, body }) {
    const discussion = this.discussions.find((d) => d.iid === Number(params[0]) && d.id === params[1]);
    if (!discussion) return sendJson(res, 404, { message: "404 Discussion Not Found" });
    const note = {
      id: this.nextId(),
      body: (body as { body: string }).body,
      author: this.bot,
      resolvable: true,
      resolved: discussion.notes.every((n) => n.resolved),
    };
    discussion.notes.push(note);
    sendJson(res, 201, { id: note.id, body: note.body, author: note.author, system: false });
  }),
  route("GET", "PROJECT/merge_requests/(\\d+)", function ({ res, params }) {
    const mr = this.mergeRequests.find((m) => m.iid === Number(params[0]));
    if (!mr) return sendJson(res, 404, { message: "404 Not found" });
    sendJson(res, 200, this.mergeRequestJson(mr));
  }),
  route("PUT", "PROJECT/merge_requests/(\\d+)", function ({ res, params, body }) {
    const mr = this.mergeRequests.find((m) => m.iid === Number(params[0]));
    if (!mr) return sendJson(res, 404, { message: "404 Not found" });
    const input = body as { title?: string; description?: string; add_labels?: string; reviewer_ids?: number[] };
    if (input.title !== undefined) mr.title = input.title;
    if (input.description !== undefined) mr.description = input.description;
    if (input.add_labels) mr.labels = [...new Set([...mr.labels, ...input.add_labels.split(",")])];
    if (input.reviewer_ids) mr.reviewer_ids = input.reviewer_ids;
    sendJson(res, 200, this.mergeRequestJson(mr));
  }),
  route("GET", "PROJECT/pipelines", function ({ res, query }) {
    const sha = query.get("sha");
    const found = this.pipelines.filter((p) => !sha || p.sha === sha).sort((a, b) => b.id - a.id);
    sendJson(
      res,
      200,
      found.map((p) => ({ id: p.id, sha: p.sha, ref: p.ref, source: p.source, status: p.status })),
    );
  }),
  route("GET", "PROJECT/pipelines/(\\d+)/jobs", function ({ res, params }) {
    sendJson(
      res,
      200,
      this.jobs.filter((j) => j.pipelineId === Number(params[0])).map((j) => this.jobJson(j)),
    );
  }),
  route("GET", "PROJECT/jobs/(\\d+)/trace", function ({ res, params }) {
    const job = this.jobs.find((j) => j.id === Number(params[0]));
    if (!job) return sendJson(res, 404, { message: "404 Not found" });
    res.writeHead(200, { "content-type": "text/plain" }).end(job.trace);
  }),
];
