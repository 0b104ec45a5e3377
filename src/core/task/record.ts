import type { FactoryConfig } from "../../config/types.js";
import type { Clock, Logger } from "../deps.js";
import type { Forge, ForgeComment } from "../forge.js";
import type { IssueRef } from "../task-runner.js";
import { decodeState, STATUS_CONTEXTS } from "../markers.js";
import { markedComments } from "../sticky-comment.js";
import { renderTaskComment, type TaskCommentView } from "../messages/task-comment.js";
import { isActive, type TaskState } from "../task-state.js";

/**
 * The task record: an issue's one task comment (marker `task`) and the state hidden in it. Every
 * handler finds, claims, continues and marks tasks through this module, so the forge, not process
 * memory, says where a task stands.
 */
export interface TaskRecord {
  comment: ForgeComment;
  /** Null when the comment's state cannot be read (edited by hand). */
  state: TaskState | null;
}

/** The issue's task record, or null when no task was ever started on it. */
export async function findTaskRecord(forge: Forge, issueNumber: number): Promise<TaskRecord | null> {
  const comment = (await taskComments(forge, issueNumber))[0];
  return comment ? { comment, state: decodeState<TaskState>(comment.body) } : null;
}

/** The one progress comment of a task, edited in place from claim to outcome. */
export class TaskProgress {
  constructor(
    private readonly forge: Forge,
    private readonly issueNumber: number,
    readonly commentId: number,
    private state: TaskState,
    private readonly clock: Clock,
  ) {}

  get current(): TaskState {
    return this.state;
  }

  now(): Date {
    return this.clock.now();
  }

  async show(view: TaskCommentView, patch: Partial<TaskState> = {}): Promise<void> {
    this.state = { ...this.state, ...patch, phase: view.phase, updatedAt: this.clock.now().toISOString() };
    const body = renderTaskComment(view, this.state, this.forge.words);
    await this.forge.updateComment({ kind: "issue", number: this.issueNumber }, this.commentId, body);
  }
}

export interface ClaimInput {
  forge: Forge;
  issueNumber: number;
  deliveryId: string;
  /** What the comment shows once claimed (queued, or an outcome decided up front such as denied). */
  view: TaskCommentView;
  clock: Clock;
  logger: Logger;
  /** An active task whose comment was not touched for this long was interrupted (restart, lost run). */
  staleAfterMs: number;
}

function taskComments(forge: Forge, issueNumber: number): Promise<ForgeComment[]> {
  return markedComments(forge, { kind: "issue", number: issueNumber }, "task");
}

/**
 * Claims the task for this delivery, or returns null when another delivery owns it. The forge
 * decides, not process memory: the oldest marker comment wins, so two deliveries racing to
 * create one both see the same winner and the loser deletes its own.
 */
export async function claimTask(input: ClaimInput): Promise<TaskProgress | null> {
  const { forge, issueNumber, deliveryId, view, clock } = input;
  const target = { kind: "issue", number: issueNumber } as const;
  const now = clock.now().toISOString();
  const existing = await findTaskRecord(forge, issueNumber);
  if (existing) {
    const previous = existing.state;
    if (previous && !mayTakeOver(previous, deliveryId, clock.now(), input.staleAfterMs)) {
      input.logger.info({ phase: previous.phase }, "task already handled for this issue; nothing to do");
      return null;
    }
    const state: TaskState = {
      ...previous,
      issue: issueNumber,
      attempt: 1,
      phase: view.phase,
      updatedAt: now,
      deliveryId,
      deliveries: rememberDelivery(previous, deliveryId),
      stopped: false,
      retryable: false,
    };
    const progress = new TaskProgress(forge, issueNumber, existing.comment.id, state, clock);
    await progress.show(view);
    return progress;
  }
  const state: TaskState = {
    phase: view.phase,
    issue: issueNumber,
    attempt: 1,
    updatedAt: now,
    deliveryId,
    deliveries: [deliveryId],
  };
  const created = await forge.createComment(target, renderTaskComment(view, state, forge.words));
  const winner = (await taskComments(forge, issueNumber))[0];
  if (winner && winner.id !== created.id) {
    input.logger.info({ winner: winner.id }, "another delivery claimed this task first; withdrawing");
    await forge.deleteComment(target, created.id);
    return null;
  }
  return new TaskProgress(forge, issueNumber, created.id, state, clock);
}

