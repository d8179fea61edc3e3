/**
 * Look-up timing of the petitioner's site (issue 17, "the same answer in the same time"): how
 * long POST /open/lookup takes for a wrong verification code of a case that exists and for a
 * case code that names no case, interleaved, through the product's Express app over HTTP. Each
 * try uses a case code of its own and a client address of its own, so neither a lock-out nor a
 * rate limit shortens any of them. Both should cost one Argon2id verification; the medians
 * should differ by far less than their spread.
 *
 * Run: `npx tsx bench/open-lookup.ts` (RUNS=50). Writes bench/results/open-lookup.json.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { AnalyticsStore } from '../analytics/store.js';
import { createApp } from '../server/app.js';
import { hashCode, mintVerificationCode, recordAccess } from '../server/public/access.js';
import { temporalDown, testIdentityKeys } from '../test/support/api-app.js';

const RUNS = Number(process.env.RUNS ?? 50);
const store = await AnalyticsStore.open(':memory:');
const keys = testIdentityKeys();
const known = Array.from({ length: RUNS }, (_, i) => `XF-20261203-${i.toString(16).toUpperCase().padStart(8, '0')}`);
for (const caseId of known) {
  const hash = await hashCode(mintVerificationCode());
  await store.transaction((conn) => recordAccess(conn, keys, caseId, hash, new Date(), []));
}
const app = createApp({ store, temporal: await temporalDown(), taskQueue: 'bench', jurisdiction: 'beijing', identityKeys: keys, trustProxy: true });
const server = await new Promise<Server>((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s));
});
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function timed(caseCode: string, client: string): Promise<{ ms: number; status: number; body: string }> {
  const start = performance.now();
  const res = await fetch(`${base}/open/lookup`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': client },
    body: new URLSearchParams({ caseCode, verificationCode: 'AAAA-BBBB-CCCC' }).toString(),
  });
  const body = (await res.text()).replaceAll(caseCode, 'CODE');
  return { ms: performance.now() - start, status: res.status, body };
}

const wrong: number[] = [];
const unknown: number[] = [];
const bodies = new Set<string>();
for (let i = 0; i < RUNS; i++) {
  const a = await timed(known[i]!, `10.1.${i}.1`);
  const b = await timed(known[i]!.replace('XF-', 'XG-'), `10.2.${i}.1`);
  if (a.status !== 403 || b.status !== 403) throw new Error(`expected 403 for both, got ${a.status} and ${b.status}`);
  wrong.push(a.ms);
  unknown.push(b.ms);
  bodies.add(a.body).add(b.body);
}
server.close();
store.close();

const stats = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 10) / 10;
  return { median: at(0.5), p10: at(0.1), p90: at(0.9) };
};
const result = {
  runs: RUNS,
  wrongCode: stats(wrong),
  unknownCase: stats(unknown),
  distinctAnswers: bodies.size,
  machine: { cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) },
  at: new Date().toISOString(),
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(new URL('./results/open-lookup.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
