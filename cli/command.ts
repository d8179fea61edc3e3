/** What every `xinfang <command>` module exports. */
export interface Command {
  summary: string;
  usage: string;
  /** Returns the process exit code. Throw UsageError for bad arguments. */
  run(args: string[]): Promise<number>;
}

/** Bad arguments or input: printed as one line on stderr, exit code 2. */
export class UsageError extends Error {}
