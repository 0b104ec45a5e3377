import type { Clock, Logger } from "./deps.js";
import { NotFoundError, TransientForgeError } from "./errors.js";
import type {
  ChangeRequest,
  ChangeRequestInput,
  CommentTarget,
  CommitInput,
  CommitResult,
  Forge,
  ForgeComment,
} from "./forge.js";

/** How writes are retried: a few attempts with growing waits, all within one bounded budget. */
export interface RetryPolicy {
  /** Attempts per write, the first included. */
  attempts: number;
  /** First wait; each next one doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** No retry starts once this much time has passed since the first attempt. */
  budgetMs: number;
  sleep(ms: number): Promise<void>;
  clock: Clock;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  budgetMs: 120_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  clock: { now: () => new Date() },
};

/** A write that kept failing transiently; its message says what was tried. */
export class PersistentForgeError extends TransientForgeError {}

/**
 * Runs a write; on a transient fault (5xx, timeout, rate limit) waits, re-reads what the forge
 * already has (`recheck`: the write may have landed before its answer was lost) and only then
 * writes again. Non-transient errors are thrown at once.
 */
export async function retryWrite<T>(
  what: string,
  write: () => Promise<T>,
  policy: RetryPolicy,
  logger: Logger,
  recheck?: () => Promise<T | undefined>,
): Promise<T> {
  const started = policy.clock.now().getTime();
  for (let attempt = 1; ; attempt++) {
    let failure: TransientForgeError;
    try {
      return await write();
    } catch (err) {
      if (!(err instanceof TransientForgeError)) throw err;
      failure = err;
    }
    const delay = Math.max(
      failure.retryAfterMs ?? 0,
      Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)),
    );
    const elapsed = policy.clock.now().getTime() - started;
    if (attempt >= policy.attempts || elapsed + delay > policy.budgetMs) {
      logger.warn({ write: what, attempts: attempt, err: failure.message }, "forge write kept failing; giving up");
      throw new PersistentForgeError(
        `${failure.message} (${what}: tried ${attempt} time${attempt === 1 ? "" : "s"} over ${Math.round(elapsed / 1000)}s)`,
        failure.status,
        { cause: failure },
      );
    }
    logger.warn({ write: what, attempt, delayMs: delay, err: failure.message }, "forge write failed; retrying");
    await policy.sleep(delay);
    if (recheck) {
      const found = await recheck().catch((err: unknown) => {
        if (err instanceof TransientForgeError) return undefined; // the next write attempt tells
        throw err;
      });
      if (found !== undefined) {
        logger.info({ write: what, attempt }, "forge write had landed before its answer was lost");
        return found;
      }
    }
  }
}

/**
 * The same forge with every write made safe to retry: creates re-read first (comments by body,
 * commits by branch head and message, change requests by head branch), idempotent updates are
 * simply repeated. Reads are left to the clients' own retries.
 */
export function resilientForge(forge: Forge, logger: Logger, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Forge {
  const retry = <T>(what: string, write: () => Promise<T>, recheck?: () => Promise<T | undefined>) =>
    retryWrite(what, write, policy, logger, recheck);
  const writes: Partial<Forge> = {
    createComment: (target: CommentTarget, body: string) =>
      retry(
        "comment creation",
        () => forge.createComment(target, body),
        () => findOwnComment(forge, target, body),
      ),
    updateComment: (target: CommentTarget, id: number, body: string) =>
      retry("comment update", () => forge.updateComment(target, id, body)),
    deleteComment: async (target: CommentTarget, id: number) => {
      let tried = false;
      await retry("comment deletion", async () => {
        try {
          await forge.deleteComment(target, id);
        } catch (err) {
          // Gone after an earlier attempt whose answer was lost: that is what was asked.
          if (!(tried && err instanceof NotFoundError)) throw err;
        } finally {
          tried = true;
        }
      });
    },
    setCommitStatus: (sha, status) => retry("commit status", () => forge.setCommitStatus(sha, status)),
    commitFiles: (input: CommitInput) =>
      retry(
        "commit",
        () => forge.commitFiles(input),
        () => findLandedCommit(forge, input),
      ),
    createChangeRequest: (input: ChangeRequestInput) =>
      retry(
        `${forge.words.changeRequestShort} creation`,
        () => forge.createChangeRequest(input),
        () => findChangeRequest(forge, input),
      ),
    updateChangeRequest: (number, patch) =>
      retry(`${forge.words.changeRequestShort} update`, () => forge.updateChangeRequest(number, patch)),
    addLabels: (number, labels) => retry("labels", () => forge.addLabels(number, labels)),
    requestReviewers: (number, reviewers) => retry("reviewers", () => forge.requestReviewers(number, reviewers)),
    markReadyForReview: (number) => retry("ready for review", () => forge.markReadyForReview(number)),
    acknowledgeComment: (target, id) => retry("acknowledgement", () => forge.acknowledgeComment(target, id)),
    // A dispatch cannot be found again, so only a refusal (rate limit) is retried: a lost answer
    // to a 5xx may have started a run, and a second one would run the agent twice.
    dispatchTaskRun: (input) =>
      retryWrite("task run dispatch", () => forge.dispatchTaskRun(input), { ...policy, attempts: 1 }, logger).catch(
        async (err: unknown) => {
          if (!(err instanceof PersistentForgeError && isRefusal(err.cause))) throw err;
          return retry("task run dispatch", () => forge.dispatchTaskRun(input));
        },
      ),
  };
  return new Proxy(forge, {
    get(target, prop) {
      if (typeof prop === "string" && prop in writes) return writes[prop as keyof Forge];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A rate-limit refusal: the forge did nothing, so the same request may be sent again. */
function isRefusal(err: unknown): boolean {
  return err instanceof TransientForgeError && (err.status === 429 || err.status === 403);
}

async function findOwnComment(forge: Forge, target: CommentTarget, body: string): Promise<ForgeComment | undefined> {
  const comments = await forge.listComments(target);
  return comments.find((c) => c.author === forge.botLogin && c.body.trim() === body.trim());
}

async function findLandedCommit(forge: Forge, input: CommitInput): Promise<CommitResult | undefined> {
  const head = await forge.getBranchSha(input.branch);
  if (!head || head === input.parentSha) return undefined;
  const message = await forge.getCommitMessage(head);
  return message.trim() === input.message.trim() ? { sha: head, createdBranch: false } : undefined;
}

async function findChangeRequest(forge: Forge, input: ChangeRequestInput): Promise<ChangeRequest | undefined> {
  const open = await forge.findOpenChangeRequest(input.head);
  return open && open.baseBranch === input.base ? open : undefined;
}
