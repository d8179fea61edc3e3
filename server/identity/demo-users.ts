/**
 * With demo data, one user per role and level of the jurisdiction, so each view can be tried.
 * Their password is XINFANG_DEMO_PASSWORD, else one generated on the first start and kept in
 * the data directory (mode 0600), so it stays the same across restarts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyticsStore } from '../../analytics/store.js';
import type { Role } from '../../domain/roles.js';
import { passwordProblem } from './passwords.js';
import { createUser, findUser } from './users.js';

export interface DemoUser {
  username: string;
  displayName: string;
  role: Role;
  regionCode?: string;
  organCode?: string;
}

/** Beijing's demo users: the city, Chaoyang district (110105) and its Jianwai street (110105001). */
export const BEIJING_DEMO_USERS: readonly DemoUser[] = [
  { username: 'admin', displayName: '系统管理员', role: 'admin', regionCode: '110000' },
  { username: 'leader', displayName: '市领导', role: 'leader', regionCode: '110000' },
  { username: 'leader-chaoyang', displayName: '朝阳区领导', role: 'leader', regionCode: '110105' },
  { username: 'leader-jianwai', displayName: '建外街道领导', role: 'leader', regionCode: '110105001' },
  { username: 'analyst', displayName: '市信访矛盾分析研究中心', role: 'analyst', regionCode: '110000' },
  { username: 'analyst-chaoyang', displayName: '朝阳区分析员', role: 'analyst', regionCode: '110105' },
  { username: 'clerk', displayName: '市信访办办理人员', role: 'clerk', regionCode: '110000' },
  { username: 'clerk-chaoyang', displayName: '朝阳区信访办办理人员', role: 'clerk', regionCode: '110105' },
  { username: 'clerk-jianwai', displayName: '建外街道信访办办理人员', role: 'clerk', regionCode: '110105001' },
  { username: 'officer-education', displayName: '市教委承办人', role: 'officer', organCode: 'BJ-JW' },
  { username: 'officer-chaoyang', displayName: '朝阳区承办人', role: 'officer', organCode: 'D110105' },
  { username: 'inspector', displayName: '市督查人员', role: 'inspector', regionCode: '110000' },
  { username: 'inspector-chaoyang', displayName: '朝阳区督查人员', role: 'inspector', regionCode: '110105' },
];

export function demoPassword(dataDir: string, given: string | undefined): string {
  if (given !== undefined) {
    const problem = passwordProblem(given);
    if (problem) throw new Error(`XINFANG_DEMO_PASSWORD: ${problem}`);
    return given;
  }
  const file = join(dataDir, 'demo-password');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(9).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

/** Creates the demo users that do not exist yet; returns every demo user name. */
export async function ensureDemoUsers(store: AnalyticsStore, jurisdiction: string, password: string, users: readonly DemoUser[] = BEIJING_DEMO_USERS): Promise<string[]> {
  for (const u of users) {
    if (!(await findUser(store, u.username))) await createUser(store, { ...u, jurisdiction, password });
  }
  return users.map((u) => u.username);
}
