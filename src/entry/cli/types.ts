/** What a CLI verb gets: its own arguments and injected I/O, so verbs are testable in-process. */
export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** A CLI verb: returns the process exit code. `--help` is handled by the verb itself. */
export type CliCommand = (args: string[], io: CliIo) => Promise<number>;
