/**
 * Records name an organ by its code, its name or an alias (migration 021), and every SQL match
 * against the registry takes all three (analytics/organ-match.ts): an accountability case whose
 * organ is written as an alias counts under the organ's district and code in the metrics and is
 * listed in the district's and the organ's accountability cases; a supervision record naming
 * the handling organ by an alias is a finding against that organ; the petition kind's organ
 * node is found through an alias. A code wins over another organ's name, and a form two organs
 * share names neither.
 */
import { listValue } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { caseFinding, openCaseFindings } from '../../analytics/accountability-findings.js';
import { listAccountability, recordAccountabilityEvent, type AccountabilityEvent } from '../../analytics/accountability-log.js';
import { recordHistory } from '../../analytics/case-log.js';
import { queryMetrics } from '../../analytics/metrics/query.js';
import { organNamed } from '../../analytics/organ-match.js';
import { nodesOf } from '../../analytics/petition-kinds.js';
import { recordOrgans, recordRegions } from '../../analytics/region-log.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { BEIJING_ORGANS, type Organ } from '../../domain/organs.js';
import { beijingRegions } from '../../domain/region-hierarchy.js';
import { parsePlainDate as d } from '../../rules/plain-date.js';

// Chaoyang's housing commission: its code, its name and an alias from domain/organs/beijing.json.
const ZJW = BEIJING_ORGANS.find((o) => o.code === 'D110105-ZJW')!;
const ALIAS = '朝阳区住建委';
// Organs of a registry kept from elsewhere: one named by another's code, two sharing an alias.
const ODD: Organ[] = [
  { code: 'T-NAMED-AS-CODE', nameZh: 'D110108-ZJW', level: 'district-department', regionCode: '110101', aliases: [] },
  { code: 'T-SHARE-1', nameZh: '测试甲局', level: 'district-department', regionCode: '110101', aliases: ['测试共用名'] },
  { code: 'T-SHARE-2', nameZh: '测试乙局', level: 'district-department', regionCode: '110102', aliases: ['测试共用名'] },
];

const opened = (caseId: string, organ: string, occurredAt: string): AccountabilityEvent => ({ caseId, type: 'opened', key: '', occurredAt, organ, ground: 'handlingDelayed' });

let store: AnalyticsStore;
beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await store.transaction(async (conn) => {
    await recordRegions(conn, beijingRegions());
    await recordOrgans(conn, 'beijing', [...BEIJING_ORGANS, ...ODD]);
  });
  expect(ZJW.aliases).toContain(ALIAS);
  await recordAccountabilityEvent(store, opened('ACC-ALIAS', ALIAS, '2025-03-01T02:00:00Z'));
  await recordAccountabilityEvent(store, { ...opened('ACC-ALIAS', ALIAS, '2025-04-01T02:00:00Z'), type: 'step_imposed', key: '1:notice', ladderStep: 'notice' });
  await recordAccountabilityEvent(store, opened('ACC-NAME', ZJW.nameZh, '2025-05-01T02:00:00Z'));
  await recordAccountabilityEvent(store, opened('ACC-CODE', 'D110108-ZJW', '2025-06-01T02:00:00Z'));
  await recordAccountabilityEvent(store, opened('ACC-SHARED', '测试共用名', '2025-07-01T02:00:00Z'));
  // A reply overdue against the handling organ, written as the routing wrote it: by its alias.
  const intake = { caseId: 'XF-ALIAS-1', jurisdiction: 'beijing', receivedAt: '2025-01-10T02:00:00Z', channel: 'visit' as const, regionCode: '110105', collectiveSize: 1 };
  await recordHistory(
    store,
    [
      {
        intake,
        events: [
          { caseId: intake.caseId, type: 'received', occurredAt: intake.receivedAt },
          { caseId: intake.caseId, type: 'handle_overdue', occurredAt: '2025-03-12T16:00:00Z', dueDate: '2025-03-12', detail: { organ: ALIAS, rule: 'test' } },
        ],
      },
    ],
    'import',
  );
});
afterAll(() => store?.close());

