import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventsOfCase, listCases, recordEvent, recordHistory, recordIntake } from '../../analytics/case-log.js';
import { loadDemoData } from '../../analytics/demo-data.js';
import { AnalyticsStore } from '../../analytics/store.js';
import type { CaseIntake } from '../../domain/case.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const intake = (caseId: string, receivedAt: string, regionCode = '110105'): CaseIntake => ({
  caseId,
  jurisdiction: 'beijing',
  receivedAt,
  channel: 'visit',
  regionCode,
  collectiveSize: 1,
});
const received = (c: CaseIntake) => ({ caseId: c.caseId, type: 'received' as const, occurredAt: c.receivedAt });

describe('the analytics store', () => {
  it('migrates a new file once and keeps its data across reopening', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xinfang-store-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'x.duckdb');
    const first = await AnalyticsStore.open(path);
    const a = intake('A', '2025-03-01T02:00:00Z');
    await recordIntake(first, a, received(a), 'workflow');
    first.close();

    const second = await AnalyticsStore.open(path);
    const versions = await second.all(z.object({ version: z.number() }), 'SELECT version FROM schema_migrations ORDER BY version');
    const files = readdirSync(new URL('../../analytics/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql'));
    expect(versions.map((v) => v.version)).toEqual(files.map((f) => Number(f.slice(0, 3))).sort((a, b) => a - b));
    expect((await listCases(second, { limit: 5, today: '2025-03-02' })).cases.map((c) => c.case_id)).toEqual(['A']);
    second.close();
  });

  it('writes an event once however often the activity is retried', async () => {
    const store = await AnalyticsStore.open(':memory:');
    const a = intake('A', '2025-03-01T02:00:00Z');
    await recordIntake(store, a, received(a), 'workflow');
    await recordIntake(store, a, received(a), 'workflow');
    const overdue = { caseId: 'A', type: 'route_overdue' as const, occurredAt: '2025-03-16T16:00:00Z', dueDate: '2025-03-16' };
    await recordEvent(store, overdue);
    await recordEvent(store, overdue);
    expect((await eventsOfCase(store, 'A')).map((e) => e.event_type)).toEqual(['received', 'route_overdue']);
    store.close();
  });

  it('rolls a bulk load back whole when one row is bad', async () => {
    const store = await AnalyticsStore.open(':memory:');
    const good = intake('G', '2025-03-01T02:00:00Z');
    const bad = { ...intake('B', '2025-03-02T02:00:00Z'), collectiveSize: 0 };
    await expect(
      recordHistory(store, [{ intake: good, events: [received(good)] }, { intake: bad, events: [received(bad)] }], 'import'),
    ).rejects.toThrow(/CHECK constraint/);
    expect(await listCases(store, { limit: 5, today: '2025-03-02' })).toEqual({ cases: [], total: 0 });
    store.close();
  });
});

describe('the demo data', () => {
  const months = z.object({ month: z.string(), n: z.number() });
  it('comes from the generator: the same for the same seed and month, over the 36 months before it', async () => {
    const load = async () => {
      const store = await AnalyticsStore.open(':memory:');
      const loaded = await loadDemoData(store, { anchorMonth: '2026-01', jurisdiction: 'beijing' });
      const rows = await store.all(
        months,
        `SELECT strftime(received_date, '%Y-%m') AS month, count(*)::INTEGER AS n FROM cases WHERE origin = 'demo' GROUP BY 1 ORDER BY 1`,
      );
      const [digest] = await store.all(
        z.object({ h: z.string() }),
        `SELECT md5(string_agg(event_id || occurred_at::VARCHAR || coalesce(detail::VARCHAR, ''), ',' ORDER BY event_id)) AS h FROM case_events`,
      );
      store.close();
      return { loaded, rows, digest };
    };
    const first = await load();
    const again = await load();
    expect(again.rows).toEqual(first.rows);
    expect(again.digest).toEqual(first.digest);
    expect(first.loaded.cases).toBeGreaterThanOrEqual(20_000);
    expect(first.rows).toHaveLength(36);
    expect(first.rows[0]!.month).toBe('2023-01');
    expect(first.rows.at(-1)!.month).toBe('2025-12');
  });

  it('marks a late routing with its overdue event, and only then', async () => {
    const store = await AnalyticsStore.open(':memory:');
    await loadDemoData(store, { anchorMonth: '2026-01', jurisdiction: 'beijing', months: 6, cases: 3000 });
    const [row] = await store.all(
      z.object({ mismatched: z.number(), late: z.number() }),
      `SELECT count(*) FILTER (WHERE (r.detail->>'late')::BOOLEAN IS DISTINCT FROM (o.case_id IS NOT NULL))::INTEGER AS mismatched,
              count(*) FILTER (WHERE o.case_id IS NOT NULL)::INTEGER AS late
         FROM case_events r LEFT JOIN case_events o ON o.case_id = r.case_id AND o.event_type = 'route_overdue'
        WHERE r.event_type = 'routed'`,
    );
    expect(row!.mismatched).toBe(0);
    expect(row!.late).toBeGreaterThan(0);
    store.close();
  });
});
