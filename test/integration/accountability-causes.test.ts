/**
 * The 2022 Regulations art. 42 over the API, on the real time-skipping Temporal test server: a
 * petition caused by abused power, inaction, misapplied law or a defied opinion, with serious
 * results. The article names no order to correct, only the strict handling of the persons
 * responsible, and refers crimes: in Beijing a case on its grounds opens at 诫勉 (the mildest
 * step standing for the serious handling), in Xianning at 诫勉谈话; neither the Regulations'
 * 责令改正 nor Xianning's 责令整改 may be imposed on it; the referral is recorded at opening. The
 * deciding organ chooses the ground: no finding proposes it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { recordOrgans, recordRegions } from '../../analytics/region-log.js';
import { jurisdictionData } from '../../domain/jurisdiction-data.js';
import { demoUsersOf, ensureDemoUsers } from '../../server/identity/demo-users.js';
import { addDays, chinaDateOf } from '../../rules/plain-date.js';
import { startApiApp } from '../support/api-app.js';
import { as, seedUsers, TEST_PASSWORD, type Answer } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
const XIANNING = jurisdictionData('xianning');
const XIANNING_LEADER = 'xianning-leader';
beforeAll(async () => {
  await seedUsers(t.store);
  // Xianning's regions, organs and city leader beside Beijing's, for an app run on Xianning's packs.
  await t.store.transaction(async (conn) => {
    await recordRegions(conn, XIANNING.regions);
    await recordOrgans(conn, 'xianning', XIANNING.organs.organs);
  });
  const leader = demoUsersOf(XIANNING).find((u) => u.username === 'leader')!;
  await ensureDemoUsers(t.store, 'xianning', TEST_PASSWORD, [{ ...leader, username: XIANNING_LEADER }]);
});

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the store did not catch up');
}
interface GroundRow {
  id: string;
  startsAt: string;
  seriousStartsAt: string[];
  article: string | null;
  cite: string;
  referral: string | null;
}
interface History {
  event_type: string;
  ladder_step: string | null;
  rule: string | null;
  detail: Record<string, unknown>;
}
const REGULATIONS = '信访工作条例 [regulations-2022]';
const REFERRAL = '构成犯罪的，依法追究刑事责任';
const ART_42 = {
  powerAbused: '第四十二条第（一）项',
  inaction: '第四十二条第（二）项',
  lawMisapplied: '第四十二条第（三）项',
  supportingOpinionDefied: '第四十二条第（四）项',
};

/** What the grounds list (GET /accountability-findings) says of art. 42's grounds, and the ground the findings propose per breach. */
async function art42Grounds(call: (path: string) => Promise<Answer>) {
  const listed = await call('/accountability-findings');
  expect(listed.status).toBe(200);
  const grounds = listed.body.grounds as GroundRow[];
  return Object.fromEntries(Object.keys(ART_42).map((id) => [id, grounds.find((g) => g.id === id)]));
}

const opening = (organ: string, extra: Record<string, unknown> = {}) => ({
  organ,
  ground: 'powerAbused',
  // Chosen by the deciding organ: no record says what caused a petition.
  finding: { source: 'manual' },
  failure: { kind: 'individual', participants: [{ person: '科长', role: 'officerInCharge' }, { person: '局长', role: 'principal' }] },
  ...extra,
});

