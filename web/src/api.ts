/** Typed calls to the Xinfang Watch API (/api/v1), made with the logged-in user’s session cookie. */
import type { IndexedRegion } from '../../analytics/petition-index/petition-index.js';
import type { whoAmI } from '../../server/identity/routes.js';

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

/** The server's refusal, its message as the server worded it (server/errors.ts). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds to wait before trying again (429), from Retry-After. */
    readonly retryAfter: number | null,
  ) {
    super(message);
  }
}

/** Who is logged in, as GET and POST /api/v1/session answer. */
export type Session = Awaited<ReturnType<typeof whoAmI>>;

const API = '/api/v1';
/** The session's CSRF token: every write made with the session cookie must carry it. */
let csrfToken: string | null = null;
/**
 * Counts logins and logouts, so a 401 answering a request of an earlier session (one still
 * under way when its user logged out) does not send the next user back to the login form.
 */
let epoch = 0;
let signedOut: () => void = () => undefined;

/** What the page does when the server says it no longer knows the session (expired, logged out elsewhere). */
export function whenSignedOut(handler: () => void): void {
  signedOut = handler;
}

function send(path: string, method: 'GET' | 'POST' | 'DELETE' = 'GET', body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  return fetch(API + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

/**
 * The server's answer `{ error, code, problems? }` as one line: its message, then where each
 * problem is (a problem that only repeats the message adds nothing).
 */
async function refusal(response: Response): Promise<ApiError> {
  // A proxy or a crash can answer with something else than the API's JSON.
  const body = (await response.json().catch(() => ({}))) as { error?: string; problems?: { at: string; problem: string }[] };
  const message = body.error ?? `HTTP ${response.status} ${response.statusText}`;
  const detail = (body.problems ?? [])
    .filter((p) => p.problem !== message)
    .map((p) => `${p.at}: ${p.problem}`)
    .join('; ');
  const wait = Number(response.headers.get('retry-after'));
  return new ApiError(response.status, detail ? `${message}: ${detail}` : message, wait > 0 ? wait : null);
}

async function request<T>(path: string, method?: 'GET' | 'POST' | 'DELETE', body?: unknown): Promise<T> {
  const sentIn = epoch;
  const response = await send(path, method, body);
  if (response.ok) return (await response.json()) as T;
  const error = await refusal(response);
  if (response.status === 401 && sentIn === epoch) {
    forget();
    signedOut();
  }
  throw error;
}

function remember(session: Session): Session {
  csrfToken = session.csrfToken ?? null;
  epoch++;
  return session;
}

function forget(): void {
  csrfToken = null;
  epoch++;
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
  `/metrics?${query({
    measure: q.measure.join(','),
    year: q.year,
    from: q.from,
    to: q.to,
    by: q.by?.join(','),
    region: q.region,
    compare,
  })}`;

export const api = {
  /** Who is logged in, or null when nobody is (a 401 here is the normal answer before login). */
  session: async (): Promise<Session | null> => {
    const response = await send('/session');
    if (response.status === 401) return null;
    if (!response.ok) throw await refusal(response);
    return remember((await response.json()) as Session);
  },
  /** Whether the identity provider's login is offered besides the password. */
  loginMethods: () => request<{ password: boolean; oidc: boolean }>('/session/methods'),
  login: async (username: string, password: string): Promise<Session> => {
    // Not through request(): a 401 here is a wrong password for the form to show, not a lost session.
    const response = await send('/session', 'POST', { username, password });
    if (!response.ok) throw await refusal(response);
    return remember((await response.json()) as Session);
  },
  logout: async (): Promise<void> => {
    const response = await send('/session', 'DELETE');
    // 401: the session had already ended, which is what logging out wants.
    if (!response.ok && response.status !== 401) throw await refusal(response);
    forget();
  },
  health: async (): Promise<Health> => {
    const response = await send('/health');
    // 503 carries the health report too: what is down.
    if (!response.ok && response.status !== 503) throw await refusal(response);
    return (await response.json()) as Health;
  },
  reference: () => request<Reference>('/reference'),
  catalog: () => request<Catalog>('/metrics/catalog'),
  metrics: (q: MetricsQuery) => request<MetricsAnswer<MetricRow>>(metricsPath(q)),
  compare: (q: MetricsQuery, mode: 'yoy' | 'pop') => request<MetricsAnswer<ComparedRow>>(metricsPath(q, mode)),
  ranking: (q: { measure: string; by: 'district' | 'street' | 'organ'; year: number; region?: string; minVolume?: number }) =>
    request<Ranking>(`/metrics/ranking?${query(q)}`),
  threeDeclines: (q: { year: number; region?: string }) => request<ThreeDeclines>(`/metrics/three-declines?${query(q)}`),
  recentCases: () => request<CaseSummary[]>('/cases?limit=12'),
  register: (intake: Record<string, unknown>) => request<{ caseId: string }>('/cases', 'POST', intake),
  route: (caseId: string) => request<unknown>(`/cases/${encodeURIComponent(caseId)}/route`, 'POST', { mode: 'forward', toOrgan: '区信访办' }),
  petitionIndex: (q: { year: number }) => request<PetitionIndex>(`/petition-index?${query(q)}`),
  alerts: (q: { status?: AlertStatus; region?: string; limit: number }) => request<{ alerts: Alert[] }>(`/early-warning/alerts?${query(q)}`),
  decideAlert: (id: string, action: 'acknowledge' | 'dismiss', decision: { reason?: string }) =>
    request<Alert>(`/early-warning/alerts/${encodeURIComponent(id)}/${action}`, 'POST', decision),
  startScan: (weeks: number) => request<ScanStarted>('/early-warning/scans', 'POST', { weeks }),
  scan: (id: string) => request<ScanState>(`/early-warning/scans/${encodeURIComponent(id)}`),
};
