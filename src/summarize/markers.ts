/**
 * GitHub Actions writes its own commands into the raw log: `##[group]Run npm test`,
 * `##[error]message`, `##[endgroup]`… (and steps may print the `::error::` workflow-command
 * form). This turns such a line into what the web UI shows. Jenkins Pipeline's `[Pipeline]`
 * lines are furniture too.
 */

export type AnnotationLevel = "error" | "warning";

export interface RunnerLine {
  /** What a person sees for this line. */
  text: string;
  /** Furniture of the runner (group boundaries, debug output): never shown, never a cause. */
  chrome: boolean;
  /** `##[group]Run …`: the header of a new step, whose script echo follows until `##[endgroup]`. */
  stepHeader: boolean;
  endGroup: boolean;
  annotation: AnnotationLevel | null;
}

const GHA_COMMAND = /^##\[(group|endgroup|error|warning|notice|debug|command|section)\]/;
const WORKFLOW_COMMAND = /^::(group|endgroup|error|warning|notice|debug)(?: [^:]{0,1000})?::/;

const PLAIN: Omit<RunnerLine, "text"> = { chrome: false, stepHeader: false, endGroup: false, annotation: null };

export function readRunnerLine(text: string): RunnerLine {
  // Jenkins Pipeline's own structure (`[Pipeline] sh`, `[Pipeline] // stage`, `[Pipeline] }`).
  if (text.startsWith("[Pipeline] ")) return { text, ...PLAIN, chrome: true };
  if (!text.startsWith("##[") && !text.startsWith("::")) return { text, ...PLAIN };
  const match = GHA_COMMAND.exec(text) ?? WORKFLOW_COMMAND.exec(text);
  if (!match) return { text, ...PLAIN };
  const command = match[1];
  const message = text.slice(match[0].length);
  switch (command) {
    case "group":
      return { text: message, ...PLAIN, chrome: true, stepHeader: message.startsWith("Run ") };
    case "endgroup":
      return { text: "", ...PLAIN, chrome: true, endGroup: true };
    case "error":
      return { text: `Error: ${message}`, ...PLAIN, annotation: "error" };
    case "warning":
      return { text: `Warning: ${message}`, ...PLAIN, annotation: "warning" };
    case "command":
      return { text: `[command]${message}`, ...PLAIN };
    case "section":
      // Azure Pipelines, which shares this syntax, opens each step with `##[section]Starting: …`.
      return { text: message, ...PLAIN, chrome: true, stepHeader: message.startsWith("Starting: ") };
    default:
      return { text: message, ...PLAIN, chrome: true };
  }
}

/** The message of an annotation line as built above (what rules classify). */
export function annotationMessage(line: RunnerLine): string {
  if (line.annotation === "error") return line.text.slice("Error: ".length);
  if (line.annotation === "warning") return line.text.slice("Warning: ".length);
  return line.text;
}
