/**
 * The audit log over HTTP, for administrators and inspectors: query it, and prove its hash
 * chain unbroken. Below the city, a reader sees the rows of users within its own region.
 */
import { z } from 'zod';
import { AUDIT_QUERY_MAX, auditFilter, queryAudit, verifyAuditChain, type AuditFilter, type AuditRecord } from '../analytics/audit-log.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { Principal } from '../domain/roles.js';
import type { Api } from './api.js';
import { regionContains, regionNode } from './scope.js';

const organRow = z.object({ region_code: z.string() });

/** Whether a row's actor (its scope label, `region:CODE` or `organ:CODE`) lies within `region`. */
async function rowWithin(store: AnalyticsStore, region: string, row: AuditRecord): Promise<boolean> {
  const [kind, code] = (row.scope ?? '').split(':');
  if (!code) return false;
  if (kind === 'region') return regionContains(store, region, code);
  const [organ] = await store.all(organRow, 'SELECT region_code FROM organs WHERE code = $code', { code });
  return organ ? regionContains(store, region, organ.region_code) : false;
}

async function visibleRows(store: AnalyticsStore, p: Principal, rows: AuditRecord[], limit: number): Promise<AuditRecord[]> {
  const node = p.regionCode ? await regionNode(store, p.regionCode) : null;
  if (node?.level === 'city') return rows.slice(0, limit);
  const kept: AuditRecord[] = [];
  for (const row of rows) {
    if (kept.length === limit) break;
    if (p.regionCode && (await rowWithin(store, p.regionCode, row))) kept.push(row);
  }
  return kept;
}

export function auditRoutes(api: Api, deps: { store: AnalyticsStore }): void {
  const { store } = deps;
  api.add({ method: 'get', path: '/audit', summary: 'Query the audit log, newest first', access: 'audit.read', scope: 'region', query: auditFilter }, async ({ req, query, principal }) => {
    // Rows of other regions are dropped after the query, so ask for as many as may be needed.
    const rows = await queryAudit(store, { ...(req.query as AuditFilter), limit: AUDIT_QUERY_MAX });
    return { entries: await visibleRows(store, principal, rows, query.limit) };
  });
  api.add({ method: 'get', path: '/audit/verify', summary: "Recompute the audit log's hash chain", access: 'audit.read', scope: 'none', expensive: true }, () => verifyAuditChain(store));
}
