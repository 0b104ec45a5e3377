import type { TaskRunner, TaskRunResult } from "../../core/task-runner.js";

/**
 * `runner: local` cannot run on Lambda: an agent runs for up to half an hour with a workspace and
 * child processes, and Lambda freezes or ends the function long before. Every task gets the
 * message saying where to run it instead.
 */
export const LAMBDA_LOCAL_RUNNER_MESSAGE =
  "This factory-bot runs on AWS Lambda, which cannot run the agent on the bot's server (`runner: local`). " +
  "Run tasks on the repository's own CI instead: set `runner: actions` (GitHub Actions) or `runner: " +
  "gitlab-ci` (GitLab CI) in .github/factory.yml.";

export class LambdaTaskRunner implements TaskRunner {
  async run(): Promise<TaskRunResult> {
    return { kind: "refused", message: LAMBDA_LOCAL_RUNNER_MESSAGE };
  }
}
