/**
 * Staff intake derives 初信初访, 重复信访 and 越级信访 from the petitioner's history and the level
 * of the organ the petition is brought to (rules/petition-kind.ts), on real case workflows: a
 * first petition, the same petitioner again on the same matter, a first visit at the city on a
 * district's matter; a flag a clerk types is refused, naming it. A collective case names at most
 * the pack's representativesMax representatives (2022 art. 20(3)), sealed and revealed with the
 * petitioner.
 */
import { listValue } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startApiApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();

interface Finding {
  value: boolean | null;
  reason: string;
  cite: string;
}
type Kind = { first: Finding; repeat: Finding; skipLevel: Finding; sameMatterAs: string | null; derivedBy?: string };

describe('intake derives first, repeat and skip-level petitions', () => {
  it('from the store, never from the clerk', async () => {
    await seedUsers(t.store);
    await t.withWorker(async (taskQueue) => {
      const app = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
      try {
        const headers = new Map<string, Record<string, string>>();
        const call = async (user: string, path: string, body?: unknown) => {
          if (!headers.has(user)) headers.set(user, await tokenHeaders(t.store, user));
          const res = await fetch(`${app.base}/api/v1${path}`, {
            ...(body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) }),
            headers: { ...headers.get(user), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          });
          return { status: res.status, body: (await res.json()) as Record<string, unknown> & { petitionKind?: Kind; error?: string; problems?: { at: string; problem: string }[] } };
        };
        const zhang = { kind: 'person', name: '张三', phone: '13812341234' };
        const li = { kind: 'person', name: '李四', phone: '13900001111' };
        const register = (user: string, caseId: string, extra: object) => call(user, '/cases', { regionCode: '110105', field: '劳动社保', caseId, ...extra });

        const first = await register('clerk-chaoyang', 'ID-FIRST', { channel: 'visit', petitioner: zhang });
        expect(first.status).toBe(201);
        expect(first.body.petitionKind).toMatchObject({ first: { value: true }, repeat: { value: false, reason: 'not a repeat: the petitioner has no earlier petition' }, skipLevel: { value: false } });

        // At once, before the first case's workflow has written its row: intake's own record is history.
        const again = await register('clerk-chaoyang', 'ID-REPEAT', { channel: 'letter', petitioner: zhang });
        expect(again.status).toBe(201);
        expect(again.body.petitionKind).toMatchObject({
          first: { value: false },
          repeat: { value: true, reason: '重复信访: the petitioner brought the same matter (劳动社保 in 110105) before, first in case ID-FIRST', cite: '信访工作条例 第十九条第三款（同一信访事项）' },
          sameMatterAs: 'ID-FIRST',
        });
        // Another matter of the same petitioner is a first petition on it.
        const other = await register('clerk-chaoyang', 'ID-OTHER', { channel: 'letter', petitioner: zhang, field: '教育' });
        expect(other.body.petitionKind).toMatchObject({ first: { value: true }, repeat: { value: false } });

        // 李四 goes straight to the city with a matter of Chaoyang: 越级.
        const city = await register('clerk', 'ID-CITY', { channel: 'visit', petitioner: li });
        expect(city.status).toBe(201);
        expect(city.body.petitionKind!.skipLevel).toEqual({
          value: true,
          reason: '越级信访: a first visit on the matter brought to 110000 (city), above the district 110105 whose organs have the matter, which never had it',
          cite: '信访工作条例 第二十条第一款（到有权处理的本级或者上一级机关提出）、第二十二条第一款第（二）项（属地管理、分级负责）',
        });
        // 张三 at the city on the matter Chaoyang has had: the level above may take it.
        const upward = await register('clerk', 'ID-UPWARD', { channel: 'visit', petitioner: zhang });
        expect(upward.body.petitionKind).toMatchObject({ repeat: { value: true }, skipLevel: { value: false } });

        for (const flag of ['repeatPetition', 'skipLevel', 'firstPetition']) {
          const typed = await register('clerk-chaoyang', `ID-TYPED-${flag}`, { channel: 'visit', petitioner: li, [flag]: false });
          expect(typed.status).toBe(400);
          expect(typed.body.problems).toEqual([{ at: flag, problem: expect.stringMatching(new RegExp(`\\(${flag}\\) is derived from the petitioner's earlier petitions and the level of the organ the petition is brought to, not typed`)) }]);
          expect((await call('clerk-chaoyang', `/cases/ID-TYPED-${flag}`)).status).toBe(404);
        }

        // An accusation flagged litigation-related too could be routed nowhere (2022 art. 22(2) and the litigation rule): refused, nothing stored.
        const both = await register('clerk-chaoyang', 'ID-BOTH', { channel: 'visit', petitioner: li, accusation: true, litigationRelated: true });
        expect(both.status).toBe(400);
        expect(both.body.problems).toEqual([{ at: 'accusation', problem: expect.stringMatching(/either an accusation \(检举控告.*or litigation-related \(涉法涉诉.*not both/) }]);
        expect((await call('clerk-chaoyang', '/cases/ID-BOTH')).status).toBe(404);

        // The case page's answer carries the derivation with its reasons.
        const page = await call('clerk', '/cases/ID-CITY');
        expect(page.body.petitionKind).toMatchObject({ derivedBy: 'intake', skipLevel: { value: true }, first: { value: true } });

        // Representatives: at most the pack's five, sealed, shown on a reveal.
        const six = ['甲', '乙', '丙', '丁', '戊', '己'];
        const tooMany = await register('clerk-chaoyang', 'ID-SIX', { channel: 'visit', petitioner: li, collectiveSize: 20, representatives: six });
        expect(tooMany.status).toBe(400);
        expect(tooMany.body.problems).toEqual([{ at: 'representatives', problem: 'at most 5 representatives (信访工作条例 第二十条第三款 [regulations-2022])' }]);
        const alone = await register('clerk-chaoyang', 'ID-ALONE', { channel: 'visit', petitioner: li, representatives: ['甲'] });
        expect(alone.body.problems?.[0]?.at).toBe('representatives');
        const collective = await register('clerk-chaoyang', 'ID-FIVE', { channel: 'visit', petitioner: li, collectiveSize: 20, representatives: six.slice(0, 5) });
        expect(collective.status).toBe(201);
        const sealed = await t.store.all(z.object({ ciphertext: z.string() }), `SELECT hex(ciphertext) AS ciphertext FROM case_representatives WHERE case_id = 'ID-FIVE'`);
        expect(sealed).toHaveLength(1);
        expect(sealed[0]!.ciphertext).not.toContain(Buffer.from('甲乙').toString('hex').toUpperCase());

        // What the metrics count: the case rows the workflows wrote carry the derived flags.
        const ids = ['ID-FIRST', 'ID-REPEAT', 'ID-OTHER', 'ID-CITY', 'ID-UPWARD', 'ID-FIVE'];
        const flags = z.object({ case_id: z.string(), repeat_petition: z.boolean().nullable(), skip_level: z.boolean().nullable() });
        const read = () => t.store.all(flags, `SELECT case_id, repeat_petition, skip_level FROM cases WHERE list_contains($ids::VARCHAR[], case_id) ORDER BY case_id`, { ids: listValue(ids) });
        let rows = await read();
        for (let i = 0; i < 150 && rows.length < ids.length; i++) {
          await new Promise((r) => setTimeout(r, 200));
          rows = await read();
        }
        expect(rows).toEqual([
          { case_id: 'ID-CITY', repeat_petition: false, skip_level: true },
          { case_id: 'ID-FIRST', repeat_petition: false, skip_level: false },
          { case_id: 'ID-FIVE', repeat_petition: true, skip_level: false },
          { case_id: 'ID-OTHER', repeat_petition: false, skip_level: false },
          { case_id: 'ID-REPEAT', repeat_petition: true, skip_level: false },
          { case_id: 'ID-UPWARD', repeat_petition: true, skip_level: false },
        ]);
        // The petitioner is revealed once the case row names the pseudonym; the representatives come with them.
        const revealed = await call('clerk-chaoyang', '/cases/ID-FIVE/petitioner/reveal', { reason: '核实代表' });
        expect(revealed.body.representatives).toEqual(six.slice(0, 5));
      } finally {
        await app.close();
      }
    });
  }, 180_000);
});
