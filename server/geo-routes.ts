/**
 * District boundaries for the dashboard's map (domain/geo/boundaries.ts), confined to the
 * caller's jurisdiction like every region-scoped read: the city's districts for the city, a
 * district's own outline for a district. Streets have no published boundaries: the dashboard
 * ranks them in a list, and a street asked for here answers 404 saying so.
 */
import { z } from 'zod';
import type { AnalyticsStore } from '../analytics/store.js';
import { cityBoundaries, type DistrictFeature } from '../domain/geo/boundaries.js';
import type { Api } from './api.js';
import { HttpError } from './http-error.js';
import { confineRegion, regionNode } from './scope.js';
import { regionCode } from './validation.js';

/** What GET /geo/:region answers: a GeoJSON FeatureCollection of districts, with where the boundaries come from. */
export interface DistrictBoundaries {
  type: 'FeatureCollection';
  features: DistrictFeature[];
  /** A foreign member (RFC 7946 §6.1) the dashboard credits beside the map. */
  source: { package: string; file: string; license: string; datum: string };
}

export interface GeoRouteDeps {
  store: AnalyticsStore;
}

const geoParams = z.object({ region: regionCode }).strict();
const districtRow = z.object({ code: z.string() });

// A day: boundaries change with a State Council approval, not between two page loads. Private:
// the answer depends on who asks, so no shared cache may hand it to someone else.
const CACHE_CONTROL = 'private, max-age=86400';

export function geoRoutes(api: Api, deps: GeoRouteDeps): void {
  const { store } = deps;

  api.add(
    {
      method: 'get',
      path: '/geo/:region',
      summary: "District boundaries (GeoJSON, GCJ-02) of a region of yours: the city's districts, or a district's own",
      access: 'metrics.read',
      scope: 'region',
      params: geoParams,
    },
    async ({ params, principal, res }): Promise<DistrictBoundaries> => {
      const code = await confineRegion(store, principal, params.region);
      const node = await regionNode(store, code);
      if (!node) throw new HttpError(400, `unknown region code "${code}" (not in the region hierarchy)`, undefined, 'region');
      if (node.level === 'street') {
        throw new HttpError(404, `${code} is a street or township: streets have no published boundaries, so the dashboard ranks them in a list instead of a map`, 'no_boundaries');
      }
      const cityCode = node.level === 'city' ? node.code : node.parent_code;
      const boundaries = cityCode ? cityBoundaries(cityCode) : undefined;
      if (!boundaries) throw new HttpError(404, `no published district boundaries are installed for city ${cityCode ?? '(none)'}`, 'no_boundaries');
      const codes =
        node.level === 'city'
          ? (await store.all(districtRow, `SELECT code FROM regions WHERE parent_code = $city AND level = 'district' ORDER BY code`, { city: node.code })).map((r) => r.code)
          : [node.code];
      const features = codes.map((c) => boundaries.districts.get(c)).filter((f): f is DistrictFeature => f !== undefined);
      res.set('cache-control', CACHE_CONTROL);
      const { packageName, version, license, file, datum } = boundaries.source;
      // `source` is a foreign member (RFC 7946 §6.1): GeoJSON readers ignore it; the dashboard credits it.
      return { type: 'FeatureCollection', features, source: { package: `${packageName}@${version}`, file, license, datum } };
    },
  );
}
