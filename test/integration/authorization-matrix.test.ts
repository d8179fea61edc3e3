/**
 * The authorisation matrix (DOMAIN §10), generated from the route table: every route of
 * buildApi(...).routes, called by every demo user and by a caller without credentials, on a
 * target inside the caller's jurisdiction and on one outside it, against the real time-skipping
 * Temporal server. What each cell must answer is computed from the route's access and scope and
 * the caller's role (domain/roles.ts), never written per cell; the cells a business rule answers
 * otherwise are listed with their reason. A route added without a sample here fails the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { periodWorkflowId } from '../../analytics/duty-log.js';
import { MEASURES } from '../../analytics/metrics/catalog.js';
import { saveReport } from '../../analytics/reports/report-store.js';
import { roleAllows, ROLES, type Role } from '../../domain/roles.js';
import { API_PREFIX, type RouteSpec } from '../../server/api.js';
import { buildApi, createApp, type AppDependencies } from '../../server/app.js';
import { BEIJING_DEMO_USERS, type DemoUser } from '../../server/identity/demo-users.js';
import { periodContaining } from '../../rules/periods.js';
import { addDays, chinaDateOf, type PlainDate } from '../../rules/plain-date.js';
import { DUTY_WORKFLOW_ID_PREFIX, dutyPeriodWorkflow } from '../../workflows/duty-period.js';
import { testIdentityKeys } from '../support/api-app.js';
import { loginAs, seedUsers, tokenHeaders, TEST_PASSWORD } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const t = timeSkippingSuite();
const headers = new Map<string, Record<string, string>>();

beforeAll(async () => {
  await seedUsers(t.store);
  for (const u of BEIJING_DEMO_USERS) headers.set(u.username, await tokenHeaders(t.store, u.username));
});

type Where = 'inside' | 'outside';
const WHERE: readonly Where[] = ['inside', 'outside'];

/** Whose jurisdiction a caller holds: what the fixtures place inside and outside it. */
type Profile = 'city' | 'chaoyang' | 'jianwai' | 'education' | 'chaoyang-organ' | 'chaoyang-department';

interface Caller {
  username: string;
  /** Null for a caller without credentials. */
  role: Role | null;
  profile: Profile;
}

function profileOf(u: DemoUser): Profile {
  switch (u.organCode ?? u.regionCode) {
    case '110000':
      return 'city';
    case '110105':
      return 'chaoyang';
    case '110105001':
      return 'jianwai';
    case 'BJ-JW':
      return 'education';
    case 'D110105':
      return 'chaoyang-organ';
    case 'D110105-ZJW':
      return 'chaoyang-department';
  }
  throw new Error(`demo user ${u.username}: give its jurisdiction a profile in the authorisation matrix`);
}

// Without credentials a caller has no jurisdiction: it is sent the city's samples, whose targets
// exist, and has no "outside".
const ANONYMOUS: Caller = { username: 'anonymous', role: null, profile: 'city' };
const CALLERS: readonly Caller[] = [ANONYMOUS, ...BEIJING_DEMO_USERS.map((u) => ({ username: u.username, role: u.role, profile: profileOf(u) }))];
const ORGAN_PROFILES: ReadonlySet<Profile> = new Set(['education', 'chaoyang-organ', 'chaoyang-department']);

/** One target per profile and side; a side left out is a cell that does not exist (said where). */
type Targets<T = string> = Record<Profile, Partial<Record<Where, T>>>;

// The city holds every region: nothing lies outside it, for any route.
/** The region a region-scoped read asks for. */
const REGION: Targets = {
  city: { inside: '110000' },
  chaoyang: { inside: '110105', outside: '110108' },
  jianwai: { inside: '110105001', outside: '110105002' },
  // An organ's user holds no region: its organ's own region is as much not its to read as any other.
  education: { inside: '110000', outside: '110108' },
  'chaoyang-organ': { inside: '110105', outside: '110108' },
  'chaoyang-department': { inside: '110105', outside: '110108' },
};

interface Place {
  regionCode: string;
  streetCode?: string;
}
/** Where a new case or dispute is: a district, and a street for a street's office. */
const PLACE: Targets<Place> = {
  city: { inside: { regionCode: '110108' } },
  chaoyang: { inside: { regionCode: '110105' }, outside: { regionCode: '110108' } },
  jianwai: { inside: { regionCode: '110105', streetCode: '110105001' }, outside: { regionCode: '110105', streetCode: '110105002' } },
  // Organs hold neither cases.register nor disputes.write: these cells answer 403 forbidden.
  education: { inside: { regionCode: '110105' }, outside: { regionCode: '110108' } },
  'chaoyang-organ': { inside: { regionCode: '110105' }, outside: { regionCode: '110108' } },
  'chaoyang-department': { inside: { regionCode: '110105' }, outside: { regionCode: '110108' } },
};

/** Whom a new recommendation is for: the city or a district, never a street. */
const RECOMMENDATION_REGION: Targets = {
  city: { inside: '110000' },
  chaoyang: { inside: '110105', outside: '110108' },
  // No street can be issued one, so a street has no inside; its district lies outside it.
  jianwai: { outside: '110105' },
  education: { inside: '110105', outside: '110108' },
  'chaoyang-organ': { inside: '110105', outside: '110108' },
  'chaoyang-department': { inside: '110105', outside: '110108' },
};

/**
 * The region a duty calendar is asked for: a city, district or street code; a street's office
 * reads its own node (its leadership's calendar), and another street of its district lies outside.
 */
