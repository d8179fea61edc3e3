import type { DuckDBConnection } from '@duckdb/node-api';
import { markRollupsDirty, refreshRollups } from './metrics/rollups.js';

/**
 * Keeps `case_facts` (migration 005) and `case_presses` (016) equal to their derivations from
 * the event log, each day in the zone of the case's jurisdiction (024). Every writer
 * of case events calls this inside the transaction that wrote them, so a measure never sees a
 * case's events without its facts or the other way round.
 *
 * `{ caseId }` rebuilds one case (a workflow's event); its `case_presses` rows only when `pressed`
 * says a press was among the events written: nothing else changes them (a case's own columns are
 * fixed at receipt), and the rebuild would cost every event of every case a lookup. `'transaction'` rebuilds every case
 * with an event written in the current transaction: DuckDB stamps `recorded_at` with the
 * transaction's start time, so those events are exactly the ones recorded at
 * `current_timestamp`. Rebuilding a case that did not change is harmless, so an unrelated
 * event stamped the same microsecond can only cost time. `{ jurisdiction }` rebuilds every case
 * of a jurisdiction: its days moved when its zone was first recorded (analytics/jurisdiction-zones.ts).
 *
 * The months of the measures' rollups (analytics/metrics/rollups.ts) that the changed cases
 * were and are in are marked dirty; a bulk write rebuilds them at once.
 */
export type FactsScope = { caseId: string; pressed?: boolean } | { jurisdiction: string } | 'transaction';

const TOUCHED = `SELECT DISTINCT case_id FROM case_events WHERE recorded_at = current_timestamp`;
// DuckDB pushes `case_id = $id` through the view's aggregation down to the event log's index,
// but not an IN list or a join: those aggregate the whole log (about 1 s per 500k events here).
// So a few cases are rebuilt one by one, and a bulk write pays for one pass over the log.
const ONE_BY_ONE_MAX = 20;

export async function refreshCaseFacts(conn: DuckDBConnection, scope: FactsScope): Promise<void> {
  if (scope === 'transaction') {
    const touched = (await conn.runAndReadAll(TOUCHED)).getRows().map(([id]) => String(id));
    if (touched.length === 0) return;
    if (touched.length <= ONE_BY_ONE_MAX) {
      for (const caseId of touched) await rebuild(conn, caseId, true);
      return;
    }
    return rebuildMany(conn, TOUCHED, {});
  }
  if ('jurisdiction' in scope) return rebuildMany(conn, 'SELECT case_id FROM cases WHERE jurisdiction = $jurisdiction', { jurisdiction: scope.jurisdiction });
  return rebuild(conn, scope.caseId, scope.pressed === true);
}

/** The cases `cases` selects, in one pass over the log. */
async function rebuildMany(conn: DuckDBConnection, cases: string, params: Record<string, string>): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE facts_scope AS ${cases}`, params);
  const inScope = 'SEMI JOIN temp.main.facts_scope s ON f.case_id = s.case_id';
  await markRollupsDirty(conn, `(SELECT f.* FROM case_facts f ${inScope})`);
  await conn.run('DELETE FROM case_facts WHERE case_id IN (SELECT case_id FROM temp.main.facts_scope)');
  await conn.run(`INSERT INTO case_facts SELECT f.* FROM case_facts_source f ${inScope}`);
  await conn.run('DELETE FROM case_presses WHERE case_id IN (SELECT case_id FROM temp.main.facts_scope)');
  await conn.run(`INSERT INTO case_presses SELECT f.* FROM case_presses_source f ${inScope}`);
  await markRollupsDirty(conn, `(SELECT f.* FROM case_facts f ${inScope})`);
  await conn.run('DROP TABLE temp.main.facts_scope');
  await refreshRollups(conn);
}

async function rebuild(conn: DuckDBConnection, caseId: string, presses: boolean): Promise<void> {
  // The case's row before and after: a month it left is as dirty as the one it is in.
  const row = '(SELECT * FROM case_facts WHERE case_id = $caseId)';
  await markRollupsDirty(conn, row, { caseId });
  await conn.run('DELETE FROM case_facts WHERE case_id = $caseId', { caseId });
  await conn.run('INSERT INTO case_facts SELECT * FROM case_facts_source WHERE case_id = $caseId', { caseId });
  await markRollupsDirty(conn, row, { caseId });
  if (presses) {
    await conn.run('DELETE FROM case_presses WHERE case_id = $caseId', { caseId });
    await conn.run('INSERT INTO case_presses SELECT * FROM case_presses_source WHERE case_id = $caseId', { caseId });
  }
}
