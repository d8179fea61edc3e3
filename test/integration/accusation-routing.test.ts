/**
 * 2022 Regulations art. 22(2): an accusation (检举控告类信访事项) the petition office receives goes
 * to discipline inspection (纪检监察) and nowhere else, on the real time-skipping Temporal test
 * server with the real worker, packs and DuckDB event log.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { eventsOfCase } from '../../analytics/case-log.js';
import { caseStateQuery, petitionCaseWorkflow, routeUpdate, type PetitionCaseInput, type RouteDecision } from '../../workflows/petition-case.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();

async function startCase(taskQueue: string, caseId: string, extra: Partial<PetitionCaseInput> = {}) {
  const input: PetitionCaseInput = {
    intake: {
      caseId,
      jurisdiction: 'beijing',
      receivedAt: new Date(await t.env.currentTimeMs()).toISOString(),
      channel: 'letter',
      regionCode: '110105',
      collectiveSize: 1,
    },
    receivedBy: { organ: '朝阳区信访办', kind: 'petition-office' },
    ...extra,
  };
  const handle = await t.env.client.workflow.start(petitionCaseWorkflow, { workflowId: `case-${caseId}`, taskQueue, args: [input] });
  await planned(handle);
  return handle;
}

/**
 * Waits until the case takes actions. The workflow sets its handlers once planCase has returned,
 * and an update that arrives before that is rejected ("No registered handler for update").
 */
async function planned(handle: WorkflowHandle): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await handle.query(caseStateQuery);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${handle.workflowId} never answered a query`);
}

const events = async (caseId: string) => (await eventsOfCase(t.store, caseId)).map((e) => e.event_type);
const refused = (promise: Promise<unknown>, reason: RegExp) =>
  expect(promise).rejects.toSatisfy((e: unknown) => e instanceof WorkflowUpdateFailedError && reason.test(String(e.cause?.message)));
const ARTICLE = /an accusation goes to discipline inspection \(信访工作条例 第二十二条第二款 \[regulations-2022\]\)/;
const clerk = { actor: 'clerk-1', mode: 'forward' as const };

describe('an accusation (检举控告)', () => {
  it('is routed only to discipline inspection, citing the article; any other routing is refused and changes nothing', async () => {
    await t.withWorker(async (q) => {
      const handle = await startCase(q, 'ACC-1', { accusation: true, accusedOrgan: 'D110105-ZJW' });
      const elsewhere: RouteDecision[] = [
        { ...clerk, toOrgan: '朝阳区住建委', toKind: 'competent' },
        { ...clerk, toOrgan: '朝阳区法院', toKind: 'political-legal' },
        { ...clerk, toOrgan: '朝阳区委、区政府', toKind: 'party-government' },
        { ...clerk, mode: 'assign', toOrgan: '朝阳区住建委', toKind: 'competent', resultDue: '2099-01-01' },
      ];
      for (const decision of elsewhere) await refused(handle.executeUpdate(routeUpdate, { args: [decision] }), ARTICLE);
      expect(await handle.query(caseStateQuery)).toMatchObject({ stage: 'awaiting_route', responsibleOrgan: '朝阳区信访办', overdue: [] });
      expect((await handle.query(caseStateQuery)).routing).toBeUndefined();
      expect(await events('ACC-1')).toEqual(['received']);

      const out = await handle.executeUpdate(routeUpdate, { args: [{ ...clerk, toOrgan: '朝阳区纪委监委', toKind: 'discipline-inspection' }] });
      expect(out).toMatchObject({ stage: 'closed', closeReason: 'routed_out', routing: { toKind: 'discipline-inspection', toOrgan: '朝阳区纪委监委' } });
      const routed = (await eventsOfCase(t.store, 'ACC-1')).find((e) => e.event_type === 'routed');
      expect(routed?.detail).toMatchObject({ toKind: 'discipline-inspection', toOrgan: '朝阳区纪委监委' });
      // Routed out: it owes the petitioner no notice of acceptance from a competent organ.
      expect(out.deadlines['notify']).toBeUndefined();
    });
  });

  it('a case that is not an accusation may go to the competent organ', async () => {
    await t.withWorker(async (q) => {
      const handle = await startCase(q, 'ACC-2');
      const state = await handle.executeUpdate(routeUpdate, { args: [{ ...clerk, toOrgan: '朝阳区住建委', toKind: 'competent' }] });
      expect(state).toMatchObject({ stage: 'awaiting_acceptance', responsibleOrgan: '朝阳区住建委' });
    });
  });
});
