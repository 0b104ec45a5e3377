import type { Logger } from "./deps.js";
import type { Forge } from "./forge.js";

export interface AuditContext {
  actor: string;
  deliveryId: string;
}

type WriteMethod = keyof Pick<
  Forge,
  | "createComment"
  | "updateComment"
  | "deleteComment"
  | "setCommitStatus"
  | "commitFiles"
  | "createChangeRequest"
  | "updateChangeRequest"
  | "addLabels"
  | "requestReviewers"
  | "markReadyForReview"
  | "acknowledgeComment"
  | "dispatchTaskRun"
  | "replyToReviewThread"
  | "resolveReviewThread"
>;

/** Names the object each write touches, for the audit line's `target`. */
const TARGETS: Record<WriteMethod, (...args: never[]) => string> = {
  createComment: (t: { kind: string; number: number }) => `${t.kind}#${t.number}`,
  updateComment: (t: { kind: string; number: number }, id: number) => `${t.kind}#${t.number}/comment:${id}`,
  deleteComment: (t: { kind: string; number: number }, id: number) => `${t.kind}#${t.number}/comment:${id}`,
  setCommitStatus: (sha: string, s: { context: string }) => `commit:${sha}/${s.context}`,
  commitFiles: (input: { branch: string }) => `branch:${input.branch}`,
  createChangeRequest: (input: { head: string }) => `change:${input.head}`,
  updateChangeRequest: (n: number) => `change#${n}`,
  addLabels: (n: number) => `change#${n}/labels`,
  requestReviewers: (n: number) => `change#${n}/reviewers`,
  markReadyForReview: (n: number) => `change#${n}/ready`,
  acknowledgeComment: (t: { kind: string; number: number }, id: number) =>
    `${t.kind}#${t.number}/comment:${id}/reaction`,
  dispatchTaskRun: (input: { workflow: string; ref: string }) => `run:${input.workflow}@${input.ref}`,
  replyToReviewThread: (n: number, thread: string) => `change#${n}/thread:${thread}/reply`,
  resolveReviewThread: (n: number, thread: string) => `change#${n}/thread:${thread}/resolve`,
};

/** Whether a Forge method is a write (audited, and traced as one). */
export function isForgeWrite(method: string | symbol): boolean {
  return typeof method === "string" && Object.hasOwn(TARGETS, method);
}

/**
 * Wraps a forge so every write logs one structured audit line (forge, repo, actor, action,
 * target, delivery id), whether it succeeded or failed.
 */
export function withAudit(forge: Forge, logger: Logger, context: AuditContext): Forge {
  const audit =
    (action: WriteMethod, original: (...args: unknown[]) => Promise<unknown>) =>
    async (...args: unknown[]) => {
      const line = {
        audit: true,
        forge: forge.kind,
        repo: forge.repo.fullName,
        actor: context.actor,
        action,
        target: (TARGETS[action] as (...a: unknown[]) => string)(...args),
        deliveryId: context.deliveryId,
      };
      try {
        const result = await original(...args);
        logger.info({ ...line, outcome: "ok" }, "forge write");
        return result;
      } catch (err) {
        logger.warn({ ...line, outcome: "error", error: (err as Error).message }, "forge write failed");
        throw err;
      }
    };
  // A Proxy rather than a copy: adapters are classes with private fields, so `this` must stay the target.
  return new Proxy(forge, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const bound = (value as (...args: unknown[]) => Promise<unknown>).bind(target);
      return Object.hasOwn(TARGETS, prop) ? audit(prop as WriteMethod, bound) : bound;
    },
  });
}
