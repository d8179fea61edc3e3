/** `npm start`: the whole system in one process, with demo data on first start. */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from './config.js';
import { startSystem } from './system.js';

const log = (line: string) => console.log(`[xinfang] ${line}`);

// The app, not the SDK, handles signals: it stops the web server and Temporal in order.
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });

try {
  const config = loadConfig();
  const system = await startSystem(config, log);
  log(`Temporal at ${system.temporalAddress}${system.temporalUiUrl ? `, UI ${system.temporalUiUrl}` : ''}`);
  log(`DuckDB at ${config.duckdbPath}`);
  log(`dashboard: ${system.url}  (Ctrl-C stops everything)`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping...`);
    await system.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  console.error(`[xinfang] could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
