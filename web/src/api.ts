/** Typed calls to the Xinfang Watch API. */
import type { IndexedRegion } from '../../analytics/petition-index/petition-index.js';

export interface Region {
  code: string;
  nameZh: string;
  nameEn: string;
}
export interface ClockSummary {
  labelZh: string;
  labelEn: string;
  days: number;
  basis: 'calendar' | 'working';
  pack: string;
  titleZh: string;
  article: string | null;
}
export interface Reference {
  channels: Record<string, string>;
  regions: Region[];
  jurisdiction: string;
  clocks: Record<string, ClockSummary>;
}

/** A measure as the catalog describes it (analytics/metrics/catalog.ts). */
export interface Measure {
  id: string;
  labelZh: string;
  labelEn: string;
  description: string;
  kind: 'count' | 'sum' | 'rate';
  /** The date that places a row in a period, e.g. "date of receipt (登记日期)". */
  basis: string;
  better: 'higher' | 'lower' | 'neither';
  basedOn: string;
  source?: string;
}
export interface Dimension {
  id: string;
  labelZh: string;
  labelEn: string;
  description: string;
}
export interface Catalog {
  measures: Measure[];
  dimensions: Dimension[];
}

export type Dims = Record<string, string | null>;
export interface MetricRow {
  measure: string;
  dims: Dims;
  /** The count, the sum, or the rate (null when its denominator is 0). */
  value: number | null;
  numerator?: number;
  denominator?: number;
  interval?: [number, number];
}
export interface ComparedRow {
  measure: string;
  dims: Dims;
  current: MetricRow;
  previous: MetricRow | null;
  change: number | null;
  relative: number | null;
}
export interface MetricsRequest {
  measures: string[];
  from: string;
  to: string;
  asOf: string;
  by?: string[];
  region?: string;
}
export interface MetricsAnswer<R> {
  request: MetricsRequest;
  measures: Measure[];
  rows: R[];
}

export interface RankedUnit {
  unit: string;
  name: string | null;
  value: number | null;
  numerator?: number;
  denominator?: number;
  interval?: [number, number];
  volume: number;
  perTenThousand?: number;
  rank: number | null;
  tier: 'small' | 'medium' | 'large' | null;
  rankInTier: number | null;
  unranked?: string;
}
export interface Ranking {
  request: { measure: string; by: string; from: string; to: string; asOf: string; region?: string; minVolume: number };
  better: 'higher' | 'lower' | 'neither';
  units: RankedUnit[];
}

export interface Period {
  from: string;
  to: string;
  asOf: string;
}
export interface ThreeDeclines {
  period: Period;
  previous: Period;
  items: { measure: string; current: number; previous: number; change: number; relative: number | null; declined: boolean }[];
  achieved: boolean;
}

export interface CaseSummary {
  case_id: string;
  received_at: string;
  channel: string;
  region_code: string;
  route_due: string | null;
  routed: boolean;
  route_overdue: boolean;
}
export interface Health {
  status: 'ok' | 'degraded';
  temporal: { ok: boolean; error?: string };
  duckdb: { ok: boolean; cases?: number; error?: string };
}

/** An indicator of the petition index: the catalog's measure and the method's use of it. */
export interface IndexIndicator extends Omit<Measure, 'source'> {
  perTenThousand: boolean;
  /** pressure: more of it means more petition pressure; relief: less. */
  direction: 'pressure' | 'relief';
  weight: number;
  why: string;
}
export type Normalisation = 'min-max' | 'z-score' | 'rank';
export type Aggregation = 'arithmetic' | 'geometric';
/** The index's method as data (analytics/petition-index/method.json). */
export interface IndexMethod {
  $comment?: string;
  id: string;
  titleZh: string;
  titleEn: string;
  orientation: string;
  unit: string;
  normalisation: Normalisation;
  aggregation: Aggregation;
  missing: 'mean';
  uncertainty: {
    runs: number;
    seed: number;
    normalisations: Normalisation[];
    aggregations: Aggregation[];
    weightJitter: number;
    rankInterval: [number, number];
  };
}
// A district's index, rank and rank interval, exactly as the server computes them.
export type { IndexedRegion };
export interface PetitionIndex {
  method: IndexMethod;
  indicators: IndexIndicator[];
  year: number;
  region: string;
  asOf: string;
  units: IndexedRegion[];
}

