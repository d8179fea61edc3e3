import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client, Connection, ScheduleAlreadyRunning, type ConnectionOptions, type ScheduleOptions } from '@temporalio/client';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { encryptingDataConverter } from '../workflows/payload-codec.js';
import { PROJECT_ROOT, type TemporalConfig } from './config.js';

export interface TemporalClient {
  client: Client;
  /** The client's, for every worker too: each end must read what the other encrypted. */
  dataConverter: DataConverter;
  /** The options the worker's connection is made with. */
  options: ConnectionOptions & NativeConnectionOptions;
  close(): Promise<void>;
}

/**
 * The system's Temporal client. Its connection is lazy: it is made by the first call and made
 * again after an outage, so the web server can start and serve figures while Temporal is down;
 * every call made meanwhile fails as unavailable (the API answers 503).
 */
export function temporalClient(address: string, config: TemporalConfig, codec: PayloadCodec): TemporalClient {
  const options = connectionOptions(address, config);
  const connection = Connection.lazy(options);
  const dataConverter = encryptingDataConverter(codec);
  return {
    client: new Client({ connection, namespace: config.namespace, dataConverter }),
    dataConverter,
    options,
    close: () => connection.close(),
  };
}

function connectionOptions(address: string, config: TemporalConfig): ConnectionOptions & NativeConnectionOptions {
  const { tls, apiKey } = config;
  const read = (path: string) => readFileSync(path);
  return {
    address,
    ...(apiKey ? { apiKey } : {}),
    ...(tls
      ? {
          tls: {
            ...(tls.certPath && tls.keyPath ? { clientCertPair: { crt: read(tls.certPath), key: read(tls.keyPath) } } : {}),
            ...(tls.caPath ? { serverRootCACertificate: read(tls.caPath) } : {}),
            ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
          },
        }
      : {}),
  };
}

export interface EmbeddedTemporal {
  address: string;
  /** null: started headless. */
  uiUrl: string | null;
  stop(): Promise<void>;
}

/**
 * Starts the Temporal CLI dev server with its state in an SQLite file, so open cases and
 * their timers survive a restart. The CLI comes from scripts/temporal-server (which may
 * build it); where that finds nothing, the SDK downloads one, for users with internet.
 */
export async function startEmbeddedTemporal(
  dev: TemporalConfig['dev'],
  log: (line: string) => void,
): Promise<EmbeddedTemporal> {
  const address = `127.0.0.1:${dev.port}`;
  const uiUrl = dev.uiPort === null ? null : `http://127.0.0.1:${dev.uiPort}`;
  const cli = await findTemporalCli(log);
  if (!cli) {
    log('no Temporal CLI could be found or built; falling back to the SDK download of the dev server');
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        ip: '127.0.0.1',
        port: dev.port,
        ...(dev.uiPort === null ? { ui: false } : { ui: true, uiPort: dev.uiPort }),
        dbFilename: dev.dbFilename,
      },
    });
    return { address, uiUrl, stop: () => env.teardown() };
  }

  const dataDir = dev.dbFilename.replace(/\/[^/]+$/, '');
  mkdirSync(dataDir, { recursive: true });
  const logFile = `${dataDir}/temporal.log`;
  const out = openSync(logFile, 'a');
  const child = spawn(
    cli,
    ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(dev.port),
      ...(dev.uiPort === null ? ['--headless'] : ['--ui-port', String(dev.uiPort)]),
      '--db-filename', dev.dbFilename, '--log-level', 'warn',
      // WAL: far faster writes on a small machine; committed state survives process restarts.
      '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'],
    { stdio: ['ignore', out, out] },
  );
  // If this process dies without stopping it (an uncaught error), take the server along.
  const orphanGuard = () => child.kill('SIGTERM');
  process.once('exit', orphanGuard);
  await waitUntilServing(address, child, logFile);
  return {
    address,
    uiUrl,
    stop: async () => {
      process.off('exit', orphanGuard);
      await stopChild(child);
    },
  };
}

async function findTemporalCli(log: (line: string) => void): Promise<string | null> {
  try {
    const started = Date.now();
    const { stdout } = await promisify(execFile)(`${PROJECT_ROOT}scripts/temporal-server`, ['path'], {
      maxBuffer: 16 << 20,
    });
    if (Date.now() - started > 10_000) log(`Temporal CLI ready after ${Math.round((Date.now() - started) / 1000)} s`);
    return stdout.trim();
  } catch (error) {
    const { code, stderr } = error as { code?: number; stderr?: string };
    if (code === 3) return null;
    throw new Error(`scripts/temporal-server failed: ${stderr ?? String(error)}`);
  }
}

async function waitUntilServing(address: string, child: ChildProcess, logFile: string): Promise<void> {
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited !== null) {
      throw new Error(`the Temporal dev server exited (code ${exited}) before serving on ${address}; see ${logFile}:\n${tail(logFile)}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      const { status } = await connection.healthService.check({});
      await connection.close();
      if (status === 1 /* SERVING */) return;
    } catch {
      // not up yet
    }
    await delay(200);
  }
  await stopChild(child);
  throw new Error(`the Temporal dev server did not serve on ${address} within 60 s; see ${logFile}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-10).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Creates a Schedule unless one with its id exists: true when it was created. A second start
 * of the system finds its Schedules and leaves them as they are (a changed spec is applied by
 * deleting the Schedule, not silently on start).
 */
export async function createScheduleOnce(client: Client, options: ScheduleOptions): Promise<boolean> {
  try {
    await client.schedule.create(options);
    return true;
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) return false;
    throw error;
  }
}