const DUTY_REGION: Targets<{ region?: string }> = {
  city: { inside: { region: '110000' } },
  chaoyang: { inside: { region: '110105' }, outside: { region: '110108' } },
  jianwai: { inside: { region: '110105001' }, outside: { region: '110105002' } },
  // Organs do not hold duties.read: these cells answer 403 forbidden.
  education: { inside: {}, outside: { region: '110108' } },
  'chaoyang-organ': { inside: {}, outside: { region: '110108' } },
  'chaoyang-department': { inside: {}, outside: { region: '110108' } },
};

/** An organ of the registry, for duty evidence and for opening an accountability case. */
const ORGAN: Targets = {
  city: { inside: 'D110108' },
  chaoyang: { inside: 'D110105', outside: 'D110108' },
  // A street's leadership owes no periodic duty (its hearings are as needed): a street has no inside here.
  jianwai: { outside: 'D110105' },
  education: { inside: 'BJ-JW', outside: 'D110105' },
  'chaoyang-organ': { inside: 'D110105', outside: 'BJ-JW' },
  'chaoyang-department': { inside: 'D110105-ZJW', outside: 'BJ-JW' },
};

const ORGAN_NAMES = { education: '北京市教育委员会', chaoyang: '朝阳区委、区政府', chaoyangHousing: '朝阳区住房城乡建设委', haidian: '海淀区委、区政府' } as const;

// Case A: Jianwai street, with a petitioner, routed to the education commission; B: Haidian;
// C: Chaoyang's other street, routed to the district's party committee and government; D:
// Chaoyang, routed to its housing commission.
const CASE_A = 'MX-A';
const CASE_B = 'MX-B';
const CASE_C = 'MX-C';
const CASE_D = 'MX-D';
const ROUTED_TO: Record<string, string> = { [CASE_A]: ORGAN_NAMES.education, [CASE_B]: ORGAN_NAMES.haidian, [CASE_C]: ORGAN_NAMES.chaoyang, [CASE_D]: ORGAN_NAMES.chaoyangHousing };
const CASE: Targets = {
  city: { inside: CASE_A },
  chaoyang: { inside: CASE_A, outside: CASE_B },
  jianwai: { inside: CASE_A, outside: CASE_C },
  education: { inside: CASE_A, outside: CASE_B },
  'chaoyang-organ': { inside: CASE_C, outside: CASE_A },
  'chaoyang-department': { inside: CASE_D, outside: CASE_A },
};

const ACC_EDU = 'MX-ACC-EDU';
const ACC_CY = 'MX-ACC-CY';
const ACC_HD = 'MX-ACC-HD';
const ACC_ZJW = 'MX-ACC-ZJW';
const ACCOUNTABILITY: Targets = {
  city: { inside: ACC_CY },
  chaoyang: { inside: ACC_CY, outside: ACC_HD },
  // A case is of an organ, and no organ lies within a street.
  jianwai: { outside: ACC_CY },
  education: { inside: ACC_EDU, outside: ACC_CY },
  'chaoyang-organ': { inside: ACC_CY, outside: ACC_EDU },
  'chaoyang-department': { inside: ACC_ZJW, outside: ACC_CY },
};

const REC_EDU = 'MX-R-EDU';
const REC_CY = 'MX-R-CY';
const REC_ZJW = 'MX-R-ZJW';
const RECOMMENDATION: Targets = {
  city: { inside: REC_EDU },
  chaoyang: { inside: REC_CY, outside: REC_EDU },
  // Recommendations are of the city or a district: none lies within a street.
  jianwai: { outside: REC_CY },
  education: { inside: REC_EDU, outside: REC_CY },
  'chaoyang-organ': { inside: REC_CY, outside: REC_EDU },
  'chaoyang-department': { inside: REC_ZJW, outside: REC_CY },
};

const DS_JW = 'MX-DS-JW';
const DS_CY2 = 'MX-DS-CY2';
const DS_HD = 'MX-DS-HD';
const DISPUTE: Targets = {
  city: { inside: DS_HD },
  chaoyang: { inside: DS_CY2, outside: DS_HD },
  jianwai: { inside: DS_JW, outside: DS_CY2 },
  // Disputes are of regions, never assigned to an organ: an organ has none of its own.
  education: { outside: DS_JW },
  'chaoyang-organ': { outside: DS_JW },
  'chaoyang-department': { outside: DS_JW },
};
/** A dispute per caller to resolve, so each inside cell finds it unresolved. */
const disputeToResolve = (c: Caller) => `MX-DS-R-${c.username}`;

const ALERT_HD = 'AL-20251020-00000000ffff';
const ALERT_CY2 = 'AL-20251020-00000000fffe';
// Alerts are of regions: for an organ's user every alert lies outside.
const ALERT_OUTSIDE: Partial<Record<Profile, string>> = { chaoyang: ALERT_HD, jianwai: ALERT_CY2, education: ALERT_HD, 'chaoyang-organ': ALERT_HD, 'chaoyang-department': ALERT_HD };
const ALERT_VERBS = ['acknowledge', 'dismiss'] as const;
/** An alert per caller and decision, in the caller's own region, so each inside cell finds it open. */
const alertToDecide = (verb: (typeof ALERT_VERBS)[number], c: Caller) =>
  `AL-20251020-${(ALERT_VERBS.indexOf(verb) * 256 + CALLERS.indexOf(c)).toString(16).padStart(12, '0')}`;

