/**
 * Intake rules of the 2022 Regulations enforced at registration, on real case workflows:
 * 第十九条第三款 — a claim a lower organ has accepted and is handling within its deadline is
 * not taken again by a level above it; the same organ's level still records the repeat, and
 * the city may take a claim no organ has accepted yet.
 */
import { describe, expect, it } from 'vitest';
import { startApiApp } from '../support/api-app.js';
import { seedUsers, tokenHeaders } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();

describe('a case accepted within its deadline is not taken again by a higher level (2022 art. 19(3))', () => {
  it('refuses the city, names the article, and lets the district record the repeat', async () => {
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
          return { status: res.status, body: (await res.json()) as Record<string, unknown> };
        };
        const register = (user: string, caseId: string, extra: object = {}) => call(user, '/cases', { channel: 'letter', regionCode: '110105', caseId, ...extra });
        expect((await register('clerk-chaoyang', 'IR-ACCEPTED')).status).toBe(201);
        expect((await register('clerk-chaoyang', 'IR-OPEN')).status).toBe(201);
        const act = (caseId: string, action: string, body: object) => call('clerk-chaoyang', `/cases/${caseId}/${action}`, body);
        // The receipt reaches the log after the workflow starts: route once it is there.
        for (let i = 0; i < 100 && (await act('IR-ACCEPTED', 'route', { mode: 'forward', toOrgan: '朝阳区教委' })).status !== 200; i++) await new Promise((r) => setTimeout(r, 200));
        const accepted = await act('IR-ACCEPTED', 'accept', { accepted: true });
        expect(accepted.body).toMatchObject({ stage: 'handling' });
        const due = (accepted.body.deadlines as Record<string, { due: string }>).handle!.due;

        const city = await register('clerk', 'IR-CITY', { sameClaimAs: 'IR-ACCEPTED' });
        expect(city.status).toBe(409);
        expect(city.body.error).toBe(
          `not taken: case IR-ACCEPTED was accepted by 朝阳区教委 and is within its deadline (due ${due}); a higher level does not take it again (信访工作条例 第十九条第三款 [regulations-2022])`,
        );
        expect((await call('clerk', '/cases/IR-CITY')).status).toBe(404);
        // The district that accepted it records the petition again (a repeat petition), and the city may take a claim not yet accepted.
        expect((await register('clerk-chaoyang', 'IR-REPEAT', { sameClaimAs: 'IR-ACCEPTED' })).status).toBe(201);
        expect((await register('clerk', 'IR-CITY-OPEN', { sameClaimAs: 'IR-OPEN' })).status).toBe(201);
      } finally {
        await app.close();
      }
    });
  }, 120_000);
});
