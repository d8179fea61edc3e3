import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What every `xinfang <command>` module exports. */
export interface Command {
  summary: string;
  usage: string;
  /** Returns the process exit code. Throw UsageError for bad arguments. */
  run(args: string[]): Promise<number>;
}

/** Bad arguments or input: printed as one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** node:util parseArgs, with its errors (unknown or malformed options) as usage errors. */
export function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
