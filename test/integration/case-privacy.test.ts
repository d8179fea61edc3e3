/**
 * Petitioner privacy end to end, on the real time-skipping Temporal server (DOMAIN §10): the
 * identity given at intake is stored encrypted and never reaches the workflow or an analytics
 * table; reads show it masked; a reveal needs the permission and a reason and is audited; the
 * organ an accusation accuses never learns who accused it, whatever its user's role.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { queryAudit } from '../../analytics/audit-log.js';
import { startApiApp } from '../support/api-app.js';
import { as, seedUsers } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
const NAME = '欧阳娜娜';
const ID_NUMBER = '11010519491231002X';
const PHONE = '13812345678';

beforeAll(() => seedUsers(t.store));

/** The app on this test's server, and a caller per demo user (each logged in once). */
async function serve(taskQueue: string) {
  const app = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
  const callers = new Map<string, Awaited<ReturnType<typeof as>>>();
  const call = async (user: string, path: string, body?: unknown) => {
    if (!callers.has(user)) callers.set(user, await as(app.base, user));
    return callers.get(user)!(path, body);
  };
  return { call, close: app.close };
}

async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

describe("the petitioner's identity", () => {
  it('is sealed at intake, masked on reads, revealed only with a reason, and never in the workflow or analytics', async () => {
    await t.withWorker(async (taskQueue) => {
      const { call, close } = await serve(taskQueue);
      try {
        const petitioner = { kind: 'person', name: NAME, idNumber: ID_NUMBER, phone: PHONE, address: '北京市朝阳区建国门外大街1号' };
        const bad = await call('clerk-chaoyang', '/cases', { channel: 'letter', regionCode: '110105', petitioner: { ...petitioner, idNumber: '110105194912310021' } });
        expect(bad).toMatchObject({ status: 400, body: { problems: [{ at: 'petitioner.idNumber' }] } });
        const created = await call('clerk-chaoyang', '/cases', { caseId: 'PRIV-1', channel: 'letter', regionCode: '110105', streetCode: '110105001', summary: '反映拖欠工资', petitioner });
        expect(created.status).toBe(201);
        const read = await eventually(async () => {
          const r = await call('leader', '/cases/PRIV-1');
          return r.body.petitioner ? r : undefined;
        });
        expect(read.body.petitioner).toMatchObject({ kind: 'person', name: '欧***', idNumber: '110***********002X', phone: '138****5678', masked: true });
        expect(JSON.stringify(read.body)).not.toContain(NAME);
        expect(JSON.stringify(read.body)).not.toContain(ID_NUMBER);

        // The analyst holds no identity.reveal; a reveal needs a reason.
        expect((await call('analyst', '/cases/PRIV-1/petitioner/reveal', { reason: '研究' })).status).toBe(403);
        expect((await call('leader', '/cases/PRIV-1/petitioner/reveal', {})).body).toMatchObject({ problems: [{ at: 'reason' }] });
        const revealed = await call('leader', '/cases/PRIV-1/petitioner/reveal', { reason: '领导包案：约访信访人' });
        expect(revealed).toMatchObject({ status: 200, body: { petitioner: { name: NAME, idNumber: ID_NUMBER, phone: PHONE } } });
        const [audit] = await queryAudit(t.store, { action: 'identity.reveal', outcome: 'ok' });
        expect(audit).toMatchObject({ username: 'leader', reason: '领导包案：约访信访人', objectIds: ['PRIV-1', revealed.body.petitionerId] });
        expect([...audit!.personalFields].sort()).toEqual(['address', 'idNumber', 'name', 'phone']);

        // The workflow's history carries the pseudonym, never the person (read without any codec).
        const raw = await t.env.client.workflow.getHandle('petition-case/PRIV-1').fetchHistory();
        // Payload data arrive base64-encoded: decode them, or the check would pass on any text.
        const history = JSON.stringify(raw, (key, value: unknown) => (key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value));
        for (const secret of [NAME, ID_NUMBER, PHONE]) expect(history).not.toContain(secret);
        expect(history).toContain(String(revealed.body.petitionerId));
        expect(history).toContain('反映拖欠工资'); // the check reads the payloads: the summary is there in clear (this test runs without the codec)
        // No analytics table holds it either.
        const tables = await t.store.all(z.object({ table_name: z.string() }), "SELECT table_name FROM information_schema.tables WHERE table_name <> 'petitioner_identities'");
        for (const { table_name } of tables) {
          const rows = await t.store.all(z.object({ n: z.number() }), `SELECT count(*)::INTEGER AS n FROM "${table_name}" t WHERE t::VARCHAR LIKE $a OR t::VARCHAR LIKE $b`, { a: `%${NAME}%`, b: `%${ID_NUMBER}%` });
          expect(rows[0]!.n, table_name).toBe(0);
        }
      } finally {
        await close();
      }
    });
  });

  it("is never shown to the accused organ, masked or revealed, whatever its user's role", async () => {
    await t.withWorker(async (taskQueue) => {
      const { call, close } = await serve(taskQueue);
      try {
        // The accused organ took the letter in itself: the case is its own to see, the accuser is not.
        const accusation = {
          caseId: 'ACCUSE-1',
          channel: 'letter',
          regionCode: '110105',
          accusation: true,
          accusedOrgan: 'D110105',
          receivedBy: { organ: '朝阳区委、区政府', kind: 'organ' },
          petitioner: { kind: 'person', name: NAME, phone: PHONE },
        };
        expect((await call('clerk-chaoyang', '/cases', { ...accusation, accusedOrgan: 'NO-SUCH-ORGAN' })).body).toMatchObject({ problems: [{ at: 'accusedOrgan' }] });
        expect((await call('clerk-chaoyang', '/cases', accusation)).status).toBe(201);
        const accused = await eventually(async () => {
          const r = await call('officer-chaoyang', '/cases/ACCUSE-1');
          return r.status === 200 ? r : undefined;
        });
        expect(accused.body).toMatchObject({ petitioner: null, petitionerWithheld: expect.stringContaining('accusation against your organ') });
        expect(JSON.stringify(accused.body)).not.toContain('欧');
        // Organ users hold no identity.reveal; the route refuses the accused organ on its own account too.
        expect((await call('officer-chaoyang', '/cases/ACCUSE-1/petitioner/reveal', { reason: '核实' })).status).toBe(403);

        // The petition office and the leadership above the organ still see it masked, and may reveal it.
        // The identity is sealed by the same activity that records the case, after the row the officer read: wait for it, as for the case.
        const office = await eventually(async () => {
          const r = await call('clerk-chaoyang', '/cases/ACCUSE-1');
          return r.body.petitioner ? r : undefined;
        });
        expect(office.body.petitioner).toMatchObject({ name: '欧***', masked: true });
        expect((await call('leader', '/cases/ACCUSE-1/petitioner/reveal', { reason: '纪检监察转办' })).status).toBe(200);
        // A street's leader is outside Chaoyang's district-level case: it does not exist for them.
        expect((await call('leader-jianwai', '/cases/ACCUSE-1')).status).toBe(404);
      } finally {
        await close();
      }
    });
  });
});
