/** Typed calls to the Xinfang Watch API. */
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
export interface Measure {
  id: string;
  labelZh: string;
  labelEn: string;
  description: string;
  dateBasis: string;
}
export interface CasesByMonth {
  measure: Measure;
  from: string;
  to: string;
  rows: { month: string; cases: number }[];
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

export const api = {
  health: () => request<Health>('/api/health'),
  reference: () => request<Reference>('/api/reference'),
  casesByMonth: (region: string) =>
    request<CasesByMonth>(`/api/metrics/cases-by-month${region ? `?region=${encodeURIComponent(region)}` : ''}`),
  recentCases: () => request<CaseSummary[]>('/api/cases?limit=12'),
  register: (intake: Record<string, unknown>) =>
    request<{ caseId: string }>('/api/cases', { method: 'POST', body: JSON.stringify(intake) }),
  route: (caseId: string) =>
    request<unknown>(`/api/cases/${encodeURIComponent(caseId)}/route`, {
      method: 'POST',
      body: JSON.stringify({ mode: 'forward', toOrgan: '区信访办', actor: 'dashboard' }),
    }),
};