// Quarterly for district organs, met by a meeting (beijing-2017 第四条).
const DUTY = 'hearReport.district';
const THROWAWAY = 'matrix-throwaway';
const CASES_MEASURE = MEASURES.find((m) => m.source === 'cases')!.id;
// The project's own cases schema: no mapping is needed.
const IMPORT_CSV = 'case_id,received_at,channel,region_code\nMX-IMP-1,2025-03-03T09:00:00+08:00,letter,110108\n';
/** An import batch with a quarantined row, for the routes that read imports. */
const IMPORT_BATCH = 'IMP-20250303-0000beef';
/** The region of a stored report to download: reports are of regions, as the annual dataset. */
const REPORT_REGION: Targets = {
  city: { inside: '110108' },
  chaoyang: { inside: '110105', outside: '110108' },
  jianwai: { inside: '110105001', outside: '110105002' },
  // Organs do not hold metrics.read: these cells answer 403 forbidden.
  education: { inside: '110105', outside: '110108' },
  'chaoyang-organ': { inside: '110105', outside: '110108' },
  'chaoyang-department': { inside: '110105', outside: '110108' },
};

interface Sample {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** An upload's bytes, sent as application/octet-stream. */
  raw?: string;
}
/** Null: the cell does not exist (no such target for this caller); each table says why. */
type Build = (c: Caller, where: Where) => Sample | null;

interface Expected {
  status: number;
  code?: string;
  /** A 409 passes too: the gate let the action through and the workflow or record refused it in its current state. */
  orConflict?: true;
}

interface RouteSample {
  build: Build;
  /** The action depends on the object's state, which earlier cells change. */
  stateful?: true;
  /** Why a region-scoped route serves an organ's users (their organ's records) rather than refusing them. */
  servesOrgans?: string;
  /** The cells a business rule answers otherwise than the general rule (each with its reason in a comment). */
  refusal?: (c: Caller, where: Where) => Expected | null;
}

const insideOnly =
  (sample: (c: Caller) => Sample): Build =>
  (c, where) =>
    where === 'inside' ? sample(c) : null;
const on =
  <T>(targets: Targets<T>, sample: (target: T, c: Caller) => Sample): Build =>
  (c, where) => {
    const target = targets[c.profile][where];
    return target === undefined ? null : sample(target, c);
  };
const regionQuery = (extra: Record<string, string>): Build => on(REGION, (region) => ({ query: { region, ...extra } }));

interface Fixtures {
  today: PlainDate;
  scanId: string;
  /** Each demo user's throwaway API token, for it to revoke. */
  tokens: Map<string, string>;
  /** A token of another user: not the caller's to revoke. */
  othersToken: string;
  /** A stored report per region of REPORT_REGION. */
  reports: Map<string, string>;
  /** A report batch of the city, started by its leader. */
  batchId: string;
}

