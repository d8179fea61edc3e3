/**
 * Beijing's district boundaries as the map gets them (domain/geo/boundaries.ts): the 16 districts
 * of domain/regions.ts, decoded from ECharts' compressed form into plain RFC 7946 polygons.
 * The decoding is checked against what the file keeps uncompressed: each district's label
 * point (`cp`) must fall inside its decoded outline, which a wrong scale, offset or zig-zag
 * step would miss.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BoundaryDataError, cityBoundaries, decodeRing, districtFeatures, parseBoundaryFile, type Position } from '../../domain/geo/boundaries.js';
import { BEIJING_DISTRICTS } from '../../domain/regions.js';

// Beijing lies within 115.42–117.51 E, 39.44–41.06 N.
const BOX = { west: 115.4, east: 117.6, south: 39.4, north: 41.1 };

const rawFile = () => JSON.parse(readFileSync(createRequire(import.meta.url).resolve('echarts4-maps/map/json/province/beijing.json'), 'utf8')) as unknown;
const labelPoints = z.object({ features: z.array(z.object({ id: z.string(), properties: z.object({ cp: z.tuple([z.number(), z.number()]) }) })) });

const polygonsOf = (g: { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] }) =>
  g.type === 'Polygon' ? [g.coordinates] : g.coordinates;

/** Even-odd rule: inside the exterior and in no hole. */
function inside(point: Position, polygon: Position[][]): boolean {
  const inRing = (ring: Position[]) => {
    let odd = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i]!;
      const [xj, yj] = ring[j]!;
      if (yi > point[1] !== yj > point[1] && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) odd = !odd;
    }
    return odd;
  };
  return inRing(polygon[0]!) && !polygon.slice(1).some(inRing);
}

const area2 = (ring: Position[]) => ring.reduce((s, [x, y], i) => { const [nx, ny] = ring[(i + 1) % ring.length]!; return s + x * ny - nx * y; }, 0);

describe('district boundaries', () => {
  const beijing = cityBoundaries('110000')!;

  it('has a feature for each of the 16 districts, under its code and name', () => {
    expect(beijing.districts.size).toBe(16);
    expect([...beijing.districts.keys()].sort()).toEqual(BEIJING_DISTRICTS.map((d) => d.code).sort());
    for (const d of BEIJING_DISTRICTS) expect(beijing.districts.get(d.code)).toMatchObject({ type: 'Feature', id: d.code, properties: { code: d.code, nameZh: d.nameZh } });
    expect(beijing.source).toEqual({ packageAlias: 'echarts4-maps', packageName: 'echarts', version: '4.9.0', license: 'Apache-2.0', file: 'map/json/province/beijing.json', datum: 'GCJ-02' });
  });

  it('decodes every polygon into closed, non-empty rings inside Beijing, exteriors counter-clockwise', () => {
    for (const f of beijing.districts.values()) {
      const polygons = polygonsOf(f.geometry);
      expect(polygons.length, f.id).toBeGreaterThan(0);
      for (const polygon of polygons) {
        expect(polygon.length, f.id).toBeGreaterThan(0);
        polygon.forEach((ring, i) => {
          expect(ring.length, f.id).toBeGreaterThanOrEqual(4);
          expect(ring[0], f.id).toEqual(ring.at(-1));
          for (const [lon, lat] of ring) {
            expect(lon, f.id).toBeGreaterThanOrEqual(BOX.west);
            expect(lon, f.id).toBeLessThanOrEqual(BOX.east);
            expect(lat, f.id).toBeGreaterThanOrEqual(BOX.south);
            expect(lat, f.id).toBeLessThanOrEqual(BOX.north);
          }
          // RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise.
          expect(area2(ring) > 0, `${f.id} ring ${i}`).toBe(i === 0);
        });
      }
    }
  });

  it('puts each district label point (kept uncompressed in the file) inside its decoded outline', () => {
    const points = labelPoints.parse(rawFile());
    for (const { id, properties } of points.features) {
      const f = beijing.districts.get(id)!;
      expect(polygonsOf(f.geometry).some((p) => inside(properties.cp, p)), `${id} ${f.properties.nameZh}`).toBe(true);
    }
  });

  it('decodes zig-zag deltas from the offset, in 1/1024 degrees', () => {
    // (0,0) → "@@"; +1 → zig-zag 2 → "B"; −1 → zig-zag 1 → "A".
    expect(decodeRing('@@BA', [1024 * 116, 1024 * 40])).toEqual([
      [116, 40],
      [116 + 1 / 1024, 40 - 1 / 1024],
    ]);
    expect(() => decodeRing('@@B', [0, 0])).toThrow(BoundaryDataError);
  });

  it('refuses a file missing a district, or naming a code otherwise, saying which', () => {
    const file = parseBoundaryFile(rawFile(), 'test');
    const without = { ...file, features: file.features.filter((f) => f.id !== '110118') } as typeof file;
    expect(() => districtFeatures(without, BEIJING_DISTRICTS, 'test')).toThrow(/no boundary for 110118 密云区/);
    const renamed = { ...file, features: file.features.map((f) => (f.id === '110101' ? { ...f, properties: { ...f.properties, name: '崇文区' } } : f)) } as typeof file;
    expect(() => districtFeatures(renamed, BEIJING_DISTRICTS, 'test')).toThrow(/named 崇文区, but 110101 is 东城区/);
    // Not a ZodError: the API would answer that as the client's bad request.
    expect(() => parseBoundaryFile({ type: 'FeatureCollection', features: [{}] }, 'test')).toThrow(BoundaryDataError);
  });

  it('has nothing for a city no package covers', () => {
    expect(cityBoundaries('310000')).toBeUndefined();
  });
});