describe('grounds of a petition caused with serious results (2022 Regulations art. 42)', () => {
  it('in Beijing: listed with their article, open at 诫勉, refuse 责令改正, may start at 纪律处分, and record the referral of crimes', async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue });
      try {
        const today = chinaDateOf(new Date(await t.env.currentTimeMs()));
        const leader = await as(base, 'leader');
        const grounds = await art42Grounds(leader);
        for (const [id, article] of Object.entries(ART_42)) {
          expect(grounds[id], id).toEqual({
            id,
            labelZh: expect.any(String),
            labelEn: expect.any(String),
            startsAt: 'admonition',
            seriousStartsAt: ['organisational', 'disciplinary'],
            article,
            cite: REGULATIONS,
            referral: REFERRAL,
          });
        }
        expect(grounds['powerAbused']).toMatchObject({ labelZh: '超越或者滥用职权，侵害公民、法人或者其他组织合法权益' });

        // The Regulations' order to correct is no measure of art. 42: not as the first step, not beside it.
        expect(await leader('/accountability', opening('BJ-RSJ', { startAt: { step: 'correction', reason: '责令改正' } }))).toMatchObject({
          status: 400,
          body: { problems: [{ at: 'startAt.step' }], error: 'ground powerAbused may start at admonition or organisational or disciplinary, not correction' },
        });
        expect(await leader('/accountability', opening('BJ-RSJ', { combinedWith: { steps: ['correction'], reason: '一并责令改正' } }))).toMatchObject({
          status: 400,
          body: { problems: [{ at: 'combinedWith.steps' }], refusal: { code: 'measureNotForGround', params: { step: 'correction', ground: 'powerAbused', allowed: ['admonition', 'organisational', 'disciplinary'] } } },
        });
        expect((await leader('/accountability?status=open')).body.total).toBe(0);

        const detailOf = (id: string, events: number) =>
          eventually(
            () => leader(`/accountability/${id}`),
            (r: Answer) => r.status === 200 && (r.body.history as unknown[]).length >= events && r.body.stage !== 'opening',
          );
        // 诫勉, Beijing art. 22, with its rectification deadline and the loss of honours for the year.
        const opened = await leader('/accountability', opening('BJ-RSJ', { rectifyBy: addDays(today, 30) }));
        expect(opened.status).toBe(201);
        const admonished = await detailOf(String(opened.body.caseId), 2);
        expect(admonished.body).toMatchObject({ ground: 'powerAbused', step: 'admonition', stage: 'rectifying', deadline: { due: addDays(today, 30) }, honoursIneligibleYear: Number(today.slice(0, 4)) });
        const history = admonished.body.history as History[];
        expect(history[0]).toMatchObject({
          event_type: 'opened',
          rule: `超越或者滥用职权，侵害公民、法人或者其他组织合法权益 第四十二条第（一）项 [${REGULATIONS}]`,
          detail: { finding: 'manual', referral: REFERRAL },
        });
        expect(history[1]).toMatchObject({ event_type: 'step_imposed', ladder_step: 'admonition', rule: '诫勉 第二十二条 [北京市信访工作责任制实施细则 [beijing-2017]]' });

        // Especially serious: straight to 纪律处分, the top, with 诫勉 beside it as Beijing art. 20 allows.
        const sanctioned = await leader(
          '/accountability',
          opening('BJ-RSJ', { ground: 'supportingOpinionDefied', startAt: { step: 'disciplinary', reason: '拒不执行支持意见，引发群体性事件' }, combinedWith: { steps: ['admonition'], reason: '一并诫勉' } }),
        );
        expect(sanctioned.status).toBe(201);
        const top = await detailOf(String(sanctioned.body.caseId), 2);
        expect(top.body).toMatchObject({ ground: 'supportingOpinionDefied', step: 'disciplinary', stage: 'at_top' });
        const topHistory = top.body.history as History[];
        expect(topHistory[0]).toMatchObject({ event_type: 'opened', rule: expect.stringContaining('第四十二条第（四）项'), detail: { referral: REFERRAL } });
        expect(topHistory[1]).toMatchObject({ ladder_step: 'disciplinary', detail: { combinedWith: 'admonition', reason: '拒不执行支持意见，引发群体性事件' } });
        expect(String(topHistory[1]!.detail.combinedRule)).toContain('合并使用 第二十条');
      } finally {
        await close();
      }
    });
  });

  it('in Xianning: open at 诫勉谈话 and refuse 责令整改, the step standing for 责令改正', async () => {
    await t.withWorker(async (taskQueue) => {
      const { base, close } = await startApiApp({ store: t.store, temporal: t.env.client, taskQueue, jurisdiction: 'xianning' });
      try {
        const leader = await as(base, XIANNING_LEADER);
        const grounds = await art42Grounds(leader);
        for (const id of Object.keys(ART_42)) {
          // 诫勉谈话 and the national 组织处理 are both rank 3: Xianning's own step comes first.
          expect(grounds[id], id).toMatchObject({ startsAt: 'admonitionTalk', seriousStartsAt: ['organisational', 'disciplinary'], cite: REGULATIONS, referral: REFERRAL });
        }
        expect(await leader('/accountability', opening('XN-RSJ', { ground: 'inaction', startAt: { step: 'rectificationOrder', reason: '责令整改' } }))).toMatchObject({
          status: 400,
          body: { problems: [{ at: 'startAt.step' }] },
        });
        expect(await leader('/accountability', opening('XN-RSJ', { ground: 'inaction', combinedWith: { steps: ['rectificationOrder'], reason: '一并责令整改' } }))).toMatchObject({
          status: 400,
          body: { refusal: { code: 'measureNotForGround', params: { step: 'rectificationOrder', stepZh: '责令整改', ground: 'inaction' } } },
        });

        const opened = await leader('/accountability', opening('XN-RSJ', { ground: 'inaction' }));
        expect(opened.status).toBe(201);
        const detail = await eventually(
          () => leader(`/accountability/${String(opened.body.caseId)}`),
          (r: Answer) => r.status === 200 && (r.body.history as unknown[]).length >= 2 && r.body.stage !== 'opening',
        );
        // 诫勉谈话 leaves its deadline to the decision: none was given.
        expect(detail.body).toMatchObject({ organ: 'XN-RSJ', ground: 'inaction', step: 'admonitionTalk', stage: 'awaiting_deadline' });
        const history = detail.body.history as History[];
        expect(history[0]).toMatchObject({ event_type: 'opened', rule: `应当作为而不作为，侵害公民、法人或者其他组织合法权益 第四十二条第（二）项 [${REGULATIONS}]`, detail: { referral: REFERRAL } });
        expect(history[1]).toMatchObject({ ladder_step: 'admonitionTalk', rule: '诫勉谈话 第十一条 [咸宁市信访工作责任制实施办法 [xianning-2013]]' });
      } finally {
        await close();
      }
    });
  });
});
