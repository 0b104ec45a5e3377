import { STATUS_CONTEXTS } from "../markers.js";
import picomatch from "picomatch";
import type { FactoryConfig } from "../../config/types.js";
import type { ChangeSet } from "../changeset.js";
import type { Logger } from "../deps.js";
import { ConflictError, ForgeError, NotFoundError } from "../errors.js";
import type { ChangeRequest, Forge } from "../forge.js";
import { buildPullRequestBody } from "../messages/pull-request-body.js";
import type { IssueRef } from "../task-runner.js";
import { renderTemplate } from "../templates.js";
import type { TaskProgress } from "./record.js";
import { chooseReviewers } from "./reviewers.js";
import { attemptOf, commitMessage, issueOf, reviewRoundOf, withPlanTrailer } from "./trailers.js";
import { approvedPlan } from "./plan-run.js";

// GitHub cuts status descriptions at 140 characters.
const MAX_STATUS_DESCRIPTION = 140;

export interface PublishInput {
  forge: Forge;
  config: FactoryConfig;
  issue: IssueRef;
  branch: string;
  base: string;
  attempt: number;
  changeSet: ChangeSet;
  progress: TaskProgress;
  logger: Logger;
  /** A review round's number, recorded as the commit's `Factory-Review-Round` trailer. */
  reviewRound?: number;
}

/**
 * The factory config is always protected: a fix attempt on CI runs what the branch's config
 * says, so an agent (steered by issue text) must not be able to rewrite it.
 */
export const ALWAYS_PROTECTED = [".github/factory.yml", ".gitlab/factory.yml"];

export function protectedPathsTouched(changeSet: ChangeSet, protectedPaths: string[]): string[] {
  const isProtected = picomatch([...ALWAYS_PROTECTED, ...protectedPaths], { dot: true });
  return changeSet.files.map((f) => f.path).filter((p) => isProtected(p));
}

function failedTests(changeSet: ChangeSet) {
  return changeSet.tests.filter((t) => !t.skipped && t.exit_code !== 0);
}

export function statusDescription(changeSet: ChangeSet): string {
  const ran = changeSet.tests.filter((t) => !t.skipped);
  const failed = failedTests(changeSet);
  const text =
    failed.length > 0
      ? `${failed.length} of ${ran.length} tests failed: ${failed.map((t) => t.name).join(", ")}`
      : ran.length > 0
        ? `Agent change ready; ${ran.length} test${ran.length === 1 ? "" : "s"} passed`
        : "Agent change ready; no tests configured";
  return text.length <= MAX_STATUS_DESCRIPTION ? text : text.slice(0, MAX_STATUS_DESCRIPTION - 1) + "…";
}

/** The branch head when it is this task's commit for this attempt (by its trailers), else null. */
async function alreadyCommitted(
  forge: Forge,
  branch: string,
  issueNumber: number,
  attempt: number,
  reviewRound: number | null,
): Promise<string | null> {
  const head = await forge.getBranchSha(branch);
  if (!head) return null;
  const message = await forge.getCommitMessage(head).catch((err: unknown) => {
    if (err instanceof NotFoundError) return "";
    throw err;
  });
  const ours = issueOf(message) === issueNumber && attemptOf(message) === attempt;
  return ours && reviewRoundOf(message) === reviewRound ? head : null;
}

export type PublishOutcome = "published" | "no-changes" | "refused";

/**
 * Turns a ChangeSet into one commit on the task branch and one open change request; otherwise
 * tells the person on the progress comment why nothing was pushed.
 */
export async function publishChangeSet(input: PublishInput): Promise<PublishOutcome> {
  const { forge, config, issue, changeSet, progress } = input;
  if (changeSet.files.length === 0) {
    const open = await forge.findOpenChangeRequest(input.branch);
    // A run that pushed this task's commit and then failed before opening the change request
    // (redelivered, or relabeled): the commit is already there, only the change request is missing.
    const pushed = open ? null : await ownBranchHead(forge, input.branch, issue.number, input.base);
    if (pushed) return openChangeRequest(input, pushed);
    await progress.show(
      { phase: "no-changes", changeRequest: open ? { number: open.number, url: open.url } : undefined },
      open ? { changeRequest: open.number } : {},
    );
    return "no-changes";
  }
  const touched = protectedPathsTouched(changeSet, config.protected_paths);
  if (touched.length > 0) {
    await progress.show({ phase: "failed", failure: { kind: "protected-paths", paths: touched } });
    return "refused";
  }
  const title = renderTemplate(config.pull_request.title, issue);
  let commitSha: string;
  try {
    const commit = await forge.commitFiles({
      branch: input.branch,
      parentSha: changeSet.base_sha,
      message: withPlanTrailer(
        commitMessage(title, issue.number, input.attempt, input.reviewRound),
        approvedPlan(progress.current)?.id ?? null,
      ),
      files: changeSet.files,
    });
    commitSha = commit.sha;
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    const head = await alreadyCommitted(forge, input.branch, issue.number, input.attempt, input.reviewRound ?? null);
    if (!head) {
      await progress.show({ phase: "failed", failure: { kind: "branch-moved", branch: input.branch } });
      return "refused";
    }
    commitSha = head; // a retry of a publish whose commit landed before something else failed
  }
  return openChangeRequest(input, commitSha);
}

