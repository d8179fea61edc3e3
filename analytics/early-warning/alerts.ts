/**
 * Alerts in DuckDB (migration 008): a scan's candidates become new alerts or continue earlier
 * ones, all written with the scan's record in one transaction; users acknowledge or dismiss them.
 *
 * De-duplication: candidates with the same dedup key (candidate.ts) belong to one alert episode
 * while each comes at most maxGapWeeks + 1 weeks after the episode's latest week; the row is
 * updated (period, run_length, figures, severity never lowered) instead of a new one added. A
 * decided alert that continues stays decided: a dismissal covers the episode, and a new
 * episode (after a quiet gap) is a new alert. Re-scanning a week refreshes its figures without
 * counting it twice, so a retried scan activity changes nothing.
 */
import { createHash } from 'node:crypto';
import { DOUBLE, INTEGER, LIST, listValue, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import { dedupKey, type AlertCandidate } from './candidate.js';
import { maxSeverity, type RatedSeverity } from './severity.js';
import { weekIndex } from './weeks.js';
import { inRegionSubtree } from '../region-subtree.js';

export type RatedCandidate = AlertCandidate & { rated: RatedSeverity };

export interface ScanRecord {
  scanId: string;
  trigger: string;
  weekFrom: PlainDate;
  weekTo: PlainDate;
  startedAt: Date;
  finishedAt: Date;
  seriesScanned: number;
  seriesSkipped: number;
  detail: Record<string, unknown>;
}

const episodeRow = z.object({
  alert_id: z.string(),
  dedup_key: z.string(),
  first_period: z.string(),
  period: z.string(),
  run_length: z.number(),
  severity: z.enum(['info', 'warning', 'serious']),
  base_severity: z.enum(['info', 'warning', 'serious']),
  sensitive_period: z.string().nullable(),
});
type Episode = z.infer<typeof episodeRow> & { candidate: RatedCandidate; state: 'new' | 'continued' | 'unchanged' };

const alertId = (key: string, firstWeek: string) => `AL-${firstWeek.replaceAll('-', '')}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;

async function rows<T>(conn: DuckDBConnection, row: z.ZodType<T>, sql: string, params: Record<string, unknown>): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params as never);
  return reader.getRowObjectsJson().map((r) => row.parse(r));
}

/** Writes a scan's alerts and its record in one transaction; returns how many alerts are new and how many continued. */
export async function persistScan(
  store: AnalyticsStore,
  scan: ScanRecord,
  candidates: readonly RatedCandidate[],
  options: { maxGapWeeks: number },
): Promise<{ raised: number; continued: number }> {
  return store.transaction(async (conn) => {
    const keyed = candidates.map((c) => ({ key: dedupKey(c), c })).sort((a, b) => a.c.week.localeCompare(b.c.week));
    const keys = [...new Set(keyed.map((k) => k.key))];
    const latest = new Map<string, Episode>();
    if (keys.length) {
      const existing = await rows(
        conn,
        episodeRow,
        `SELECT alert_id, dedup_key, CAST(first_period AS VARCHAR) AS first_period, CAST(period AS VARCHAR) AS period, run_length,
                severity, base_severity, sensitive_period
           FROM alerts a JOIN (SELECT unnest($keys::VARCHAR[]) AS k) ks ON ks.k = a.dedup_key
        QUALIFY row_number() OVER (PARTITION BY dedup_key ORDER BY period DESC) = 1`,
        { keys: listValue(keys) },
      );
      for (const e of existing) latest.set(e.dedup_key, { ...e, candidate: undefined as never, state: 'unchanged' });
    }

    for (const { key, c } of keyed) {
      const episode = latest.get(key);
      const gap = episode ? weekIndex(c.week) - weekIndex(episode.period as PlainDate) : Infinity;
      if (episode && gap < 0) continue; // an older week than the episode already holds
      if (episode && gap <= options.maxGapWeeks + 1) {
        episode.candidate = c;
        if (gap > 0) {
          episode.run_length++;
          episode.period = c.week;
        }
        episode.severity = maxSeverity(episode.severity, c.rated.severity);
        episode.base_severity = maxSeverity(episode.base_severity, c.rated.base);
        episode.sensitive_period = c.rated.sensitivePeriod ?? episode.sensitive_period;
        if (episode.state === 'unchanged') episode.state = 'continued';
        continue;
      }
      latest.set(key, {
        alert_id: alertId(key, c.week),
        dedup_key: key,
        first_period: c.week,
        period: c.week,
        run_length: 1,
        severity: c.rated.severity,
        base_severity: c.rated.base,
        sensitive_period: c.rated.sensitivePeriod,
        candidate: c,
        state: 'new',
      });
    }

    const fresh = [...latest.values()].filter((e) => e.state === 'new');
    const continued = [...latest.values()].filter((e) => e.state === 'continued');
    const column = (list: Episode[], pick: (e: Episode) => string | number | null) => listValue(list.map(pick));
    const figures = (list: Episode[]) => ({
      ids: column(list, (e) => e.alert_id),
      periods: column(list, (e) => e.period),
      runLengths: column(list, (e) => e.run_length),
      observed: column(list, (e) => e.candidate.observed),
      expected: column(list, (e) => e.candidate.expected),
      upperbounds: column(list, (e) => e.candidate.upperbound),
      pValues: column(list, (e) => e.candidate.pValue),
      severities: column(list, (e) => e.severity),
      baseSeverities: column(list, (e) => e.base_severity),
      sensitive: column(list, (e) => e.sensitive_period),
      subjects: column(list, (e) => e.candidate.subject),
      details: column(list, (e) => JSON.stringify(e.candidate.detail)),
    });
    // Explicit list types: a list whose first value is null is otherwise typed as all-null.
    const types = {
      observed: LIST(DOUBLE),
      expected: LIST(DOUBLE),
      upperbounds: LIST(DOUBLE),
      pValues: LIST(DOUBLE),
      sensitive: LIST(VARCHAR),
      subjects: LIST(VARCHAR),
      runLengths: LIST(INTEGER),
    };
    if (fresh.length) {
      await conn.run(
        `INSERT INTO alerts (alert_id, dedup_key, kind, method, level, region_code, field, channel, petition_class, subject,
                             first_period, period, run_length, observed, expected, upperbound, p_value, severity, base_severity,
                             sensitive_period, detail, scan_id, last_scan_id, first_seen, last_seen)
         SELECT unnest($ids::VARCHAR[]), unnest($keys::VARCHAR[]), unnest($kinds::VARCHAR[]), unnest($methods::VARCHAR[]),
                unnest($levels::VARCHAR[]), unnest($regions::VARCHAR[]), unnest($fields::VARCHAR[]), unnest($channels::VARCHAR[]),
                unnest($classes::VARCHAR[]), unnest($subjects::VARCHAR[]), CAST(unnest($firstPeriods::VARCHAR[]) AS DATE),
                CAST(unnest($periods::VARCHAR[]) AS DATE), unnest($runLengths::INTEGER[]), unnest($observed::DOUBLE[]),
                unnest($expected::DOUBLE[]), unnest($upperbounds::DOUBLE[]), unnest($pValues::DOUBLE[]), unnest($severities::VARCHAR[]),
                unnest($baseSeverities::VARCHAR[]), unnest($sensitive::VARCHAR[]), CAST(unnest($details::VARCHAR[]) AS JSON),
                $scanId, $scanId, $seen::TIMESTAMPTZ, $seen::TIMESTAMPTZ`,
        {
          ...figures(fresh),
          keys: column(fresh, (e) => e.dedup_key),
          firstPeriods: column(fresh, (e) => e.first_period),
          kinds: column(fresh, (e) => e.candidate.kind),
          methods: column(fresh, (e) => e.candidate.method),
          levels: column(fresh, (e) => e.candidate.level),
          regions: column(fresh, (e) => e.candidate.regionCode),
          fields: column(fresh, (e) => e.candidate.field),
          channels: column(fresh, (e) => e.candidate.channel),
          classes: column(fresh, (e) => e.candidate.petitionClass),
          scanId: scan.scanId,
          seen: scan.finishedAt.toISOString(),
        },
        { ...types, fields: LIST(VARCHAR), channels: LIST(VARCHAR), classes: LIST(VARCHAR) },
      );
    }
    if (continued.length) {
      await conn.run(
        `UPDATE alerts SET period = CAST(u.period AS DATE), run_length = u.run_length, observed = u.observed, expected = u.expected,
                           upperbound = u.upperbound, p_value = u.p_value, severity = u.severity, base_severity = u.base_severity,
                           sensitive_period = u.sensitive, subject = u.subject, detail = CAST(u.detail AS JSON),
                           last_scan_id = $scanId, last_seen = $seen::TIMESTAMPTZ
           FROM (SELECT unnest($ids::VARCHAR[]) AS id, unnest($periods::VARCHAR[]) AS period, unnest($runLengths::INTEGER[]) AS run_length,
                        unnest($observed::DOUBLE[]) AS observed, unnest($expected::DOUBLE[]) AS expected,
                        unnest($upperbounds::DOUBLE[]) AS upperbound, unnest($pValues::DOUBLE[]) AS p_value,
                        unnest($severities::VARCHAR[]) AS severity, unnest($baseSeverities::VARCHAR[]) AS base_severity,
                        unnest($sensitive::VARCHAR[]) AS sensitive, unnest($subjects::VARCHAR[]) AS subject,
                        unnest($details::VARCHAR[]) AS detail) u
          WHERE alerts.alert_id = u.id`,
        { ...figures(continued), scanId: scan.scanId, seen: scan.finishedAt.toISOString() },
        types,
      );
    }
    await conn.run(
      `INSERT INTO alert_scans (scan_id, trigger, week_from, week_to, started_at, finished_at, duration_ms, series_scanned, series_skipped,
                                alerts_raised, alerts_continued, detail)
       VALUES ($scanId, $trigger, $weekFrom::DATE, $weekTo::DATE, $startedAt::TIMESTAMPTZ, $finishedAt::TIMESTAMPTZ, $durationMs,
               $scanned, $skipped, $raised, $continued, CAST($detail AS JSON))
       ON CONFLICT DO NOTHING`,
      {
        scanId: scan.scanId,
        trigger: scan.trigger,
        weekFrom: scan.weekFrom,
        weekTo: scan.weekTo,
        startedAt: scan.startedAt.toISOString(),
        finishedAt: scan.finishedAt.toISOString(),
        durationMs: scan.finishedAt.getTime() - scan.startedAt.getTime(),
        scanned: scan.seriesScanned,
        skipped: scan.seriesSkipped,
        raised: fresh.length,
        continued: continued.length,
        detail: JSON.stringify(scan.detail),
      },
    );
    return { raised: fresh.length, continued: continued.length };
  });
}

export const alertRow = z.object({
  alert_id: z.string(),
  kind: z.string(),
  method: z.string(),
  level: z.string(),
  region_code: z.string(),
  field: z.string().nullable(),
  channel: z.string().nullable(),
  petition_class: z.string().nullable(),
  subject: z.string().nullable(),
  first_period: z.string(),
  period: z.string(),
  run_length: z.number(),
  observed: z.number().nullable(),
  expected: z.number().nullable(),
  upperbound: z.number().nullable(),
  p_value: z.number().nullable(),
  severity: z.enum(['info', 'warning', 'serious']),
  base_severity: z.enum(['info', 'warning', 'serious']),
  sensitive_period: z.string().nullable(),
  detail: z.unknown(),
  status: z.enum(['open', 'acknowledged', 'dismissed']),
  decided_by: z.string().nullable(),
  decided_at: z.string().nullable(),
  decision_reason: z.string().nullable(),
  scan_id: z.string(),
  last_scan_id: z.string(),
  first_seen: z.string(),
  last_seen: z.string(),
});
export type AlertRow = z.infer<typeof alertRow>;

const SELECT_ALERT = `SELECT alert_id, kind, method, level, region_code, field, channel, petition_class, subject,
       CAST(first_period AS VARCHAR) AS first_period, CAST(period AS VARCHAR) AS period, run_length, observed, expected, upperbound,
       p_value, severity, base_severity, sensitive_period, CAST(detail AS VARCHAR) AS detail, status, decided_by,
       CAST(decided_at AS VARCHAR) AS decided_at, decision_reason, scan_id, last_scan_id,
       CAST(first_seen AS VARCHAR) AS first_seen, CAST(last_seen AS VARCHAR) AS last_seen
  FROM alerts a`;

const parse = (r: AlertRow): AlertRow => ({ ...r, detail: typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail });

export interface AlertFilter {
  status?: AlertRow['status'];
  level?: string;
  /** A region and everything under it (a district's streets; the city's districts and streets). */
  region?: string;
  kind?: string;
  /** Raised in these weeks: the first week in alarm (its Monday) on or after / on or before. */
  raisedFrom?: PlainDate;
  raisedTo?: PlainDate;
  /** First recorded by a scan before this instant: the alerts as they stood then (a report as of a date). */
  seenBefore?: Date;
  limit?: number;
}

export async function listAlerts(store: AnalyticsStore, filter: AlertFilter = {}): Promise<AlertRow[]> {
  const where: string[] = [];
  const params: Record<string, string | number> = { limit: filter.limit ?? 200 };
  if (filter.status) (where.push('a.status = $status'), (params.status = filter.status));
  if (filter.level) (where.push('a.level = $level'), (params.level = filter.level));
  if (filter.kind) (where.push('a.kind = $kind'), (params.kind = filter.kind));
  if (filter.raisedFrom) (where.push('a.first_period >= $raisedFrom::DATE'), (params.raisedFrom = filter.raisedFrom));
  if (filter.raisedTo) (where.push('a.first_period <= $raisedTo::DATE'), (params.raisedTo = filter.raisedTo));
  if (filter.seenBefore) (where.push('a.first_seen < $seenBefore::TIMESTAMPTZ'), (params.seenBefore = filter.seenBefore.toISOString()));
  if (filter.region) {
    where.push(inRegionSubtree('a.region_code'));
    params.region = filter.region;
  }
  const rows = await store.all(
    alertRow,
    `${SELECT_ALERT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY a.period DESC, CASE a.severity WHEN 'serious' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, a.alert_id
     LIMIT $limit`,
    params,
  );
  return rows.map(parse);
}

export async function getAlert(store: AnalyticsStore, id: string): Promise<AlertRow | undefined> {
  const [row] = await store.all(alertRow, `${SELECT_ALERT} WHERE a.alert_id = $id`, { id });
  return row && parse(row);
}

export class AlertDecisionError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Acknowledges or dismisses an open alert, once: the decision is a record, so a second one is
 * refused with the first's who, when and why.
 */
export async function decideAlert(
  store: AnalyticsStore,
  id: string,
  decision: { status: 'acknowledged' | 'dismissed'; actor: string; reason: string | null; at: Date },
): Promise<AlertRow> {
  const decided = await store.transaction(async (conn) => {
    const reader = await conn.runAndReadAll(
      `UPDATE alerts SET status = $status, decided_by = $actor, decision_reason = $reason, decided_at = $at::TIMESTAMPTZ
        WHERE alert_id = $id AND status = 'open' RETURNING alert_id`,
      { id, status: decision.status, actor: decision.actor, reason: decision.reason, at: decision.at.toISOString() },
      { reason: VARCHAR },
    );
    return reader.getRows().length > 0;
  });
  const row = await getAlert(store, id);
  if (!row) throw new AlertDecisionError(404, `no alert ${id}`);
  if (!decided) {
    throw new AlertDecisionError(
      409,
      `alert ${id} was already ${row.status} by ${row.decided_by ?? '?'} at ${row.decided_at ?? '?'}${row.decision_reason ? ` (${row.decision_reason})` : ''}; a decision is not changed`,
    );
  }
  return row;
}

const scanRow = z.object({
  scan_id: z.string(),
  trigger: z.string(),
  week_from: z.string(),
  week_to: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  duration_ms: z.number(),
  series_scanned: z.number(),
  series_skipped: z.number(),
  alerts_raised: z.number(),
  alerts_continued: z.number(),
  detail: z.unknown(),
});

export async function getScan(store: AnalyticsStore, id: string) {
  const [row] = await store.all(
    scanRow,
    `SELECT scan_id, trigger, CAST(week_from AS VARCHAR) AS week_from, CAST(week_to AS VARCHAR) AS week_to,
            CAST(started_at AS VARCHAR) AS started_at, CAST(finished_at AS VARCHAR) AS finished_at, duration_ms,
            CAST(series_scanned AS DOUBLE) AS series_scanned, CAST(series_skipped AS DOUBLE) AS series_skipped,
            alerts_raised, alerts_continued, CAST(detail AS VARCHAR) AS detail
       FROM alert_scans WHERE scan_id = $id`,
    { id },
  );
  return row && { ...row, detail: typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail };
}
