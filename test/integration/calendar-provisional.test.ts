/**
 * Clocks that run across the year boundary into a year whose holiday schedule is not
 * published, on the real time-skipping Temporal test server with the real worker and DuckDB:
 * a case's and a recommendation's due dates are provisional (暂定), on record and listed, the
 * counts say so; then an override file publishes the year with a 调休 that moves the dates,
 * and the workflows compute them again, record the change with the old and new date and the
 * reason, and run on the new dates (the breach comes on the new day, not the old).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { eventsOfCase, listCases } from '../../analytics/case-log.js';
import { provisionalDeadlineCounts } from '../../analytics/provisional-deadlines.js';
import { getRecommendation, listRecommendations, recommendationEventsOf } from '../../analytics/recommendation-log.js';
import type { RecommendationIssue } from '../../domain/recommendation.js';
import { loadChinaCalendar } from '../../rules/calendar.js';
import { caseDeadline, caseRules } from '../../rules/case-rules.js';
import { clockFor } from '../../rules/compose.js';
import { clockDeadline, type Deadline } from '../../rules/deadline.js';
import { addDays, chinaDateOf, parsePlainDate, startOfChinaDay, type PlainDate } from '../../rules/plain-date.js';
import { statutoryHolidays } from '../../rules/statutory-holidays.js';
import { acceptUpdate, caseStateQuery, petitionCaseWorkflow, routeUpdate, type CaseState, type PetitionCaseInput } from '../../workflows/petition-case.js';
import { recommendationStateQuery, recommendationWorkflow, type RecommendationState } from '../../workflows/recommendation.js';
import { startApiApp } from '../support/api-app.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
// This file's own calendar override, absent at first: the years after the package's are provisional.
const overrides = join(mkdtempSync(join(tmpdir(), 'xinfang-provisional-')), 'calendar.json');
process.env.XINFANG_CALENDAR_OVERRIDES = overrides;

const packaged = loadChinaCalendar();
const DAY = 86_400_000;
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const now = async () => t.env.currentTimeMs();
async function skipTo(day: PlainDate, offsetMs = 0) {
  const ms = startOfChinaDay(day).getTime() + offsetMs - (await now());
  if (ms > 0) await t.env.sleep(ms);
}
async function eventually<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 300 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  if (!ok(value)) throw new Error(`${what}: not reached; last ${JSON.stringify(value)}`);
  return value;
}
const caseState = (handle: WorkflowHandle) => handle.query(caseStateQuery);
const recState = (handle: WorkflowHandle) => handle.query(recommendationStateQuery);

/** The feedback clock of a recommendation issued on `issued`, on `calendar`: what the workflow should hold. */
const feedbackDeadline = (issued: PlainDate, calendar = packaged): Deadline =>
  clockDeadline(clockFor(caseRules('beijing', issued), 'recommendationFeedback'), issued, calendar);