describe('the organ a record names', () => {
  it('is found by code, name or alias; a code before another organ’s name; a shared form names none', async () => {
    const names = [ZJW.code, ZJW.nameZh, ALIAS, 'D110108-ZJW', '测试共用名', '测试甲局', '无此机关'];
    const rows = await store.all(
      z.object({ name: z.string(), code: z.string().nullable() }),
      `SELECT x.name, o.code FROM (SELECT unnest($names::VARCHAR[]) AS name) x LEFT JOIN ${organNamed('o', 'x.name')} ORDER BY list_position($names::VARCHAR[], x.name)`,
      { names: listValue(names) },
    );
    expect(rows.map((r) => [r.name, r.code])).toEqual([
      [ZJW.code, ZJW.code],
      [ZJW.nameZh, ZJW.code],
      [ALIAS, ZJW.code],
      ['D110108-ZJW', 'D110108-ZJW'],
      ['测试共用名', null],
      ['测试甲局', 'T-SHARE-1'],
      ['无此机关', null],
    ]);
  });
});

describe('accountability named by an alias', () => {
  const year = { from: d('2025-01-01'), to: d('2025-12-31'), asOf: d('2026-06-30') };

  it("counts under the organ's district and code, as plain SQL over the registry's names does", async () => {
    const rows = await queryMetrics(store, { ...year, measures: ['accountability_cases', 'accountability_steps'], by: ['district'] });
    const of = (measure: string) => Object.fromEntries(rows.filter((r) => r.measure === measure && r.value).map((r) => [r.dims.district ?? '(none)', r.value]));
    expect(of('accountability_cases')).toEqual({ '110105': 2, '110108': 1, '(none)': 1 }); // alias and name; code; the shared form
    expect(of('accountability_steps')).toEqual({ '110105': 1 });
    const [chaoyang] = await store.all(
      z.object({ n: z.number() }),
      `SELECT count(*)::INTEGER AS n FROM accountability_events a
        WHERE a.event_type = 'opened' AND EXISTS (
          SELECT 1 FROM organs o WHERE o.region_code = '110105' AND (a.organ = o.code OR a.organ = o.name_zh OR list_contains(o.aliases, a.organ)))`,
    );
    expect(of('accountability_cases')['110105']).toBe(chaoyang!.n);
    const byOrgan = await queryMetrics(store, { ...year, measures: ['accountability_cases'], by: ['organ'], region: '110105' });
    expect(byOrgan.map((r) => [r.dims.organ, r.value])).toEqual([[ZJW.code, 2]]);
  });

  it("is listed among the district's and the organ's accountability cases with the organ's name", async () => {
    const district = await listAccountability(store, { scope: { region: '110105' }, limit: 10 });
    expect(district.cases.map((c) => [c.case_id, c.organ_name, c.region_code]).sort()).toEqual([
      ['ACC-ALIAS', ZJW.nameZh, '110105'],
      ['ACC-NAME', ZJW.nameZh, '110105'],
    ]);
    const own = await listAccountability(store, { scope: { organ: ZJW.code }, limit: 10 });
    expect(own.cases.map((c) => c.case_id).sort()).toEqual(['ACC-ALIAS', 'ACC-NAME']);
  });
});

describe('a supervision record naming its organ by an alias', () => {
  it('is a finding against that organ, within its district', async () => {
    const { findings, total } = await openCaseFindings(store, { region: '110105' }, '2025-03-20', 10);
    expect(total).toBe(1);
    expect(findings[0]).toMatchObject({ ref: 'XF-ALIAS-1/handle_overdue', organ: ZJW.code, organ_name: ZJW.nameZh, region_code: '110105', step: 'handle', days_late: 8 });
    expect(await caseFinding(store, 'XF-ALIAS-1/handle_overdue')).toEqual({ organ: ZJW.code, decision: null });
    expect((await openCaseFindings(store, { organ: ZJW.code }, '2025-03-20', 10)).total).toBe(1);
  });

  it("places a petition brought to the organ, named by an alias, at the organ's district", async () => {
    expect(await nodesOf(store, [ALIAS])).toEqual(new Map([[ALIAS, { code: '110105', level: 'district' }]]));
  });
});
