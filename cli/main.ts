/**
 * Dispatches `xinfang <command> [args]` to cli/commands/<command>.ts. Each command is its own
 * module, found by name, so adding one touches no shared table.
 */
import { readdirSync } from 'node:fs';
import { UsageError, type Command } from './command.js';

const COMMANDS_DIR = new URL('./commands/', import.meta.url);
const available = readdirSync(COMMANDS_DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

async function load(name: string): Promise<Command> {
  const module = (await import(new URL(`${name}.ts`, COMMANDS_DIR).href)) as { command: Command };
  return module.command;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === 'help') {
    const lines = await Promise.all(available.map(async (n) => `  ${n.padEnd(10)} ${(await load(n)).summary}`));
    process.stdout.write(`usage: xinfang <command> [options]\n\ncommands:\n${lines.join('\n')}\n`);
    return name ? 0 : 2;
  }
  if (!available.includes(name)) throw new UsageError(`unknown command "${name}"; commands: ${available.join(', ')}`);
  const command = await load(name);
  if (args.includes('--help')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(args);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`xinfang: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`xinfang: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
