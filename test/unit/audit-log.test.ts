/**
 * The audit log on a DuckDB file: appends of every kind of row, queries by each filter, the
 * hash chain as documented, tampering found at the right row, concurrent appends that never
 * fork the chain, and `xinfang audit` on an intact and a tampered file.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, GENESIS_HASH, queryAudit, verifyAuditChain, type AuditEntry, type AuditRecord } from '../../analytics/audit-log.js';
import { AnalyticsStore } from '../../analytics/store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let base: string;
let records: AuditRecord[];

const officer = { userId: 'u-zhang', username: 'zhang', role: 'case_officer', scope: 'region:110105' };
const ENTRIES: AuditEntry[] = [
  { at: '2025-03-01T10:00:00+08:00', action: 'login_failed', username: 'nobody', outcome: 'failed', status: 401, client: '10.0.0.9', route: 'POST /api/v1/login' },
  { at: new Date('2025-03-01T02:01:00.250Z'), ...officer, action: 'login', outcome: 'ok', status: 200, client: '10.0.0.7' },
  {
    at: '2025-03-02T00:30:00+08:00',
    ...officer,
    action: 'case.read',
    route: 'GET /api/v1/cases/:caseId',
    objectIds: ['C-1'],
    personalFields: ['name', 'idNumber'],
    outcome: 'ok',
    status: 200,
    reason: '核查来访人身份，办理转送',
  },
  {
    at: '2025-03-02T09:00:00+08:00',
    ...officer,
    action: 'case.route',
    objectIds: ['C-1', 'ORG-BJ-JW'],
    outcome: 'ok',
    status: 200,
    detail: { to: '北京市交通委员会', note: undefined, nested: { z: [1, '二', null], a: true }, when: new Date('2025-03-02T01:00:00Z') },
  },
  { at: '2025-03-03T09:00:00+08:00', userId: 'u-admin', username: 'admin', role: 'administrator', scope: 'region:110000', action: 'user.create', objectIds: ['u-li'], outcome: 'ok', status: 201, detail: { role: 'inspector' } },
  { at: '2025-03-03T10:00:00+08:00', ...officer, action: 'identity.reveal', objectIds: ['C-2'], personalFields: ['name'], outcome: 'denied', status: 403 },
];

/** The chain as the README documents it, written out independently of the module. */
const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sorted(x)])) : v;
const expectedHash = (r: AuditRecord) =>
  createHash('sha256')
    .update(r.prevHash)
    .update(JSON.stringify(sorted([r.seq, r.at, r.userId, r.username, r.role, r.scope, r.action, r.route, r.objectIds, r.personalFields, r.outcome, r.status, r.client, r.reason, r.detail])))
    .digest('hex');

/** A copy of the intact file, tampered with raw SQL, verified. */
async function tampered(name: string, ...statements: string[]) {
  const path = join(dir, `${name}.duckdb`);
  copyFileSync(base, path);
  const store = await AnalyticsStore.open(path);
  try {
    for (const sql of statements) await store.run(sql);
    return await verifyAuditChain(store);
  } finally {
    store.close();
  }
}

