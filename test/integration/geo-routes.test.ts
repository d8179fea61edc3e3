/**
 * GET /geo/:region, the map's district boundaries, confined like every region-scoped read: the
 * city's 16 districts for the city, a district's own outline for its users, 404 for a street
 * (no published boundaries), 403 outside the jurisdiction and for a role without metrics.read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsStore } from '../../analytics/store.js';
import { BEIJING_DISTRICTS } from '../../domain/regions.js';
import { startApiApp, type RunningApp } from '../support/api-app.js';
import { loginAs, seedUsers } from '../support/login.js';

let store: AnalyticsStore;
let app: RunningApp;

beforeAll(async () => {
  store = await AnalyticsStore.open(':memory:');
  await seedUsers(store);
  app = await startApiApp({ store });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
});

interface Collection {
  type: string;
  features: { type: string; id: string; properties: { code: string; nameZh: string }; geometry: { type: string } }[];
  source: Record<string, string>;
}

async function get(username: string, region: string) {
  const { headers } = await loginAs(app.base, username);
  const res = await fetch(`${app.base}/api/v1/geo/${region}`, { headers });
  return { status: res.status, cacheControl: res.headers.get('cache-control'), body: (await res.json()) as Collection & { code?: string; error?: string } };
}

describe('district boundaries over the API', () => {
  it('gives the city all 16 districts, cacheable for a day by the caller only', async () => {
    const { status, cacheControl, body } = await get('leader', '110000');
    expect(status).toBe(200);
    expect(cacheControl).toBe('private, max-age=86400');
    expect(body.type).toBe('FeatureCollection');
    expect(body.features.map((f) => f.properties.code)).toEqual(BEIJING_DISTRICTS.map((d) => d.code).sort());
    expect(body.features.map((f) => Object.keys(f.properties).sort())).toEqual(body.features.map(() => ['code', 'nameZh']));
    expect(body.source).toMatchObject({ package: 'echarts@4.9.0', license: 'Apache-2.0', datum: 'GCJ-02' });
    // A district asked for by the city's user: that one.
    expect((await get('analyst', '110108')).body.features.map((f) => f.properties)).toEqual([{ code: '110108', nameZh: '海淀区' }]);
  });

  it('gives a district user its own district only, and refuses the city and other districts', async () => {
    const own = await get('analyst-chaoyang', '110105');
    expect(own.status).toBe(200);
    expect(own.body.features.map((f) => f.properties)).toEqual([{ code: '110105', nameZh: '朝阳区' }]);
    expect(own.body.features[0]!.geometry.type).toBe('MultiPolygon');
    expect(await get('analyst-chaoyang', '110000')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
    expect(await get('leader-chaoyang', '110108')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
  });

  it('answers a street with 404 saying streets are drawn as a ranked list', async () => {
    for (const username of ['leader-jianwai', 'leader-chaoyang', 'leader']) {
      expect(await get(username, '110105001')).toMatchObject({ status: 404, body: { code: 'no_boundaries', error: expect.stringMatching(/streets have no published boundaries.*ranks them in a list/) } });
    }
    // A street user's neighbour street is outside its jurisdiction before it is a street.
    expect(await get('leader-jianwai', '110105002')).toMatchObject({ status: 403, body: { code: 'outside_jurisdiction' } });
  });

  it('refuses an unknown region, an organ, and a role without metrics.read as other routes do', async () => {
    expect(await get('leader', '999999')).toMatchObject({ status: 400 });
    expect(await get('clerk', '110000')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await get('officer-education', '110000')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });
});
