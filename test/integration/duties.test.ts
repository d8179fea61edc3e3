/** Periodic duties (DOMAIN §5) on the real time-skipping Temporal test server. */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { dutyCalendar, dutyEventsOf } from '../../analytics/duty-log.js';
import { periodContaining, periodsOfYear, type Period } from '../../rules/periods.js';
import { addDays, chinaDateOf, startOfChinaDay, type PlainDate } from '../../rules/plain-date.js';
import { dutyPeriodStateQuery, dutyPeriodWorkflow, recordEvidenceUpdate, type DutyPeriodInput, type Evidence } from '../../workflows/duty-period.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();

const withWorker = <T>(run: (taskQueue: string) => Promise<T>) => t.withWorker(run);
const today = async () => chinaDateOf(new Date(await t.env.currentTimeMs()));
async function skipTo(day: PlainDate, offsetMs = 60_000) {
  const ms = startOfChinaDay(day).getTime() + offsetMs - (await t.env.currentTimeMs());
  if (ms > 0) await t.env.sleep(ms);
}
function open(taskQueue: string, input: DutyPeriodInput & { period: Period }) {
  return t.env.client.workflow.start(dutyPeriodWorkflow, {
    workflowId: `duty/${input.organ}/${input.dutyId}/${input.period.label}`,
    taskQueue,
    args: [input],
  });
}
const meeting = async (reference: string): Promise<Evidence> => ({ actor: '区委办', kind: 'meeting', date: await today(), reference });
const refusedWith = (promise: Promise<unknown>, reason: RegExp) =>
  expect(promise).rejects.toSatisfy((e: unknown) => e instanceof WorkflowUpdateFailedError && reason.test(String(e.cause?.message)));
/**
 * The period's final status, by query: awaiting a result would let the test server skip time
 * on to other open workflows' timers (here the yearly inspection's reminders).
 */
async function closedStatus(handle: WorkflowHandle) {
  for (let i = 0; i < 100; i++) {
    const { status } = await handle.query(dutyPeriodStateQuery);
    if (status !== 'open') return status;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the period did not close');
}
async function evidence(handle: WorkflowHandle, item: Evidence) {
  return handle.executeUpdate(recordEvidenceUpdate, { args: [item] });
}

describe('periodic duties', () => {
  it('a district through a full year: four quarterly report hearings (one missed) and the annual special inspection', async () => {
    await withWorker(async (q) => {
      const year = Number((await today()).slice(0, 4)) + 1;
      const district = { jurisdiction: 'beijing', organ: 'D110105', level: 'district' };
      await skipTo(`${year}-01-01` as PlainDate);
      const inspection = await open(q, { ...district, dutyId: 'specialInspection', period: periodContaining(await today(), 'year') });
      for (const period of periodsOfYear(year, 'quarter')) {
        await skipTo(period.start);
        const handle = await open(q, { ...district, dutyId: 'hearReport.district', period });
        expect((await handle.query(dutyPeriodStateQuery)).plan?.cite).toMatch(/北京市信访工作责任制实施细则 第四条 \[beijing-2017\]/);
        if (!period.label.endsWith('Q2')) {
          await skipTo(addDays(period.start, 20));
          await evidence(handle, await meeting(`${period.label} 区委常委会纪要`));
        }
        if (period.label.endsWith('Q3')) {
          await refusedWith(evidence(handle, { ...(await meeting('x')), kind: 'letter' }), /met by meeting, not letter/);
          await refusedWith(evidence(handle, { ...(await meeting('x')), date: `${year - 1}-12-31` }), /outside the period/);
          await evidence(inspection, { actor: '区委督查室', kind: 'inspection', date: await today(), reference: `${year} 专项督查报告` });
        }
        await skipTo(addDays(period.end, 1));
        expect(await closedStatus(handle)).toBe(period.label.endsWith('Q2') ? 'missed' : 'met');
      }
      expect((await inspection.result()).status).toBe('met');
      const calendar = await dutyCalendar(t.store, ['D110105'], year);
      expect(calendar.map((r) => `${r.duty_id} ${r.period_label} ${r.status}`)).toEqual([
        `hearReport.district ${year}Q1 met`,
        `hearReport.district ${year}Q2 missed`,
        `hearReport.district ${year}Q3 met`,
        `hearReport.district ${year}Q4 met`,
        `specialInspection ${year} met`,
      ]);
      const q2 = (await dutyEventsOf(t.store, 'D110105', 'hearReport.district')).filter((e) => e.period_label === `${year}Q2`);
      expect(q2.map((e) => e.event_type)).toEqual(['period_opened', 'reminder', 'reminder', 'missed']);
    });
  });

  it('a city department that records nothing is reminded, then found missing; the closed period refuses evidence', async () => {
    await withWorker(async (q) => {
      const period = periodContaining(await today(), 'quarter');
      const openedAt = await t.env.currentTimeMs();
      const handle = await open(q, { jurisdiction: 'beijing', organ: 'BJ-RSJ', level: 'city-department', dutyId: 'hearReport.district', period });
      await skipTo(addDays(period.end, 1));
      expect(await handle.result()).toMatchObject({ status: 'missed', evidence: [] });
      const events = (await dutyEventsOf(t.store, 'BJ-RSJ', 'hearReport.district')).map((e) => e.event_type);
      expect(events.filter((e) => e === 'missed')).toHaveLength(1);
      // The pack's reminders 14 and 3 days before the close, those still ahead when it opened.
      const ahead = [14, 3].filter((d) => startOfChinaDay(addDays(period.end, -d)).getTime() > openedAt);
      expect(events.filter((e) => e === 'reminder')).toHaveLength(ahead.length);
      await expect(evidence(handle, await meeting('late'))).rejects.toThrow();
    });
  });

  it("Xianning's county leaders owe a month of grassroots research a year: days add up", async () => {
    await withWorker(async (q) => {
      const period = periodContaining(await today(), 'year');
      const handle = await open(q, { jurisdiction: 'xianning', organ: 'XN-XA', level: 'district', dutyId: 'grassrootsResearch', period });
      const research = async (days?: number): Promise<Evidence> => ({
        actor: '县委办',
        kind: 'research',
        date: await today(),
        reference: '调研报告',
        ...(days ? { days } : {}),
      });
      await refusedWith(evidence(handle, await research()), /give days/);
      await evidence(handle, await research(10));
      expect((await handle.query(dutyPeriodStateQuery)).status).toBe('open');
      await evidence(handle, await research(25));
      await skipTo(addDays(period.end, 1));
      expect((await handle.result()).status).toBe('met');
    });
  });
});
