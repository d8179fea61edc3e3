/**
 * The rollups' refresh as the running system does it: events written one case at a time mark
 * their months dirty, and the workflow the five-minute Schedule starts rebuilds them through
 * its activity, on the real time-skipping Temporal test server.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recordEvent, recordIntake } from '../../analytics/case-log.js';
import { queryMetrics } from '../../analytics/metrics/query.js';
import { parsePlainDate as d } from '../../rules/plain-date.js';
import { refreshRollupsWorkflow } from '../../workflows/rollups.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
const dirty = z.object({ basis: z.string(), month: z.string() });

describe('the rollups refresh workflow', () => {
  it('rebuilds the months that single-case events marked dirty, and queries then read the rollups', async () => {
    const received = '2025-03-03T02:00:00Z';
    await recordIntake(
      t.store,
      { caseId: 'RU-1', jurisdiction: 'beijing', receivedAt: received, channel: 'visit', regionCode: '110105', collectiveSize: 1 },
      { caseId: 'RU-1', type: 'received', occurredAt: received },
      'workflow',
    );
    await recordEvent(t.store, { caseId: 'RU-1', type: 'route_overdue', occurredAt: '2025-03-20T02:00:00Z' });
    const marked = await t.store.all(dirty, 'SELECT basis, CAST(month AS VARCHAR) AS month FROM rollup_dirty ORDER BY ALL');
    expect(marked).toEqual([
      { basis: 'received_date', month: '2025-03-01' },
      { basis: 'register_overdue_date', month: '2025-03-01' },
    ]);

    const rebuilt = await t.withWorker((taskQueue) =>
      t.env.client.workflow.execute(refreshRollupsWorkflow, { workflowId: 'rollups-refresh-test', taskQueue, args: [] }),
    );
    expect(rebuilt).toBe(2);
    expect(await t.store.all(dirty, 'SELECT basis, CAST(month AS VARCHAR) AS month FROM rollup_dirty')).toEqual([]);

    const sql: string[] = [];
    const request = { measures: ['cases', 'registration_supervised'] as const, from: d('2025-01-01'), to: d('2025-12-31'), asOf: d('2026-01-31'), by: ['month'] as const };
    const rows = await queryMetrics(
      new Proxy(t.store, {
        get: (target, property) =>
          property === 'all'
            ? (...args: Parameters<typeof target.all>) => (sql.push(args[1]), target.all(...args))
            : (Reflect.get(target, property, target) as unknown),
      }),
      { ...request, measures: [...request.measures], by: [...request.by] },
    );
    expect(rows.filter((r) => r.dims.month === '2025-03').map((r) => [r.measure, r.value])).toEqual([
      ['cases', 1],
      ['registration_supervised', 1],
    ]);
    expect(sql.some((s) => s.includes('FROM rollup_region'))).toBe(true);
    expect(sql.some((s) => s.includes('FROM case_facts'))).toBe(false);
  });
});
