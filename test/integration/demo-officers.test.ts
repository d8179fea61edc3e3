/**
 * The demo officers on the demo data, as `npm start` sets them up (the jurisdiction's regions and
 * organs, the generated 36 months, the users derived from the jurisdiction's data): each
 * officer's case list holds what a SQL count over the cases table gives its organ (code, name or
 * alias), and the district department's officer, whom the demo data gives cases, finds them there.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadDemoData } from '../../analytics/demo-data.js';
import { recordBuiltInJurisdiction } from '../../analytics/region-log.js';
import { jurisdictionData } from '../../domain/jurisdiction-data.js';
import { chinaDateOf } from '../../rules/plain-date.js';
import { demoUsersOf, ensureDemoUsers, type DemoUser } from '../../server/identity/demo-users.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { loginAs, TEST_PASSWORD } from '../support/login.js';
import { timeSkippingSuite } from '../support/time-skipping.js';

const beijing = jurisdictionData('beijing');
const officers = demoUsersOf(beijing).filter((u): u is DemoUser & { organCode: string } => u.role === 'officer' && u.organCode !== undefined);
// A case page asks Temporal for the case's workflow (a demo case has none): a test server answers.
const t = timeSkippingSuite();
const store = () => t.store;
let app: RunningApp;

beforeAll(async () => {
  await recordBuiltInJurisdiction(store(), 'beijing');
  await loadDemoData(store(), { anchorMonth: chinaDateOf(new Date()).slice(0, 7), jurisdiction: 'beijing' });
  await ensureDemoUsers(store(), 'beijing', TEST_PASSWORD, demoUsersOf(beijing));
}, 180_000);
beforeEach(async () => {
  app = await startApiApp({ store: store(), temporal: t.env.client });
});
afterEach(async () => {
  await app?.close();
});

const held = z.object({ n: z.number() });
/** The cases whose organ is recorded by the organ's code, name or one of its aliases. */
async function casesHeldBy(organCode: string): Promise<number> {
  const [row] = await store().all(
    held,
    `SELECT count(*)::INTEGER AS n FROM cases c JOIN organs o ON o.code = $code
      WHERE c.organ_code = o.code OR c.organ_code = o.name_zh OR list_contains(o.aliases, c.organ_code)`,
    { code: organCode },
  );
  return row!.n;
}

const listed = z.object({ total: z.number(), cases: z.array(z.object({ case_id: z.string(), region_code: z.string(), field: z.string().nullable(), origin: z.string() })) });
async function casesOf(username: string) {
  const { headers } = await loginAs(app.base, username);
  const res = await fetch(`${app.base}/api/v1/cases?limit=500`, { headers });
  expect(res.status).toBe(200);
  return { headers, list: listed.parse(await res.json()) };
}

describe("the demo officers' cases on the demo data", () => {
  it.each(officers.map((o) => [o.username, o.organCode] as const))('%s (%s) lists as many cases as the cases table gives its organ', async (username, organCode) => {
    const { list } = await casesOf(username);
    expect(list.total).toBe(await casesHeldBy(organCode));
  });

  it("gives Chaoyang's housing commission officer a queue of Chaoyang's urban-construction cases, each of which it may open", async () => {
    const officer = officers.find((o) => o.organCode === 'D110105-ZJW')!;
    const expected = await casesHeldBy(officer.organCode);
    // The demo's 20,000 cases give the heaviest field's department of the most populous district hundreds.
    expect(expected).toBeGreaterThan(100);
    const { headers, list } = await casesOf(officer.username);
    expect(list.total).toBe(expected);
    expect(list.cases).toHaveLength(Math.min(500, expected));
    expect(new Set(list.cases.map((c) => `${c.region_code} ${c.field} ${c.origin}`))).toEqual(new Set(['110105 城乡建设 demo']));
    const first = list.cases[0]!.case_id;
    expect((await fetch(`${app.base}/api/v1/cases/${first}`, { headers })).status).toBe(200);
    // Another district's urban-construction case is not its organ's.
    const [other] = await store().all(z.object({ case_id: z.string() }), "SELECT case_id FROM cases WHERE region_code = '110108' AND field = '城乡建设' LIMIT 1");
    expect((await fetch(`${app.base}/api/v1/cases/${other!.case_id}`, { headers })).status).toBe(404);
  });
});