/** The branch head when it is one of this task's commits (any attempt) and not the base, else null. */
async function ownBranchHead(forge: Forge, branch: string, issueNumber: number, base: string): Promise<string | null> {
  const head = await forge.getBranchSha(branch);
  if (!head || head === (await forge.getBranchSha(base))) return null;
  const message = await forge.getCommitMessage(head).catch((err: unknown) => {
    if (err instanceof NotFoundError) return "";
    throw err;
  });
  return issueOf(message) === issueNumber ? head : null;
}

/** Opens (or updates) the change request for the pushed commit, decorates it and reports it. */
async function openChangeRequest(input: PublishInput, commitSha: string): Promise<PublishOutcome> {
  const { forge, config, issue, changeSet, progress } = input;
  const title = renderTemplate(config.pull_request.title, issue);
  const testsFailed = failedTests(changeSet).length > 0;
  const plan = approvedPlan(progress.current);
  const body = buildPullRequestBody({
    issue,
    changeSet,
    words: forge.words,
    ...(plan ? { plan: { id: plan.id, by: plan.by, url: forge.words.commentUrl(issue.url, progress.commentId) } } : {}),
  });
  const { changeRequest, updated } = await ensureChangeRequest(forge, {
    title: config.pull_request.draft || testsFailed ? forge.words.draftTitle(title) : title,
    body,
    head: input.branch,
    base: input.base,
    draft: config.pull_request.draft || testsFailed,
  });
  await decorateChangeRequest(input, changeRequest, updated);
  await forge.setCommitStatus(commitSha, {
    context: STATUS_CONTEXTS.task,
    state: testsFailed ? "failure" : "success",
    description: statusDescription(changeSet),
    targetUrl: changeRequest.url,
  });
  await progress.show(
    {
      phase: "opened",
      changeRequest: { number: changeRequest.number, url: changeRequest.url, draft: changeRequest.draft },
      branch: input.branch,
      tests: changeSet.tests,
      updated,
      ...(changeSet.iterations ? { iterations: changeSet.iterations } : {}),
    },
    { branch: input.branch, changeRequest: changeRequest.number, lastCommit: commitSha },
  );
  return "published";
}

/**
 * A re-run on an existing branch set `factory/task` pending on its head; when it pushed nothing
 * that head is still what people review, so the status says what the run found about it.
 */
export async function settleHeadStatus(forge: Forge, headSha: string, changeSet: ChangeSet | null): Promise<void> {
  const status =
    changeSet && changeSet.files.length === 0
      ? {
          state: failedTests(changeSet).length > 0 ? ("failure" as const) : ("success" as const),
          description: statusDescription(changeSet),
        }
      : { state: "failure" as const, description: "The agent's new run pushed nothing; see the issue" };
  await forge.setCommitStatus(headSha, { context: STATUS_CONTEXTS.task, ...status });
}

async function ensureChangeRequest(
  forge: Forge,
  input: { title: string; body: string; head: string; base: string; draft: boolean },
): Promise<{ changeRequest: ChangeRequest; updated: boolean }> {
  const open = await forge.findOpenChangeRequest(input.head);
  if (open) {
    // Keep a person's edits to the draft state; refresh what the bot owns.
    const title = open.draft ? forge.words.draftTitle(stripDraft(forge, input.title)) : stripDraft(forge, input.title);
    await forge.updateChangeRequest(open.number, { title, body: input.body });
    return { changeRequest: { ...open, title, body: input.body }, updated: true };
  }
  try {
    return { changeRequest: await forge.createChangeRequest(input), updated: false };
  } catch (err) {
    // Two deliveries can race to open it; the forge lets only one through.
    const raced = err instanceof ForgeError ? await forge.findOpenChangeRequest(input.head) : null;
    if (!raced) throw err;
    return { changeRequest: raced, updated: true };
  }
}

function stripDraft(forge: Forge, title: string): string {
  const prefix = forge.words.draftTitle("");
  return prefix && title.startsWith(prefix) ? title.slice(prefix.length) : title;
}

async function decorateChangeRequest(
  input: PublishInput,
  changeRequest: ChangeRequest,
  updated: boolean,
): Promise<void> {
  const { forge, config, changeSet, logger } = input;
  if (config.pull_request.labels.length > 0) await forge.addLabels(changeRequest.number, config.pull_request.labels);
  if (updated) return; // reviewers were requested when it opened; people may have changed them since
  try {
    const codeowners = config.pull_request.reviewers.length > 0 ? null : await forge.getCodeowners(input.base);
    const reviewers = chooseReviewers(
      changeSet.files.map((f) => f.path),
      config.pull_request.reviewers,
      codeowners,
      [forge.botLogin],
    );
    if (reviewers.users.length + reviewers.teams.length > 0)
      await forge.requestReviewers(changeRequest.number, reviewers);
  } catch (err) {
    // A reviewer who cannot be requested (not a collaborator, say) must not fail the task.
    if (!(err instanceof ForgeError)) throw err;
    logger.warn({ err: err.message }, "could not request reviewers");
  }
}
