/**
 * How long the Temporal servers take to come up on this machine, cold, from spawn until they
 * answer. The SDK gives the time-skipping test server 5 s (sdk-core ephemeral_server), so
 * its figure must stay well inside that. Run: `npm run bench:startup`.
 * Writes bench/results/temporal-startup.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { freePort } from '../test/support/ports.js';
import { temporalCliPath, timeSkippingServerPath } from '../test/support/tools.js';

const RUNS = Number(process.env.RUNS ?? 5);

async function timeUntilServing(command: string, args: (port: number) => string[]): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command, args(port), { stdio: 'ignore' });
  try {
    for (;;) {
      try {
        const connection = await Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 500 });
        await connection.workflowService.getSystemInfo({});
        await connection.close();
        return performance.now() - started;
      } catch {
        if (performance.now() - started > 60_000) throw new Error(`${command} did not serve within 60 s`);
        await delay(50);
      }
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { runs: samples.length, minMs: Math.round(sorted[0]!), medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]!), maxMs: Math.round(sorted.at(-1)!) };
}

const testServer = timeSkippingServerPath();
const cli = temporalCliPath();
const testServerMs: number[] = [];
const devServerMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  testServerMs.push(await timeUntilServing(testServer, (port) => [String(port)]));
  const dir = mkdtempSync(join(tmpdir(), 'xinfang-bench-'));
  devServerMs.push(
    await timeUntilServing(cli, (port) => ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port),
      '--db-filename', join(dir, 'temporal.db'), '--log-level', 'error']),
  );
  rmSync(dir, { recursive: true, force: true });
}
const result = {
  measuredAt: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model },
  timeSkippingTestServer: { ...summary(testServerMs), sdkLimitMs: 5000, headroom: +(5000 / Math.max(...testServerMs)).toFixed(1) },
  devServerWithSqliteFile: summary(devServerMs),
};
const out = new URL('./results/temporal-startup.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