const REMEMBERED_DELIVERIES = 10;

/** The deliveries that started or re-ran a task, newest last, bounded. */
export function rememberDelivery(previous: TaskState | null, deliveryId: string): string[] {
  const known = previous?.deliveries ?? (previous ? [previous.deliveryId] : []);
  return [...known.filter((d) => d !== deliveryId), deliveryId].slice(-REMEMBERED_DELIVERIES);
}

function mayTakeOver(previous: TaskState, deliveryId: string, now: Date, staleAfterMs: number): boolean {
  // A redelivery of an event that already started (or re-ran) this task, unless that run was cut
  // short by the forge or a shutdown: then redelivering is how an operator finishes it.
  if (previous.deliveryId === deliveryId || previous.deliveries?.includes(deliveryId))
    return previous.phase === "failed" && previous.retryable === true;
  if (!isActive(previous.phase)) return true; // finished: a new label is a deliberate retry
  return now.getTime() - Date.parse(previous.updatedAt) > staleAfterMs;
}

/** How long past the agent's own timeout an active task may stay silent before it counts as lost. */
export const INTERRUPTED_GRACE_MS = 10 * 60 * 1000;

/** The longest a run can take: the agent, then every test, each up to its timeout. */
export function longestRunMs(config: FactoryConfig): number {
  const tests = config.tests.reduce((sum, test) => sum + test.timeout_seconds, 0);
  const oneRun = (config.agent.timeout_seconds + tests) * 1000;
  // Each of a task's runs takes the agent and every test, all within agent.max_minutes (docs/iterations.md).
  return Math.min(oneRun * config.agent.max_iterations, config.agent.max_minutes * 60_000);
}

export function isInterrupted(state: TaskState, config: FactoryConfig, now: Date): boolean {
  const limit = longestRunMs(config) + INTERRUPTED_GRACE_MS;
  return isActive(state.phase) && now.getTime() - Date.parse(state.updatedAt) > limit;
}

/**
 * A task still "running" long after it could have (a restart, a lost CI run) is marked failed
 * with a retry hint, and its pending `factory/task` status resolved. True when it was.
 */
export async function markIfInterrupted(
  forge: Forge,
  issue: number,
  config: FactoryConfig,
  clock: Clock,
): Promise<boolean> {
  const record = await findTaskRecord(forge, issue);
  const state = record?.state;
  if (!record || !state || !isInterrupted(state, config, clock.now())) return false;
  const progress = new TaskProgress(forge, issue, record.comment.id, state, clock);
  await progress.show({
    phase: "failed",
    failure: {
      kind: "refused",
      message:
        "it was interrupted (the server restarted or its CI run was lost) and never finished. Comment " +
        "`/factory retry` to run it again.",
    },
  });
  const head = state.branch ? await forge.getBranchSha(state.branch) : null;
  if (head && state.changeRequest !== undefined) {
    await forge.setCommitStatus(head, {
      context: STATUS_CONTEXTS.task,
      state: "error",
      description: "Interrupted; comment /factory retry to run it again",
    });
  }
  return true;
}

/**
 * The issue's text for a re-run: read again from the forge (the agent gets the current text), or
 * what the task record remembers when the issue cannot be read.
 */
export async function issueForRerun(
  forge: Forge,
  issue: number,
  state: Pick<TaskState, "title" | "url"> | null | undefined,
): Promise<IssueRef> {
  return (await forge.getIssue(issue)) ?? { number: issue, title: state?.title ?? "", body: "", url: state?.url ?? "" };
}