function routeSamples(f: Fixtures): Record<string, RouteSample> {
  const year = f.today.slice(0, 4);
  const caseAction = (body: (caseId: string) => object): RouteSample => ({ build: on(CASE, (id) => ({ params: { id }, body: body(id) })), stateful: true });
  const accountabilityAction = (body: object): RouteSample => ({ build: on(ACCOUNTABILITY, (id) => ({ params: { id }, body })), stateful: true });
  const decision = { reason: '矩阵测试' };
  const alertDecision = (verb: (typeof ALERT_VERBS)[number]): RouteSample => ({
    build: (c, where) => {
      // Alerts are of regions: an organ's user has none inside its jurisdiction.
      const id = where === 'inside' ? (ORGAN_PROFILES.has(c.profile) ? undefined : alertToDecide(verb, c)) : ALERT_OUTSIDE[c.profile];
      return id === undefined ? null : { params: { id }, body: verb === 'dismiss' ? decision : {} };
    },
  });
  // Nothing to name of another's: the route reads the caller's own records or reference data.
  const plain = insideOnly(() => ({}));
  // This app is given no identity provider, so its OpenID Connect routes answer 404 to everyone.
  const oidcUnconfigured = () => ({ status: 404, code: 'oidc_not_configured' });
  // The only administrator is the city's, which holds every user: no user lies outside it.
  const throwaway = (body?: object) => insideOnly(() => ({ params: { username: THROWAWAY }, ...(body ? { body } : {}) }));

  return {
    'get /health': { build: plain },
    'post /session': { build: insideOnly((c) => ({ body: { username: c.role ? c.username : 'leader', password: TEST_PASSWORD } })) },
    'get /session': { build: plain },
    // With a bearer token there is no session cookie to end: harmless to the matrix's tokens.
    'delete /session': { build: plain },
    'get /roles': { build: plain },
    'get /tokens': { build: plain },
    'post /tokens': { build: insideOnly(() => ({ body: { name: 'matrix', days: 1 } })) },
    // Outside: another user's token, which answers as if it did not exist. A caller without
    // credentials has no token of its own: it is sent the other one, and has no outside.
    'delete /tokens/:tokenId': {
      build: (c, where) => (where === 'inside' ? { params: { tokenId: f.tokens.get(c.username) ?? f.othersToken } } : c.role ? { params: { tokenId: f.othersToken } } : null),
    },
    // No region parameter: the list is always of the caller's own jurisdiction.
    'get /users': { build: plain },
    'post /users': {
      build: on(REGION, (regionCode, c) => ({ body: { username: `mx-${c.username}-${regionCode}`, displayName: '矩阵测试用户', role: 'analyst', regionCode, password: TEST_PASSWORD } })),
    },
    'post /users/:username/disable': { build: throwaway() },
    'post /users/:username/enable': { build: throwaway() },
    'post /users/:username/password': { build: throwaway({ password: 'matrix-password-5678' }) },
    'get /session/methods': { build: plain },
    'get /session/oidc': { build: plain, refusal: oidcUnconfigured },
    'get /session/oidc/callback': { build: insideOnly(() => ({ query: { code: 'matrix', state: 'matrix' } })), refusal: oidcUnconfigured },
    'get /reference': { build: plain },

    'post /cases': { build: on(PLACE, (place) => ({ body: { channel: 'letter', ...place, summary: '矩阵测试' } })) },
    // No region parameter: the list is always of the caller's own jurisdiction.
    'get /cases': { build: insideOnly(() => ({ query: { limit: '5' } })), servesOrgans: "an organ's users list the cases routed or assigned to their organ" },
    'get /cases/:id': { build: on(CASE, (id) => ({ params: { id } })) },
    'post /cases/:id/petitioner/reveal': { build: on(CASE, (id) => ({ params: { id }, body: { reason: '核实信访人身份' } })) },
    // The fixtures' cases came by staff intake, with no files: past access, an inside caller meets not_found
    // (open-petitioning.test.ts downloads a real one and is refused it from another district).
    'get /cases/:id/attachments/:seq': {
      build: on(CASE, (id) => ({ params: { id, seq: '0' } })),
      refusal: (_c, where) => (where === 'inside' ? { status: 404, code: 'not_found' } : null),
    },
    // Case A and C are routed and awaiting acceptance; the table's order walks them through the
    // procedure, so most actions meet a stage that refuses them. The organs named are those the
    // cases were routed to, so what an organ's user may see never changes.
    'post /cases/:id/route': caseAction((id) => ({ mode: 'forward', toOrgan: ROUTED_TO[id] })),
    'post /cases/:id/accept': caseAction(() => ({ accepted: true })),
    'post /cases/:id/extend': caseAction(() => ({ days: 10, reason: '案情复杂', approvedBy: '局长' })),
    'post /cases/:id/reply': caseAction(() => ({ outcome: 'supported', summary: '已办理' })),
    'post /cases/:id/reportAssignedResult': caseAction(() => ({})),
    // The city's leader holds every case's region.
    'post /cases/:id/assignLeader': caseAction(() => ({ leader: 'leader' })),
    'post /cases/:id/rate': caseAction(() => ({ level: 'basically_satisfied' })),
    'post /cases/:id/requestReview': caseAction((id) => ({ toOrgan: ROUTED_TO[id] })),
    'post /cases/:id/giveReviewOpinion': caseAction(() => ({ outcome: 'upheld' })),
    'post /cases/:id/requestReReview': caseAction((id) => ({ toOrgan: ROUTED_TO[id] })),
    'post /cases/:id/startHearing': caseAction(() => ({ date: f.today })),
    'post /cases/:id/endHearing': caseAction(() => ({ date: f.today })),
    'post /cases/:id/giveReReviewOpinion': caseAction(() => ({ outcome: 'upheld' })),

    'get /duties': {
      // A street's own calendar is its leadership's (the registry's street-township organ).
      build: on(DUTY_REGION, (region) => ({ query: { ...region, year } })),
    },
    'post /duties/:organ/:dutyId/evidence': {
      build: on(ORGAN, (organ) => ({ params: { organ, dutyId: DUTY }, body: { kind: 'meeting', date: f.today, reference: '矩阵测试 会议纪要' } })),
    },
    // The same record twice is one: a later cell recording it again meets "kept already" (409).
    'post /duties/:organ/:dutyId/records': {
      build: on(ORGAN, (organ) => ({ params: { organ, dutyId: 'leaderReception' }, body: { kind: 'reception', date: f.today, reference: '矩阵测试 接访登记' } })),
      stateful: true,
    },
    'post /accountability': { build: on(ORGAN, (organ) => ({ body: accountabilityOpening(organ, f.today) })) },
    // An organ's user lists its own organ's cases and names no region: it has none outside.
    'get /accountability': {
      build: (c, where) => (ORGAN_PROFILES.has(c.profile) ? (where === 'inside' ? { query: { status: 'open' } } : null) : regionQuery({ status: 'open' })(c, where)),
      servesOrgans: "an organ's users list their own organ's accountability cases",
    },
    'get /accountability/:id': { build: on(ACCOUNTABILITY, (id) => ({ params: { id } })) },
    'post /accountability/:id/setRectificationDeadline': accountabilityAction({ rectifyBy: addDays(f.today, 40) }),
    'post /accountability/:id/submitRectification': accountabilityAction({ evidence: '整改报告 矩阵测试' }),
    'post /accountability/:id/acceptRectification': accountabilityAction(decision),
    'post /accountability/:id/rejectRectification': accountabilityAction(decision),
    'post /accountability/:id/escalate': accountabilityAction(decision),
    'post /accountability/:id/closeAccountability': accountabilityAction(decision),
    // As the cases: an organ's user lists its own organ's findings and names no region.
    'get /accountability-findings': {
      build: (c, where) => (ORGAN_PROFILES.has(c.profile) ? (where === 'inside' ? { query: {} } : null) : regionQuery({})(c, where)),
      servesOrgans: "an organ's users list the findings against their own organ",
    },
    // The fixtures' duty periods are this quarter's, still open: past the gate the decline meets "not a finding" (409).
    'post /accountability-findings/decline': {
      build: on(ORGAN, (organ) => ({ body: { finding: { source: 'duty', ref: `${organ}/${DUTY}/${periodContaining(f.today, 'quarter').label}` }, reason: '矩阵测试' } })),
      stateful: true,
    },

    // An import is for the jurisdiction as a whole: nothing of it lies outside.
    'post /imports': { build: insideOnly(() => ({ query: { filename: 'matrix.csv' }, raw: IMPORT_CSV })) },
    // The only holder of imports.write is the city's administrator, which holds every region.
    'get /imports': { build: plain },
    'get /imports/:batchId/quarantine': { build: insideOnly(() => ({ params: { batchId: IMPORT_BATCH } })) },
    'get /data/coverage': { build: plain },
    'get /metrics/catalog': { build: plain },
    // A measure every level records: without one all are asked, and a street's office would be
    // refused those not recorded by street (a question for the caller to narrow, not a refusal).
    'get /metrics': { build: regionQuery({ year, measure: CASES_MEASURE }) },
    'get /metrics/export': { build: regionQuery({ year, measure: CASES_MEASURE, format: 'csv' }) },
    'get /metrics/ranking': { build: regionQuery({ year, measure: CASES_MEASURE }) },
    'get /metrics/three-declines': { build: regionQuery({ year }) },
    'get /reports/annual-data': { build: regionQuery({ year }) },
    'post /reports': { build: on(REGION, (region) => ({ body: { kind: 'annual', year: Number(year), region, format: 'html' } })) },
    'get /reports': { build: regionQuery({}) },
    'get /reports/:id/download': { build: on(REPORT_REGION, (region) => ({ params: { id: f.reports.get(region)! } })) },
    // A batch is of the city and every district, and takes no region: the caller's own node, which must be the city.
    'post /reports/batches': {
      build: insideOnly(() => ({ body: { kind: 'annual', year: Number(year), formats: ['html'] } })),
      refusal: (c, where) => (where === 'inside' && c.profile !== 'city' ? { status: 403, code: 'outside_jurisdiction' } : null),
    },
    'get /reports/batches': { build: plain },
    // Batches are of the city: the city holds each, and below it each lies outside.
    'get /reports/batches/:id': { build: (c, where) => ((c.profile === 'city') === (where === 'inside') ? { params: { id: f.batchId } } : null) },
    // The fixture's batch has no failed item (or has closed): past the gate the retry is refused (409).
    'post /reports/batches/:id/retry': { build: (c, where) => ((c.profile === 'city') === (where === 'inside') ? { params: { id: f.batchId } } : null), stateful: true },
    'get /geo/:region': {
      build: on(REGION, (region) => ({ params: { region } })),
      // A street's office asks for its own street, which has no published boundary.
      refusal: (c, where) => (where === 'inside' && c.profile === 'jianwai' ? { status: 404, code: 'no_boundaries' } : null),
    },
    'get /petition-index': {
      build: regionQuery({ year }),
      // The index ranks every district of the city against the others: below the city even the
      // caller's own node is refused, as outside the jurisdiction the index needs.
      refusal: (c, where) => (where === 'inside' && c.profile !== 'city' ? { status: 403, code: 'outside_jurisdiction' } : null),
    },
    // Scans are of the whole jurisdiction, and scan records name no region.
    'post /early-warning/scans': { build: insideOnly(() => ({ body: {} })) },
    'get /early-warning/scans/:id': { build: insideOnly(() => ({ params: { id: f.scanId } })) },
    'get /early-warning/alerts': { build: regionQuery({}) },
    'get /early-warning/alerts/:id/series': {
      build: (c, where) => {
        const id = where === 'inside' ? (ORGAN_PROFILES.has(c.profile) ? undefined : alertToDecide('acknowledge', c)) : ALERT_OUTSIDE[c.profile];
        return id === undefined ? null : { params: { id } };
      },
      // The fixtures' alerts are inserted rows of method 'matrix', which no detector runs: past the
      // jurisdiction check an inside caller meets the series' own refusal, not not_found.
      refusal: (_c, where) => (where === 'inside' ? { status: 404, code: 'no_series' } : null),
    },
    'post /early-warning/alerts/:id/acknowledge': alertDecision('acknowledge'),
    'post /early-warning/alerts/:id/dismiss': alertDecision('dismiss'),

    'post /recommendations': {
      build: on(RECOMMENDATION_REGION, (regionCode) => ({ body: { regionCode, issuedBy: '信访办', toOrgan: ORGAN_NAMES.education, kind: 'improve_work' } })),
    },
    // An organ's user lists what is addressed to its organ; a region only narrows that: it has no outside.
    'get /recommendations': {
      build: (c, where) => (ORGAN_PROFILES.has(c.profile) ? (where === 'inside' ? { query: { year } } : null) : regionQuery({ year })(c, where)),
      servesOrgans: "an organ's users list the recommendations addressed to their organ",
    },
    'get /recommendations/:id': { build: on(RECOMMENDATION, (id) => ({ params: { id } })) },
    // Each organ answers its own recommendation once: the first inside cell is its feedback.
    'post /recommendations/:id/recordFeedback': { build: on(RECOMMENDATION, (id) => ({ params: { id }, body: { adopted: true, note: '已采纳' } })) },

    'post /disputes': { build: on(PLACE, (place) => ({ body: { ...place, summary: '矩阵测试' } })) },
    'get /disputes': { build: regionQuery({ year }) },
    'get /disputes/:id': { build: on(DISPUTE, (id) => ({ params: { id } })) },
    'post /disputes/:id/resolve': {
      build: (c, where) => {
        // Disputes are of regions: an organ's user has none inside its jurisdiction.
        const id = where === 'inside' ? (ORGAN_PROFILES.has(c.profile) ? undefined : disputeToResolve(c)) : DISPUTE[c.profile].outside;
        return id === undefined ? null : { params: { id }, body: { note: '已化解' } };
      },
    },

    // No region parameter: a reader below the city sees its own region's rows.
    'get /audit': { build: insideOnly(() => ({ query: { limit: '10' } })) },
    'get /audit/verify': { build: plain },
    // The console reads the caller's own node and takes no region: there is nothing outside to name.
    'get /sql/views': { build: plain },
    'post /sql': { build: insideOnly(() => ({ body: { sql: 'SELECT count(*) AS n FROM cases' } })) },
    'get /openapi.json': { build: plain },
  };
}