const cli = (args: string[], dbPath: string, env: Record<string, string> = {}) =>
  promisify(execFile)(process.execPath, [join(ROOT, 'bin/xinfang.js'), 'audit', ...args], {
    cwd: ROOT,
    env: { ...process.env, DUCKDB_PATH: dbPath, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-audit-'));
  base = join(dir, 'base.duckdb');
  const store = await AnalyticsStore.open(base);
  records = [];
  for (const entry of ENTRIES) records.push(await appendAudit(store, entry));
  store.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the audit log', () => {
  it('numbers rows 1, 2, 3… and chains each to the one before by the documented hash', () => {
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records[0]!.prevHash).toBe(GENESIS_HASH);
    for (const [i, r] of records.entries()) {
      expect(r.hash).toBe(expectedHash(r));
      if (i > 0) expect(r.prevHash).toBe(records[i - 1]!.hash);
    }
    expect(records[0]).toMatchObject({ at: '2025-03-01T02:00:00.000Z', userId: null, objectIds: [], personalFields: [], detail: null, reason: null });
    expect(records[3]!.detail).toEqual({ to: '北京市交通委员会', nested: { z: [1, '二', null], a: true }, when: '2025-03-02T01:00:00.000Z' });
  });

  it('reads back what was appended and filters by user, action, object, time and outcome, newest first', async () => {
    const store = await AnalyticsStore.open(join(dir, 'query.duckdb'));
    try {
      const appended: AuditRecord[] = [];
      for (const entry of ENTRIES) appended.push(await appendAudit(store, entry));
      const seqs = async (filter: Parameters<typeof queryAudit>[1]) => (await queryAudit(store, filter)).map((r) => r.seq);

      expect(await queryAudit(store, {})).toEqual([...appended].reverse());
      expect(await seqs({ user: 'zhang' })).toEqual([6, 4, 3, 2]);
      expect(await seqs({ user: 'u-admin' })).toEqual([5]);
      expect(await seqs({ user: 'nobody' })).toEqual([1]);
      expect(await seqs({ action: 'case' })).toEqual([4, 3]);
      expect(await seqs({ action: 'case.' })).toEqual([4, 3]);
      expect(await seqs({ action: 'case.read' })).toEqual([3]);
      // An action matches itself, not every action its name begins.
      expect(await seqs({ action: 'login' })).toEqual([2]);
      expect(await seqs({ object: 'C-1' })).toEqual([4, 3]);
      expect(await seqs({ object: 'C' })).toEqual([]);
      expect(await seqs({ outcome: 'denied' })).toEqual([6]);
      // A date is its China day: 2025-03-02T00:30+08:00 is 1 March in UTC but 2 March in China.
      expect(await seqs({ from: '2025-03-02', to: '2025-03-02' })).toEqual([4, 3]);
      expect(await seqs({ from: '2025-03-01T02:01:00.250Z', to: '2025-03-02T00:30:00+08:00' })).toEqual([2]);
      expect(await seqs({ user: 'zhang', action: 'case', object: 'ORG-BJ-JW' })).toEqual([4]);
      expect(await seqs({ limit: 2 })).toEqual([6, 5]);
      expect(await seqs({ limit: '3' })).toEqual([6, 5, 4]);
      const [read] = await queryAudit(store, { action: 'case.read' });
      expect(read).toMatchObject({ reason: '核查来访人身份，办理转送', personalFields: ['name', 'idNumber'], route: 'GET /api/v1/cases/:caseId', status: 200 });

      await expect(queryAudit(store, { limit: 5001 })).rejects.toThrow(/5000/);
      await expect(queryAudit(store, { from: 'yesterday' })).rejects.toThrow(/China date/);
      await expect(queryAudit(store, { usr: 'zhang' } as Parameters<typeof queryAudit>[1])).rejects.toThrow(/usr/);
      // Values are bound, never spliced into the statement.
      expect(await seqs({ user: "zhang' OR 1=1 --" })).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('verifies an intact chain and names the last hash', async () => {
    const store = await AnalyticsStore.open(base);
    try {
      expect(await verifyAuditChain(store)).toEqual({ ok: true, rows: 6, lastHash: records[5]!.hash });
    } finally {
      store.close();
    }
  });

  it('finds a changed field, a removed row, a re-hashed row and swapped rows at the row where the chain breaks', async () => {
    expect(await tampered('changed', `UPDATE audit_log SET reason = '例行检查' WHERE seq = 3`)).toEqual({
      ok: false,
      rows: 2,
      brokenAt: 3,
      problem: "row 3's hash does not match its contents: the row was changed",
    });
    expect(await tampered('fields', `UPDATE audit_log SET personal_fields = ['name'] WHERE seq = 3`)).toMatchObject({ ok: false, brokenAt: 3 });
    expect(await tampered('detail', `UPDATE audit_log SET detail = '{"role":"administrator"}' WHERE seq = 5`)).toMatchObject({ ok: false, brokenAt: 5 });
    expect(await tampered('time', `UPDATE audit_log SET occurred_at = occurred_at + INTERVAL 1 MILLISECOND WHERE seq = 2`)).toMatchObject({ ok: false, brokenAt: 2 });

    expect(await tampered('deleted', 'DELETE FROM audit_log WHERE seq = 3')).toEqual({
      ok: false,
      rows: 2,
      brokenAt: 3,
      problem: 'row 3 is missing: row 2 is followed by row 4',
    });
    expect(await tampered('first', 'DELETE FROM audit_log WHERE seq = 1')).toMatchObject({ ok: false, rows: 0, brokenAt: 1, problem: 'row 1 is missing: the log starts at row 2' });

    // A gap wider than the window verify reads at a time, and a row numbered outside the chain.
    expect(await tampered('far', 'UPDATE audit_log SET seq = seq + 20000 WHERE seq >= 3')).toEqual({
      ok: false,
      rows: 2,
      brokenAt: 3,
      problem: 'row 3 is missing: row 2 is followed by row 20003',
    });
    expect(await tampered('zero', 'INSERT INTO audit_log SELECT * REPLACE (0 AS seq) FROM audit_log WHERE seq = 1')).toEqual({
      ok: false,
      rows: 6,
      brokenAt: 0,
      problem: 'row 0 lies outside the chain, which is numbered from 1',
    });

    // Row 3 changed and given the hash that matches its new contents: row 4 no longer follows it.
    const forged = expectedHash({ ...records[2]!, reason: '例行检查' });
    expect(await tampered('rehashed', `UPDATE audit_log SET reason = '例行检查', hash = '${forged}' WHERE seq = 3`)).toEqual({
      ok: false,
      rows: 3,
      brokenAt: 4,
      problem: "row 4's prev_hash is not the hash of row 3: a row before it was changed, removed or inserted",
    });

    expect(
      await tampered('swapped', 'UPDATE audit_log SET seq = -seq WHERE seq IN (2, 3)', 'UPDATE audit_log SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0'),
    ).toMatchObject({ ok: false, rows: 1, brokenAt: 2, problem: expect.stringMatching(/prev_hash is not the hash of row 1/) });

    // Rows cut from the end leave a shorter intact chain; only a last hash kept elsewhere shows it.
    expect(await tampered('truncated', 'DELETE FROM audit_log WHERE seq = 6')).toEqual({ ok: true, rows: 5, lastHash: records[4]!.hash });
  });

  it('keeps 50 concurrent appends in one unbroken chain, and a failed append stops none after it', async () => {
    const store = await AnalyticsStore.open(join(dir, 'concurrent.duckdb'));
    try {
      const appends = Array.from({ length: 50 }, (_, i) => appendAudit(store, { at: new Date(Date.UTC(2025, 2, 1, 0, 0, i)), ...officer, action: 'case.read', objectIds: [`C-${i}`], outcome: 'ok' }));
      const bad = appendAudit(store, { at: 'not a time', action: 'login', outcome: 'ok' });
      const late = appendAudit(store, { at: new Date(), action: 'logout', ...officer, outcome: 'ok' });
      const done = await Promise.all(appends);
      await expect(bad).rejects.toThrow(RangeError);
      expect((await late).seq).toBe(51);
      expect(done.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await verifyAuditChain(store)).toEqual({ ok: true, rows: 51, lastHash: (await late).hash });
    } finally {
      store.close();
    }
  });

  it('xinfang audit prints rows, and audit verify exits 0 on an intact file and 1 on a tampered one', { timeout: 120_000 }, async () => {
    const intact = join(dir, 'cli.duckdb');
    copyFileSync(base, intact);
    const ok = await cli(['verify'], intact);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, rows: 6, lastHash: records[5]!.hash });

    const listed = await cli(['--action', 'case', '--user', 'zhang', '--limit', '1'], intact);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { entries: AuditRecord[] }).entries).toEqual([records[3]]);

    const broken = join(dir, 'cli-tampered.duckdb');
    copyFileSync(base, broken);
    const store = await AnalyticsStore.open(broken);
    await store.run('DELETE FROM audit_log WHERE seq = 4');
    store.close();
    const failed = await cli(['verify'], broken);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toBe('xinfang: the audit chain is broken at row 4: row 4 is missing: row 3 is followed by row 5');

    const usage = await cli(['--limit', '0'], intact);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim().split('\n')).toHaveLength(1);
    expect(usage.stderr).toMatch(/--limit: /);
  });

  it('asks the running system through its API, with the token, when the file is in use', { timeout: 60_000 }, async () => {
    const held = join(dir, 'running.duckdb');
    copyFileSync(base, held);
    const store = await AnalyticsStore.open(held);
    const requests: { url: string; authorization: string | undefined }[] = [];
    const server = createServer((req, res) => {
      requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
      const body = req.url?.startsWith('/api/v1/audit/verify') ? { ok: false, rows: 1, brokenAt: 2, problem: 'row 2 is missing: row 1 is followed by row 3' } : { entries: [] };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const env = { XINFANG_TOKEN: 'xw_test' };
      const verify = await cli(['verify', '--url', url], held, env);
      expect(verify.code).toBe(1);
      expect(verify.stderr).toMatch(/broken at row 2: row 2 is missing/);
      const listed = await cli(['--action', 'case.', '--from', '2025-03-01', '--url', url], held, env);
      expect(listed.code).toBe(0);
      expect(requests).toEqual([
        { url: '/api/v1/audit/verify', authorization: 'Bearer xw_test' },
        { url: '/api/v1/audit?action=case.&from=2025-03-01', authorization: 'Bearer xw_test' },
      ]);
    } finally {
      server.close();
      store.close();
    }
  });
});