describe('clocks into a year without a published holiday schedule', () => {
  it('are provisional and listed; once the year is published with a 调休 they are computed again, the change recorded, the new dates kept', async () => {
    await t.withWorker(async (taskQueue) => {
      // The boundary: the December of this year or of the package's last year, whichever is later.
      const thisYear = Number(chinaDateOf(new Date(await now())).slice(0, 4));
      const year = Math.max(thisYear, packaged.lastYear);
      const next = year + 1;
      expect(packaged.statusOf(next), `${next} must be provisional: is chinese-days more than a year out of date?`).toBe('provisional');
      // A day in December whose 15-day route clock and 30-day feedback clock both land on a working day of next year.
      let received: PlainDate | null = null;
      const today = chinaDateOf(new Date(await now()));
      for (let d = parsePlainDate(`${year}-12-17`); d <= `${year}-12-31`; d = addDays(d, 1)) {
        if (d < today) continue;
        if (packaged.isWorkingDay(addDays(d, 15)) && packaged.isWorkingDay(addDays(d, 30))) {
          received = d;
          break;
        }
      }
      expect(received, `no day of December ${year} from ${today} on has both clocks land on working days`).not.toBeNull();
      const day = received!;
      await skipTo(day, 9 * 3_600_000);

      const intake = (caseId: string): PetitionCaseInput => ({
        intake: { caseId, jurisdiction: 'beijing', receivedAt: new Date(startOfChinaDay(day).getTime() + 9 * 3_600_000).toISOString(), channel: 'visit', regionCode: '110105', collectiveSize: 1 },
        receivedBy: { organ: '朝阳区信访办', kind: 'petition-office' },
      });
      // A: waits on its route clock. B: routed and accepted at once, so its handling clock runs.
      const a = await t.env.client.workflow.start(petitionCaseWorkflow, { workflowId: 'case-PROV-A', taskQueue, args: [intake('PROV-A')] });
      const b = await t.env.client.workflow.start(petitionCaseWorkflow, { workflowId: 'case-PROV-B', taskQueue, args: [intake('PROV-B')] });
      const rec: RecommendationIssue = {
        recommendationId: 'R-PROV',
        jurisdiction: 'beijing',
        regionCode: '110105',
        issuedBy: '朝阳区信访办',
        toOrgan: '朝阳区人力资源社会保障局',
        kind: 'improve_work',
        issuedDate: day,
        summary: '跨年反馈期限',
      };
      const r = await t.env.client.workflow.start(recommendationWorkflow, { workflowId: 'recommendation/R-PROV', taskQueue, args: [rec] });

      // ── Provisional ──────────────────────────────────────────────────────────────────
      const expectedRoute = caseDeadline({ jurisdiction: 'beijing', receivedDate: day, step: 'route', start: day });
      expect(expectedRoute).toMatchObject({ due: addDays(day, 15), provisional: true, provisionalYears: [next] });
      const routeA = (await eventually('case A planned', () => caseState(a), (s: CaseState) => s.deadlines['route'] !== undefined)).deadlines['route']!;
      expect(routeA).toMatchObject({ due: expectedRoute.due, provisional: true, provisionalYears: [next] });
      expect(routeA.explanation.at(-1)).toContain(`待国务院公布${next}年放假安排后重新计算`);

      await eventually('case B received', () => eventsOfCase(t.store, 'PROV-B'), (e) => e.some((x) => x.event_type === 'deadline_provisional'));
      await b.executeUpdate(routeUpdate, { args: [{ actor: 'clerk-1', mode: 'forward', toOrgan: '朝阳区人社局', toKind: 'competent' }] });
      await b.executeUpdate(acceptUpdate, { args: [{ actor: 'clerk-1', accepted: true }] });
      const expectedHandle = caseDeadline({ jurisdiction: 'beijing', receivedDate: day, step: 'handle', start: day });
      expect(expectedHandle).toMatchObject({ provisional: true });
      const handleB = (await eventually('case B handling', () => caseState(b), (s: CaseState) => s.deadlines['handle'] !== undefined)).deadlines['handle']!;
      expect(handleB).toMatchObject({ due: expectedHandle.due, provisional: true });

      const expectedFeedback = feedbackDeadline(day);
      expect(expectedFeedback).toMatchObject({ due: addDays(day, 30), provisional: true });
      const feedback = (await eventually('the recommendation planned', () => recState(r), (s: RecommendationState) => s.stage === 'awaiting_feedback')).deadline!;
      expect(feedback).toMatchObject({ due: expectedFeedback.due, provisional: true, provisionalYears: [next] });

      // On record and listed, not waiting: the queue shows A's route and B's handling due dates, the
      // recommendations list the provisional feedback date; the counts hold both cases and the recommendation.
      const onRecordA = await eventually('A on record', () => eventsOfCase(t.store, 'PROV-A'), (e) => e.some((x) => x.event_type === 'deadline_provisional'));
      expect(onRecordA.find((e) => e.event_type === 'deadline_provisional')).toMatchObject({ due_date: expectedRoute.due, detail: { step: 'route', years: String(next) } });
      const listed = async () => (await listCases(t.store, { limit: 10, today: day })).cases;
      await eventually('B handling on record', () => eventsOfCase(t.store, 'PROV-B'), (e) => e.some((x) => x.event_type === 'deadline_provisional' && x.detail?.step === 'handle'));
      expect((await listed()).find((c) => c.case_id === 'PROV-A')?.due).toMatchObject({ step: 'route', due: expectedRoute.due });
      const recs = async () => (await listRecommendations(t.store, { region: '110105', year, today: day, limit: 10 })).recommendations;
      await eventually('the recommendation on record', () => recommendationEventsOf(t.store, 'R-PROV'), (e) => e.some((x) => x.event_type === 'deadline_provisional'));
      expect((await recs()).find((x) => x.recommendation_id === 'R-PROV')).toMatchObject({ feedback_due: expectedFeedback.due, due_provisional: true });
      expect(await provisionalDeadlineCounts(t.store)).toEqual({ cases: 2, recommendations: 1, accountability: 0 });
      const app = await startApiApp({ store: t.store });
      try {
        const health = (await (await fetch(`${app.base}/api/health`)).json()) as { calendar: unknown };
        expect(health.calendar).toEqual({
          ok: true,
          published: { firstYear: packaged.firstYear, lastYear: packaged.lastYear },
          provisionalYears: packaged.provisionalYears,
          provisionalDeadlines: { cases: 2, recommendations: 1, accountability: 0 },
        });
      } finally {
        await app.close();
      }

      // ── Published ────────────────────────────────────────────────────────────────────
      // The State Council's schedule (a fixture): the statutory days, and the provisional route and
      // feedback due days made bridge holidays (调休), worked on the Saturday before each.
      const holidays: Record<string, string> = Object.fromEntries(statutoryHolidays(next).map((h) => [h.date, h.festival]));
      const workdays: Record<string, string> = {};
      for (const bridge of [expectedRoute.due, expectedFeedback.due]) {
        holidays[bridge] = '调休';
        let saturday = addDays(bridge, -1);
        while (weekday(saturday) !== 6) saturday = addDays(saturday, -1);
        if (saturday.startsWith(`${next}-`) && !holidays[saturday]) workdays[saturday] = '调休';
      }
      writeFileSync(overrides, JSON.stringify({ source: `test: the ${next} schedule`, years: { [next]: { holidays, workdays } } }));
      const published = loadChinaCalendar(overrides);
      const newRoute = caseDeadline({ jurisdiction: 'beijing', receivedDate: day, step: 'route', start: day });
      const newFeedback = feedbackDeadline(day, published);
      const newHandle = caseDeadline({ jurisdiction: 'beijing', receivedDate: day, step: 'handle', start: day });
      expect(newRoute.provisional).toBeUndefined();
      expect(newRoute.due > expectedRoute.due).toBe(true);
      expect(newFeedback.due > expectedFeedback.due).toBe(true);

      // A week on, each workflow asks again (before any reminder of the old date is due).
      await t.env.sleep(8 * DAY);
      const changedA = await eventually('A computed again', () => eventsOfCase(t.store, 'PROV-A'), (e) => e.some((x) => x.event_type === 'deadline_recomputed'));
      expect(changedA.find((e) => e.event_type === 'deadline_recomputed')).toMatchObject({
        due_date: newRoute.due,
        detail: { step: 'route', oldDue: expectedRoute.due, newDue: newRoute.due, provisional: false, reason: expect.stringContaining(`国务院公布${next}年放假安排`) },
      });
      expect(changedA.some((e) => e.event_type === 'reminder')).toBe(false);
      expect((await caseState(a)).deadlines['route']).toMatchObject({ due: newRoute.due });
      expect((await caseState(a)).deadlines['route']?.provisional).toBeUndefined();
      // B's handling date stands (nothing moved it) but is provisional no more: recorded as confirmed.
      const changedB = await eventually('B computed again', () => eventsOfCase(t.store, 'PROV-B'), (e) => e.some((x) => x.event_type === 'deadline_recomputed'));
      expect(changedB.find((e) => e.event_type === 'deadline_recomputed')).toMatchObject({ detail: { step: 'handle', oldDue: expectedHandle.due, newDue: newHandle.due, provisional: false } });
      const changedR = await eventually('the recommendation computed again', () => recommendationEventsOf(t.store, 'R-PROV'), (e) => e.some((x) => x.event_type === 'deadline_recomputed'));
      expect(changedR.find((e) => e.event_type === 'deadline_recomputed')).toMatchObject({ due_date: newFeedback.due, detail: { oldDue: expectedFeedback.due, newDue: newFeedback.due, provisional: false } });
      expect((await recState(r)).deadline).toMatchObject({ due: newFeedback.due });
      expect(await getRecommendation(t.store, 'R-PROV')).toMatchObject({ feedback_due: newFeedback.due });
      expect((await recs()).find((x) => x.recommendation_id === 'R-PROV')).toMatchObject({ due_provisional: false });
      expect((await listed()).find((c) => c.case_id === 'PROV-A')?.due).toMatchObject({ step: 'route', due: newRoute.due });
      expect(await provisionalDeadlineCounts(t.store)).toEqual({ cases: 0, recommendations: 0, accountability: 0 });

      // The clocks run on the new dates: nothing is late the day after the old due date; the breach comes after the new one.
      await skipTo(addDays(expectedRoute.due, 1), 60_000);
      expect((await caseState(a)).overdue).toEqual([]);
      await skipTo(addDays(newRoute.due, 1), 60_000);
      const late = await eventually('A late', () => eventsOfCase(t.store, 'PROV-A'), (e) => e.some((x) => x.event_type === 'route_overdue'));
      expect(late.find((e) => e.event_type === 'route_overdue')).toMatchObject({ due_date: newRoute.due });
      expect(late.filter((e) => e.event_type === 'reminder').map((e) => e.due_date)).toEqual([newRoute.due, newRoute.due]);
      await skipTo(addDays(expectedFeedback.due, 1), 60_000);
      expect((await recState(r)).overdueDate).toBeNull();
      await skipTo(addDays(newFeedback.due, 1), 60_000);
      const overdue = await eventually('the feedback late', () => recommendationEventsOf(t.store, 'R-PROV'), (e) => e.some((x) => x.event_type === 'feedback_overdue'));
      expect(overdue.find((e) => e.event_type === 'feedback_overdue')).toMatchObject({ due_date: newFeedback.due });
    });
  }, 240_000);
});
