/**
 * `xinfang users` on a stopped system's database file: add, list, disable, enable,
 * reset-password and token, each audited; bad arguments exit 2 with one line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { queryAudit, verifyAuditChain } from '../../analytics/audit-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { checkPassword } from '../../server/identity/passwords.js';
import { userOfToken } from '../../server/identity/sessions.js';
import { findUser } from '../../server/identity/users.js';

const XINFANG = fileURLToPath(new URL('../../bin/xinfang.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'xinfang-users-cli-'));
const db = join(dir, 'x.duckdb');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function xinfang(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [XINFANG, 'users', ...args, '--db', db], { env: { ...process.env, XINFANG_DATA_DIR: dir, XINFANG_TOKEN: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const withStore = async <T>(work: (store: AnalyticsStore) => Promise<T>): Promise<T> => {
  const store = await AnalyticsStore.open(db);
  try {
    return await work(store);
  } finally {
    store.close();
  }
};

describe('xinfang users on the database file', () => {
  it('adds a user with a generated password, lists, disables, enables, resets and mints a token, auditing each', async () => {
    const added = await xinfang('add', 'clerk-haidian', '--role', 'clerk', '--region', '110108', '--name', '海淀区信访办');
    expect(added.code).toBe(0);
    const user = JSON.parse(added.stdout) as { username: string; role: string; password: string };
    expect(user).toMatchObject({ username: 'clerk-haidian', role: 'clerk', region_code: '110108', hasPassword: true });
    expect(added.stdout).not.toContain('password_hash');
    const stored = await withStore((s) => findUser(s, 'clerk-haidian'));
    expect(await checkPassword(stored!.password_hash, user.password)).toBe(true);

    expect(JSON.parse((await xinfang('list')).stdout).users.map((u: { username: string }) => u.username)).toEqual(['clerk-haidian']);
    expect(JSON.parse((await xinfang('disable', 'clerk-haidian')).stdout).disabled).toBe(true);
    expect(JSON.parse((await xinfang('enable', 'clerk-haidian')).stdout).disabled).toBe(false);
    const reset = JSON.parse((await xinfang('reset-password', 'clerk-haidian', '--password', 'a-new-long-password')).stdout);
    expect(reset).not.toHaveProperty('password');
    const minted = JSON.parse((await xinfang('token', 'clerk-haidian', '--days', '2')).stdout) as { token: string };
    await withStore(async (s) => {
      expect(await checkPassword((await findUser(s, 'clerk-haidian'))!.password_hash, 'a-new-long-password')).toBe(true);
      expect((await userOfToken(s, minted.token))?.username).toBe('clerk-haidian');
      const actions = (await queryAudit(s, { user: `cli:${process.env.USER ?? 'unknown'}` })).map((r) => r.action).reverse();
      expect(actions).toEqual(['user.create', 'user.disable', 'user.enable', 'user.reset_password', 'token.create']);
      expect(await verifyAuditChain(s)).toMatchObject({ ok: true, rows: 5 });
    });
  });

  it('refuses bad arguments with one line and exit code 2, changing nothing', async () => {
    for (const [args, message] of [
      [['add', 'x1', '--role', 'boss', '--region', '110108', '--name', 'x'], /--role: one of admin/],
      [['add', 'x1', '--role', 'clerk', '--name', 'x'], /give --region CODE or --organ CODE/],
      [['add', 'x1', '--role', 'officer', '--region', '110108', '--name', 'x'], /held for an organ/],
      [['add', 'x1', '--role', 'clerk', '--region', '999999', '--name', 'x'], /999999 is not a region/],
      [['add', 'x1', '--role', 'clerk', '--region', '110108', '--name', 'x', '--password', 'short'], /at least 10 characters/],
      [['disable', 'nobody'], /no user nobody/],
      [['frobnicate'], /give one of: list, add/],
    ] as const) {
      const run = await xinfang(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
    expect(JSON.parse((await xinfang('list')).stdout).users).toHaveLength(1);
  });
});
