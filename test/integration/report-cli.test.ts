/**
 * `xinfang report` as a user runs it: through the running system with an API token (the file
 * written is the report the system keeps, byte for byte), from a database file with --db, and
 * refusing what it cannot do with the reason and exit code 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../../analytics/demo-data.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let store: AnalyticsStore;
let app: RunningApp;
let token: string;

type Run = { code?: number; stdout: string; stderr: string };
const xinfang = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
  promisify(execFile)(process.execPath, [join(root, 'bin/xinfang.js'), 'report', ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 }).then(
    (r) => ({ ...r, code: 0 }),
    (error: Run) => error,
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xinfang-report-cli-'));
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  await loadDemoData(store, { anchorMonth: '2026-01', jurisdiction: 'beijing', cases: 1500, months: 24 });
  token = (await tokenHeaders(store, 'leader-chaoyang')).authorization!.replace('Bearer ', '');
  app = await startApiApp({ store });

  // A file of its own for --db: the server's store is in memory and stays the server's.
  const file = await AnalyticsStore.open(join(dir, 'copy.duckdb'));
  await seedUsers(file);
  await loadDemoData(file, { anchorMonth: '2026-01', jurisdiction: 'beijing', cases: 1500, months: 24 });
  file.close();
}, 180_000);

afterAll(async () => {
  await app?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('xinfang report', () => {
  it('writes the report the running system generates and keeps, for the token holder’s district', async () => {
    const out = join(dir, 'chaoyang.html');
    const run = await xinfang(['annual', '--year', '2025', '--as-of', '2026-01-31', '--format', 'html', '--out', out, '--url', app.base], { XINFANG_TOKEN: token });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const written = readFileSync(out);
    expect(run.stdout).toBe(`${out}: annual report, html, ${written.length} bytes\n`);
    // The token is the Chaoyang leader's: the report is Chaoyang's, kept by the system, the file its bytes.
    const listed = (await (await fetch(`${app.base}/api/v1/reports`, { headers: { authorization: `Bearer ${token}` } })).json()) as { reports: { id: string; regionCode: string; format: string; download: string }[] };
    const kept = listed.reports.find((r) => r.format === 'html');
    expect(kept?.regionCode).toBe('110105');
    const again = Buffer.from(await (await fetch(`${app.base}${kept!.download}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer());
    expect(again.equals(written)).toBe(true);
    expect(written.toString('utf8')).toContain('朝阳区');

    // Outside the token holder's jurisdiction: the system's refusal, in one line.
    const outside = await xinfang(['annual', '--year', '2025', '--region', '110108', '--format', 'html', '--out', join(dir, 'x.html'), '--url', app.base], { XINFANG_TOKEN: token });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^xinfang: .*110108/);
  }, 120_000);

  it('writes a Word file from a database file with --db', async () => {
    const out = join(dir, 'city.docx');
    const run = await xinfang(['annual', '--year', '2025', '--as-of', '2026-01-31', '--format', 'docx', '--out', out, '--db', join(dir, 'copy.duckdb')]);
    expect(run.stderr).toBe('');
    const docx = readFileSync(out);
    // A .docx is a zip whose document part holds the report's text.
    expect(docx.subarray(0, 2).toString('latin1')).toBe('PK');
    const xml = (await promisify(execFile)('unzip', ['-p', out, 'word/document.xml'], { maxBuffer: 64 << 20 })).stdout;
    expect(xml).toContain('北京市');
    expect(xml).toMatch(/一、/);
  }, 120_000);

  it('says what is missing or wrong, with exit code 2', async () => {
    const noOut = await xinfang(['annual', '--year', '2025', '--format', 'pdf', '--db', join(dir, 'copy.duckdb')]);
    expect(noOut).toMatchObject({ code: 2 });
    expect(noOut.stderr).toContain('--out');
    const format = await xinfang(['annual', '--year', '2025', '--format', 'txt', '--out', join(dir, 'x'), '--db', join(dir, 'copy.duckdb')]);
    expect(format.stderr).toContain('--format: the format is one of: html, pdf, docx');
    const organ = await xinfang(['annual', '--year', '2025', '--organ', 'X', '--format', 'pdf', '--out', join(dir, 'x'), '--db', join(dir, 'copy.duckdb')]);
    expect(organ.stderr).toContain('annual takes no --organ');
    const kind = await xinfang(['weekly', '--year', '2025', '--format', 'pdf', '--out', join(dir, 'x')]);
    expect(kind.stderr).toContain('the report is one of: annual');
    const both = await xinfang(['annual', '--year', '2025', '--format', 'pdf', '--out', join(dir, 'x'), '--db', 'a', '--url', 'http://127.0.0.1:1']);
    expect(both.stderr).toContain('give --url or --db, not both');
  });
});