export type AlertStatus = 'open' | 'acknowledged' | 'dismissed';
export type Severity = 'info' | 'warning' | 'serious';
/** An early-warning alert as stored (analytics/early-warning/alerts.ts). */
export interface Alert {
  alert_id: string;
  kind: string;
  method: string;
  level: 'city' | 'district' | 'street';
  region_code: string;
  field: string | null;
  channel: string | null;
  petition_class: string | null;
  subject: string | null;
  /** Monday of the episode's first and latest week. */
  first_period: string;
  period: string;
  run_length: number;
  observed: number | null;
  expected: number | null;
  upperbound: number | null;
  p_value: number | null;
  severity: Severity;
  base_severity: Severity;
  /** The sensitive period that raised the severity a step, by name and dates. */
  sensitive_period: string | null;
  status: AlertStatus;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  /** The signal's own figures: for an escalation, the levels it went from and to. */
  detail: Record<string, unknown>;
}
export interface ScanStarted {
  scanId: string;
  week: string;
  weeks: number;
}
/** A scan still under way has only its status; a finished one has its record. */
export interface ScanState {
  status: string;
  scan_id: string;
  week_from?: string;
  week_to?: string;
  series_scanned?: number;
  alerts_raised?: number;
  alerts_continued?: number;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, {
    ...init,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
  });
  const body = (await response.json()) as T & { error?: string; problems?: { at: string; problem: string }[] };
  if (!response.ok && response.status !== 503) {
    const detail = body.problems?.map((p) => `${p.at}: ${p.problem}`).join('; ');
    throw new Error(detail ? `${body.error}: ${detail}` : (body.error ?? `HTTP ${response.status}`));
  }
  return body;
}

/** A query string from the parameters that have a value. */
function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  return search.toString();
}

export interface MetricsQuery {
  measure: string[];
  year?: number;
  from?: string;
  to?: string;
  by?: string[];
  region?: string;
}

const metricsPath = (q: MetricsQuery, compare?: 'yoy' | 'pop') =>
  `/api/metrics?${query({
    measure: q.measure.join(','),
    year: q.year,
    from: q.from,
    to: q.to,
    by: q.by?.join(','),
    region: q.region,
    compare,
  })}`;

export const api = {
  health: () => request<Health>('/api/health'),
  reference: () => request<Reference>('/api/reference'),
  catalog: () => request<Catalog>('/api/metrics/catalog'),
  metrics: (q: MetricsQuery) => request<MetricsAnswer<MetricRow>>(metricsPath(q)),
  compare: (q: MetricsQuery, mode: 'yoy' | 'pop') => request<MetricsAnswer<ComparedRow>>(metricsPath(q, mode)),
  ranking: (q: { measure: string; by: 'district' | 'street' | 'organ'; year: number; region?: string; minVolume?: number }) =>
    request<Ranking>(`/api/metrics/ranking?${query(q)}`),
  threeDeclines: (q: { year: number; region?: string }) => request<ThreeDeclines>(`/api/metrics/three-declines?${query(q)}`),
  recentCases: () => request<CaseSummary[]>('/api/cases?limit=12'),
  register: (intake: Record<string, unknown>) =>
    request<{ caseId: string }>('/api/cases', { method: 'POST', body: JSON.stringify(intake) }),
  route: (caseId: string) =>
    request<unknown>(`/api/cases/${encodeURIComponent(caseId)}/route`, {
      method: 'POST',
      body: JSON.stringify({ mode: 'forward', toOrgan: '区信访办', actor: 'dashboard' }),
    }),
  petitionIndex: (q: { year: number }) => request<PetitionIndex>(`/api/petition-index?${query(q)}`),
  alerts: (q: { status?: AlertStatus; region?: string; limit: number }) => request<{ alerts: Alert[] }>(`/api/early-warning/alerts?${query(q)}`),
  decideAlert: (id: string, action: 'acknowledge' | 'dismiss', decision: { actor: string; reason?: string }) =>
    request<Alert>(`/api/early-warning/alerts/${encodeURIComponent(id)}/${action}`, { method: 'POST', body: JSON.stringify(decision) }),
  startScan: (weeks: number) => request<ScanStarted>('/api/early-warning/scans', { method: 'POST', body: JSON.stringify({ weeks }) }),
  scan: (id: string) => request<ScanState>(`/api/early-warning/scans/${encodeURIComponent(id)}`),
};