function accountabilityOpening(organ: string, today: PlainDate, caseId?: string) {
  return {
    ...(caseId ? { caseId } : {}),
    organ,
    ground: 'procedure',
    finding: { source: 'manual', ref: '矩阵测试' },
    failure: {
      kind: 'collective',
      participants: [
        { person: '局长', role: 'principal' },
        { person: '副局长', role: 'directlyInCharge' },
        { person: '委员甲', role: 'participatingMember', dissented: true },
      ],
    },
    rectifyBy: addDays(today, 30),
  };
}

/** The general rule, from the route's access and scope and the caller's role; then the listed refusals. */
function expectedOf(spec: RouteSpec, sample: RouteSample, c: Caller, where: Where): Expected {
  const ok: Expected = { status: spec.status ?? 200, ...(sample.stateful ? { orConflict: true as const } : {}) };
  if (spec.access === 'public') return sample.refusal?.(c, where) ?? ok;
  if (c.role === null) return { status: 401, code: 'unauthenticated' };
  if (spec.access !== 'user' && !roleAllows(c.role, spec.access)) return { status: 403, code: 'forbidden' };
  const refused = sample.refusal?.(c, where);
  if (refused) return refused;
  if (where === 'outside') return spec.scope === 'region' ? { status: 403, code: 'outside_jurisdiction' } : { status: 404, code: 'not_found' };
  if (ROLES[c.role].scope === 'organ' && spec.scope === 'region' && !sample.servesOrgans) return { status: 403, code: 'outside_jurisdiction' };
  return ok;
}

