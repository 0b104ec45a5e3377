import type { Clock, Logger } from "../deps.js";
import type { Forge, ForgeComment } from "../forge.js";
import { decodeState } from "../markers.js";
import { markedComments } from "../sticky-comment.js";
import { renderTaskComment, type TaskCommentView } from "../messages/task-comment.js";
import { isActive, type TaskState } from "../task-state.js";

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
  const existing = (await taskComments(forge, issueNumber))[0];
  if (existing) {
    const previous = decodeState<TaskState>(existing.body);
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
    const progress = new TaskProgress(forge, issueNumber, existing.id, state, clock);
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
