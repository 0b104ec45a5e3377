import { TaskError } from "../core/errors.js";

/**
 * A task could not produce a usable result for a reason a person can act on (unsafe archive,
 * symlink escape, oversized ChangeSet). The message is written for the progress comment.
 */
export class TaskFailedError extends TaskError {}