const label = (e: Expected) => (e.orConflict ? `${e.status}|409` : `${e.status}${e.code ? ` ${e.code}` : ''}`);
const passes = (e: Expected, got: Answer) => (got.status === e.status && (e.code === undefined || got.code === e.code)) || (e.orConflict === true && got.status === 409);

interface Answer {
  status: number;
  code?: string;
  error?: string;
}
const errorBody = z.looseObject({ error: z.string().optional(), code: z.string().optional() });

async function send(base: string, spec: RouteSpec, c: Caller, sample: Sample): Promise<Answer> {
  const path = spec.path.replace(/:(\w+)/g, (_, name: string) => {
    const value = sample.params?.[name];
    if (value === undefined) throw new Error(`${spec.method} ${spec.path}: the sample gives no ${name}`);
    return encodeURIComponent(value);
  });
  const url = new URL(`${API_PREFIX}${path}`, base);
  for (const [k, v] of Object.entries(sample.query ?? {})) url.searchParams.set(k, v);
  const sent: Record<string, string> = { ...(headers.get(c.username) ?? {}) };
  let body: string | undefined;
  if (sample.raw !== undefined) {
    sent['content-type'] = 'application/octet-stream';
    body = sample.raw;
  } else if (sample.body !== undefined) {
    sent['content-type'] = 'application/json';
    body = JSON.stringify(sample.body);
  }
  try {
    const res = await fetch(url, { method: spec.method.toUpperCase(), headers: sent, redirect: 'manual', signal: AbortSignal.timeout(20_000), ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: z.infer<typeof errorBody> = {};
    try {
      parsed = errorBody.safeParse(JSON.parse(text)).data ?? {};
    } catch {
      // Not JSON (an Arrow stream, a redirect): only the status is compared.
    }
    return { status: res.status, ...(parsed.code ? { code: parsed.code } : {}), ...(res.status >= 400 && parsed.error ? { error: parsed.error } : {}) };
  } catch (error) {
    return { status: 0, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Calls for the fixtures, as a demo user or with given headers: the status must be the one expected. */
function client(base: string) {
  return async <T>(as: string | Record<string, string>, method: 'GET' | 'POST', path: string, status: number, shape: z.ZodType<T>, body?: unknown): Promise<T> => {
    const sent = { ...(typeof as === 'string' ? headers.get(as) : as), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await fetch(`${base}${API_PREFIX}${path}`, { method, headers: sent, signal: AbortSignal.timeout(20_000), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (res.status !== status) throw new Error(`fixture ${method} ${path}: ${res.status}, not ${status}: ${text}`);
    return shape.parse(JSON.parse(text));
  };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  // Up to 20 s: activities record to DuckDB on a machine other suites may be loading too.
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`fixtures: ${what} did not happen within 20 s`);
}

const anything = z.unknown();
const staged = z.looseObject({ state: z.looseObject({ stage: z.string() }).nullable() });

async function fixtures(base: string, taskQueue: string): Promise<Fixtures> {
  const api = client(base);
  const today = chinaDateOf(new Date());

  const petitioner = { kind: 'person', name: '张三', idNumber: '11010519491231002X' };
  await api('clerk', 'POST', '/cases', 201, anything, { caseId: CASE_A, channel: 'letter', regionCode: '110105', streetCode: '110105001', petitioner });
  await api('clerk', 'POST', '/cases', 201, anything, { caseId: CASE_B, channel: 'visit', regionCode: '110108' });
  await api('clerk', 'POST', '/cases', 201, anything, { caseId: CASE_C, channel: 'phone', regionCode: '110105', streetCode: '110105002' });
  await api('clerk', 'POST', '/cases', 201, anything, { caseId: CASE_D, channel: 'letter', regionCode: '110105' });
  for (const caseId of [CASE_A, CASE_B, CASE_C, CASE_D]) {
    // The reveal reads the sealed identity from the case's row: wait until it is recorded.
    const shape = staged.extend({ petitioner: z.unknown() });
    await eventually(`case ${caseId} recorded`, async () => {
      const read = await api('clerk', 'GET', `/cases/${caseId}`, 200, shape);
      return read.state?.stage === 'awaiting_route' && (caseId !== CASE_A || read.petitioner) ? read : undefined;
    });
  }
  for (const caseId of [CASE_A, CASE_C, CASE_D]) await api('clerk', 'POST', `/cases/${caseId}/route`, 200, anything, { mode: 'forward', toOrgan: ROUTED_TO[caseId] });

  for (const [recommendationId, regionCode, toOrgan] of [
    [REC_EDU, '110108', ORGAN_NAMES.education],
    [REC_CY, '110105', ORGAN_NAMES.chaoyang],
    [REC_ZJW, '110105', ORGAN_NAMES.chaoyangHousing],
  ] as const) {
    await api('clerk', 'POST', '/recommendations', 201, anything, { recommendationId, regionCode, issuedBy: '信访办', toOrgan, kind: 'improve_work' });
    await eventually(`recommendation ${recommendationId} awaiting feedback`, async () => {
      const read = await api('clerk', 'GET', `/recommendations/${recommendationId}`, 200, staged);
      return read.state?.stage === 'awaiting_feedback' ? read : undefined;
    });
  }

  const disputes: [string, Place][] = [
    [DS_JW, { regionCode: '110105', streetCode: '110105001' }],
    [DS_CY2, { regionCode: '110105', streetCode: '110105002' }],
    [DS_HD, { regionCode: '110108' }],
    ...CALLERS.filter((c) => !ORGAN_PROFILES.has(c.profile)).map((c): [string, Place] => [disputeToResolve(c), PLACE[c.profile].inside!]),
  ];
  for (const [disputeId, place] of disputes) await api('clerk', 'POST', '/disputes', 201, anything, { disputeId, ...place });

  for (const [caseId, organ] of [
    [ACC_EDU, 'BJ-JW'],
    [ACC_CY, 'D110105'],
    [ACC_HD, 'D110108'],
    [ACC_ZJW, 'D110105-ZJW'],
  ] as const) {
    await api('leader', 'POST', '/accountability', 201, anything, accountabilityOpening(organ, today, caseId));
    await eventually(`accountability case ${caseId} opened`, async () => {
      const read = await api('leader', 'GET', `/accountability/${caseId}`, 200, z.looseObject({ stage: z.string() }));
      return read.stage !== 'opening' ? read : undefined;
    });
  }

  // No API raises an alert but a scan over enough history; the rows a scan would write are inserted.
  const alerts: [string, string][] = [
    [ALERT_HD, '110108'],
    [ALERT_CY2, '110105002'],
    ...ALERT_VERBS.flatMap((verb) => CALLERS.filter((c) => !ORGAN_PROFILES.has(c.profile)).map((c): [string, string] => [alertToDecide(verb, c), REGION[c.profile].inside!])),
  ];
  for (const [id, region] of alerts) {
    const level = region === '110000' ? 'city' : region.length === 6 ? 'district' : 'street';
    await t.store.run(
      `INSERT INTO alerts (alert_id, dedup_key, kind, method, level, region_code, first_period, period, run_length, severity, base_severity, scan_id, last_scan_id, first_seen, last_seen)
       VALUES ($id, $key, 'count-aberration', 'matrix', $level, $region, DATE '2025-10-20', DATE '2025-10-20', 1, 'warning', 'warning', 'matrix', 'matrix', now(), now())`,
      { id, key: `matrix|${id}`, level, region },
    );
  }

  await t.store.run(`INSERT INTO import_batches VALUES ($id, now(), now(), '[]'::JSON, NULL, 1, 0, 1, 0, 0, 0, 0, 0, 'matrix')`, { id: IMPORT_BATCH });
  await t.store.run(`INSERT INTO import_quarantine VALUES ($id, 'matrix.csv', 2, 'case', 'channel: not a channel', '{"region_code":"110108"}'::JSON)`, { id: IMPORT_BATCH });

  const { scanId } = await api('leader', 'POST', '/early-warning/scans', 202, z.looseObject({ scanId: z.string() }), {});

  // Duty periods are opened by Schedules at a period's start; here the current one directly.
  const period = periodContaining(today, 'quarter');
  for (const [organ, level] of [
    ['D110105', 'district'],
    ['D110108', 'district'],
  ] as const) {
    await t.env.client.workflow.start(dutyPeriodWorkflow, {
      workflowId: `${DUTY_WORKFLOW_ID_PREFIX}${organ}/${DUTY}/${period.label}`,
      taskQueue,
      args: [{ jurisdiction: 'beijing', organ, level, dutyId: DUTY, period }],
    });
    // The evidence route finds the period's workflow through DuckDB.
    await eventually(`the ${period.label} period of ${organ} recorded`, async () => (await periodWorkflowId(t.store, organ, DUTY, period.label)) ?? undefined);
  }

  const tokenId = z.looseObject({ tokenId: z.string() });
  await api('admin', 'POST', '/users', 201, anything, { username: THROWAWAY, displayName: '矩阵测试', role: 'analyst', regionCode: '110105', password: TEST_PASSWORD });
  const { headers: throwawaySession } = await loginAs(base, THROWAWAY);
  const { tokenId: othersToken } = await api(throwawaySession, 'POST', '/tokens', 201, tokenId, { name: 'not yours' });
  const tokens = new Map<string, string>();
  for (const u of BEIJING_DEMO_USERS) tokens.set(u.username, (await api(u.username, 'POST', '/tokens', 201, tokenId, { name: 'matrix-throwaway' })).tokenId);

  const reports = new Map<string, string>();
  for (const region of ['110105', '110108', '110105001', '110105002']) {
    const params = { year: 2025, region };
    const report = { kind: 'annual', regionCode: region, parameters: params, asOf: today, format: 'html' as const, template: 'matrix', requestedBy: 'leader', requestedRole: 'leader', filename: 'matrix.html', bytes: Buffer.from('<p>矩阵</p>') };
    reports.set(region, (await saveReport(t.store, report, new Date())).id);
  }

  const { batchId } = await api('leader', 'POST', '/reports/batches', 202, z.looseObject({ batchId: z.string() }), { kind: 'annual', year: 2025, formats: ['html'] });

  return { today, scanId, tokens, othersToken, reports, batchId };
}

interface Cell {
  route: string;
  user: string;
  where: Where;
  expected: Expected;
  got: Answer;
}

function table(cells: Cell[]): string {
  const rows = [['route', 'user', 'where', 'expected', 'got', 'error'], ...cells.map((c) => [c.route, c.user, c.where, label(c.expected), `${c.got.status}${c.got.code ? ` ${c.got.code}` : ''}`, c.got.error ?? ''])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

async function listen(deps: AppDependencies): Promise<{ base: string; server: Server }> {
  const app = createApp(deps);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('the authorisation matrix', () => {
  it('answers every route × caller × inside/outside cell as the route table and the roles say', async () => {
    await t.withWorker(async (taskQueue) => {
      // The import route keeps its pseudonym key in the data directory: a throwaway one.
      const dataDir = mkdtempSync(join(tmpdir(), 'xinfang-matrix-'));
      const deps: AppDependencies = { store: t.store, temporal: t.env.client, taskQueue, jurisdiction: 'beijing', identityKeys: testIdentityKeys(), env: { XINFANG_DATA_DIR: dataDir } };
      const { base, server } = await listen(deps);
      try {
        const samples = routeSamples(await fixtures(base, taskQueue));
        const routes = buildApi(deps).routes;
        const keyOf = (spec: RouteSpec) => `${spec.method} ${spec.path}`;

        const cells: Cell[] = [];
        const unsampled: string[] = [];
        for (const spec of routes) {
          const sample = samples[keyOf(spec)];
          if (!sample) {
            unsampled.push(keyOf(spec));
            continue;
          }
          for (const c of CALLERS) {
            for (const where of WHERE) {
              const request = sample.build(c, where);
              if (!request) continue;
              cells.push({ route: `${spec.method.toUpperCase()} ${spec.path}`, user: c.username, where, expected: expectedOf(spec, sample, c, where), got: await send(base, spec, c, request) });
            }
          }
        }

        const byExpected = new Map<string, number>();
        for (const c of cells) byExpected.set(label(c.expected), (byExpected.get(label(c.expected)) ?? 0) + 1);
        const possible = routes.length * CALLERS.length * WHERE.length;
        console.log(
          `authorisation matrix: ${routes.length} routes × ${CALLERS.length} callers (${BEIJING_DEMO_USERS.length} demo users and one without credentials) × ${WHERE.length} (inside, outside) = ${possible} cells, ` +
            `${cells.length} run (${possible - cells.length} have no target); expected: ${[...byExpected].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ×${n}`).join(', ')}`,
        );

        // One failure naming every problem, so a single run shows them all.
        const exercised = new Set(cells.map((c) => c.route));
        const problems = [
          ...unsampled.map((k) => `route ${k} has no sample: add one to routeSamples`),
          ...routes.filter((r) => samples[keyOf(r)] && !exercised.has(`${r.method.toUpperCase()} ${r.path}`)).map((r) => `the sample of ${keyOf(r)} builds no cell`),
          ...Object.keys(samples).filter((k) => !routes.some((r) => keyOf(r) === k)).map((k) => `sample ${k} matches no route of the table`),
        ];
        const wrong = cells.filter((c) => !passes(c.expected, c.got));
        if (wrong.length) problems.push(`${wrong.length} of ${cells.length} cells answered otherwise than expected:\n${table(wrong)}`);
        if (problems.length) expect.fail(problems.join('\n'));
      } finally {
        server.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }, 300_000);
});
