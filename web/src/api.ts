/** Typed calls to the Xinfang Watch API (/api/v1), made with the logged-in user’s session cookie. */
import type { whoAmI } from '../../server/identity/routes.js';

import type { Compared, ThreeDeclines } from '../../analytics/metrics/compare.js';
import type { describe, MetricRow } from '../../analytics/metrics/query.js';
import type { Ranking, RankedUnit } from '../../analytics/metrics/ranking.js';
import type { answerMetrics, catalog } from '../../analytics/metrics/request.js';
import type { AlertRow, getScan } from '../../analytics/early-warning/alerts.js';
import type { PetitionIndex } from '../../analytics/petition-index/petition-index.js';
import type { Reference, SystemHealth } from '../../server/app.js';
import type { AccountabilityListRow } from '../../analytics/accountability-log.js';
import type { CaseSummary } from '../../analytics/case-log.js';
import type { DutyStatus } from '../../analytics/duty-log.js';
import type { DutyCalendarAnswer } from '../../server/duty-routes.js';
import type { ScanStarted } from '../../server/early-warning-routes.js';
import type { DistrictBoundaries } from '../../server/geo-routes.js';
import type { annualDataset } from '../../analytics/metrics/annual.js';
import type { WireRefusal } from '../../domain/refusals.js';
import type { ApiError as WireError } from '../../server/errors.js';

// Every shape is the server's own type: the page cannot drift from what the API answers.
export type { MetricRow, Ranking, RankedUnit, ThreeDeclines, PetitionIndex, Reference };
export type Catalog = Awaited<ReturnType<typeof catalog>>;
/** A measure as every answer describes it; the catalog's entry adds its source and dimensions. */
export type Measure = ReturnType<typeof describe>;
export type CatalogMeasure = Catalog['measures'][number];
export type Dimension = Catalog['dimensions'][number];
/** A dimension an import declared (`src:NAME`), with the mapping and column it keeps. */
export type SourceDimension = Catalog['sourceDimensions'][number];
export type ComparedRow = Compared;
export type Health = SystemHealth;
export type MetricsAnswer<R> = Omit<Awaited<ReturnType<typeof answerMetrics>>, 'rows'> & { rows: R[] };
export type Alert = AlertRow;
export type AlertStatus = Alert['status'];
export type Severity = Alert['severity'];
export type IndexIndicator = PetitionIndex['indicators'][number];
export type IndexedRegion = PetitionIndex['units'][number];

export type { CaseSummary, AccountabilityListRow };
export type DutyCalendar = DutyCalendarAnswer;
export type Boundaries = DistrictBoundaries;
export type { ScanStarted };
/** A scan still under way has only its status; a finished one has its record. */
export type ScanState = { status: string; scan_id: string } & Partial<NonNullable<Awaited<ReturnType<typeof getScan>>>>;

/** The server's refusal, its message as the server worded it (server/errors.ts). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds to wait before trying again (429), from Retry-After. */
    readonly retryAfter: number | null,
    /** The server's code for the refusal (server/errors.ts), e.g. outside_jurisdiction. */
    readonly code: string | null = null,
    /** Where each problem is: the parameter or body field, as the server names it. */
    readonly problems: { at: string; problem: string }[] = [],
    /** A workflow's coded refusal: the rule's reason, which the page says in the user's language. */
    readonly refusal: WireRefusal | null = null,
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
  const body = (await response.json().catch(() => ({}))) as Partial<Omit<WireError, 'message'>> & { error?: string };
  const message = body.error ?? `HTTP ${response.status} ${response.statusText}`;
  const detail = (body.problems ?? [])
    .filter((p) => p.problem !== message)
    .map((p) => `${p.at}: ${p.problem}`)
    .join('; ');
  const wait = Number(response.headers.get('retry-after'));
  return new ApiError(response.status, detail ? `${message}: ${detail}` : message, wait > 0 ? wait : null, body.code ?? null, body.problems ?? [], body.refusal ?? null);
}

export async function request<T>(path: string, method?: 'GET' | 'POST' | 'DELETE', body?: unknown): Promise<T> {
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
export function query(params: Record<string, string | number | undefined>): string {
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
  /** Dimension values to keep, e.g. { channel: ['visit'] }. */
  filters?: Record<string, string[]>;
  compare?: 'yoy' | 'pop';
}

/** The query string of a metrics question: the same for the figures, the export and a shared link. */
export function metricsSearch(q: MetricsQuery): string {
  const filters: Record<string, string> = {};
  for (const [dimension, values] of Object.entries(q.filters ?? {})) if (values.length) filters[dimension] = values.join(',');
  return query({ measure: q.measure.join(','), year: q.year, from: q.from, to: q.to, by: q.by?.join(','), region: q.region, compare: q.compare, ...filters });
}

const metricsPath = (q: MetricsQuery, compare?: 'yoy' | 'pop') => `/metrics?${metricsSearch({ ...q, ...(compare ? { compare } : {}) })}`;

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
  cases: (q: { limit: number; overdue?: boolean; region?: string; stage?: string }) =>
    request<{ cases: CaseSummary[]; total: number }>(`/cases?${query({ ...q, overdue: q.overdue === undefined ? undefined : String(q.overdue) })}`),
  duties: (q: { year: number; region?: string; status?: DutyStatus }) => request<DutyCalendar>(`/duties?${query(q)}`),
  accountability: (q: { status?: 'open' | 'closed'; region?: string; limit?: number }) =>
    request<{ cases: AccountabilityListRow[]; total: number }>(`/accountability?${query(q)}`),
  geo: (region: string) => request<Boundaries>(`/geo/${encodeURIComponent(region)}`),
  annualData: (q: { year: number; region?: string }) => request<Awaited<ReturnType<typeof annualDataset>>>(`/reports/annual-data?${query(q)}`),
  petitionIndex: (q: { year: number }) => request<PetitionIndex>(`/petition-index?${query(q)}`),
  alerts: (q: { status?: AlertStatus; region?: string; limit: number }) => request<{ alerts: Alert[] }>(`/early-warning/alerts?${query(q)}`),
  decideAlert: (id: string, action: 'acknowledge' | 'dismiss', decision: { reason?: string }) =>
    request<Alert>(`/early-warning/alerts/${encodeURIComponent(id)}/${action}`, 'POST', decision),
  startScan: (weeks: number) => request<ScanStarted>('/early-warning/scans', 'POST', { weeks }),
  scan: (id: string) => request<ScanState>(`/early-warning/scans/${encodeURIComponent(id)}`),
};
