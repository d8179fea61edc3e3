/**
 * District boundaries for the dashboard's map, keyed by region code (GB/T 2260 / adcode).
 *
 * Source: the npm package echarts 4.9.0 (Apache-2.0), installed under the alias
 * `echarts4-maps` so that it cannot be mistaken for the ECharts 6 the web app draws with; its
 * file map/json/province/beijing.json holds Beijing's 16 districts with their 6-digit codes as
 * feature ids. ECharts dropped its bundled maps from version 5 on, so this data is frozen: it
 * already has the 2015 boundaries (密云区, 延庆区 as districts; 崇文, 宣武 merged in 2010), which
 * are those of domain/regions.ts. The file is in ECharts' compressed form (`UTF8Encoding`):
 * each ring a string of zig-zag, delta-encoded coordinates quantised by `UTF8Scale` (default
 * 1024); decodeRing below follows echarts 4's src/coord/geo/parseGeoJson.js.
 *
 * Datum: boundaries published in China are in GCJ-02 (the state's obfuscated datum, offset by
 * up to a few hundred metres from WGS-84), as are these. That is harmless for a choropleth of
 * districts, but anything drawn on top of them in WGS-84 (GPS points, OpenStreetMap tiles)
 * must be converted first or it lands beside its district.
 *
 * Streets and townships have no published boundaries in any package found, so none are
 * offered: the dashboard ranks streets in a list instead.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { BEIJING_DISTRICTS, type Region } from '../regions.js';

export type Position = [longitude: number, latitude: number];
export type DistrictGeometry = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] };

export interface DistrictFeature {
  type: 'Feature';
  id: string;
  properties: { code: string; nameZh: string };
  geometry: DistrictGeometry;
}

export interface BoundarySource {
  /** The npm package (as this project installs it) and the file in it. */
  packageAlias: string;
  packageName: string;
  version: string;
  license: string;
  file: string;
  datum: 'GCJ-02';
}

export interface CityBoundaries {
  cityCode: string;
  source: BoundarySource;
  /** Every district of the city, by code. */
  districts: ReadonlyMap<string, DistrictFeature>;
}

interface SourceSpec {
  packageAlias: string;
  file: string;
  /** The districts the file must cover, and the names it must give them. */
  districts: readonly Region[];
}

// Another jurisdiction's city gets an entry here once a package with its districts is found.
const SOURCES: Readonly<Record<string, SourceSpec>> = {
  '110000': { packageAlias: 'echarts4-maps', file: 'map/json/province/beijing.json', districts: BEIJING_DISTRICTS },
};

/** A boundaries file that does not hold what the region hierarchy needs: the deployment is broken, not the request. */
export class BoundaryDataError extends Error {
  override name = 'BoundaryDataError';
}

// ---------------------------------------------------------------------------------------------
// The file as ECharts ships it (compressed) or as any GeoJSON of districts would be (plain).

const position = z.tuple([z.number().finite(), z.number().finite()]);
const encodedGeometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(z.string()), encodeOffsets: z.array(position) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.string())), encodeOffsets: z.array(z.array(position)) }),
]);
const plainGeometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(position)) }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(z.array(z.array(position))) }),
]);
// ECharts keys a feature by `id`; DataV-style files by `properties.adcode` (a number).
const properties = z.looseObject({ name: z.string().min(1), adcode: z.union([z.number().int(), z.string()]).optional() });
const feature = <G extends z.ZodType>(geometry: G) => z.object({ type: z.literal('Feature'), id: z.union([z.string(), z.number().int()]).optional(), properties, geometry });
const boundaryFile = z.union([
  z.object({
    type: z.literal('FeatureCollection'),
    UTF8Encoding: z.literal(true),
    UTF8Scale: z.number().positive().optional(),
    features: z.array(feature(encodedGeometry)),
  }),
  z.object({ type: z.literal('FeatureCollection'), UTF8Encoding: z.literal(false).optional(), features: z.array(feature(plainGeometry)) }),
]);
export type BoundaryFile = z.infer<typeof boundaryFile>;

const ECHARTS_DEFAULT_SCALE = 1024;

/**
 * One ring of ECharts' compressed form: each coordinate two UTF-16 code units, each minus 64 a
 * zig-zag-encoded difference from the previous point (the first from `offset`), in 1/scale degrees.
 */
export function decodeRing(encoded: string, offset: readonly [number, number], scale = ECHARTS_DEFAULT_SCALE): Position[] {
  if (encoded.length % 2 !== 0) throw new BoundaryDataError(`an encoded ring has an odd number of characters (${encoded.length})`);
  const ring: Position[] = [];
  let x = offset[0];
  let y = offset[1];
  for (let i = 0; i < encoded.length; i += 2) {
    const dx = encoded.charCodeAt(i) - 64;
    const dy = encoded.charCodeAt(i + 1) - 64;
    x += (dx >> 1) ^ -(dx & 1);
    y += (dy >> 1) ^ -(dy & 1);
    ring.push([x / scale, y / scale]);
  }
  return ring;
}

/** Twice the signed area in the lon/lat plane: positive for a counter-clockwise ring. */
function signedArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j]![0] - ring[i]![0]) * (ring[j]![1] + ring[i]![1]);
  return sum;
}

/**
 * A ring as RFC 7946 wants it: closed (first position repeated), at least four positions, the
 * exterior counter-clockwise and holes clockwise. ECharts fills either way; d3 and others
 * read the winding, and an inverted exterior is the whole globe but the district.
 */
function normaliseRing(ring: Position[], exterior: boolean, where: string): Position[] {
  const first = ring[0];
  const last = ring.at(-1);
  const closed = first && last && first[0] === last[0] && first[1] === last[1] ? ring : first ? [...ring, first] : ring;
  if (closed.length < 4) throw new BoundaryDataError(`${where}: a ring of ${closed.length} positions is no polygon (GeoJSON needs at least 4)`);
  const counterClockwise = signedArea(closed) > 0;
  return counterClockwise === exterior ? closed : [...closed].reverse();
}

const normalisePolygon = (rings: Position[][], where: string): Position[][] => {
  if (!rings.length) throw new BoundaryDataError(`${where}: a polygon without rings`);
  return rings.map((ring, i) => normaliseRing(ring, i === 0, where));
};

type EncodedGeometry = z.infer<typeof encodedGeometry>;
type PlainGeometry = z.infer<typeof plainGeometry>;

function sameLength(rings: readonly unknown[], offsets: readonly unknown[], where: string): void {
  if (rings.length !== offsets.length) throw new BoundaryDataError(`${where}: ${rings.length} encoded rings but ${offsets.length} offsets`);
}

function decodeGeometry(g: EncodedGeometry, scale: number, where: string): DistrictGeometry {
  sameLength(g.coordinates, g.encodeOffsets, where);
  if (g.type === 'Polygon') {
    return { type: 'Polygon', coordinates: normalisePolygon(g.coordinates.map((ring, i) => decodeRing(ring, g.encodeOffsets[i]!, scale)), where) };
  }
  return {
    type: 'MultiPolygon',
    coordinates: g.coordinates.map((polygon, p) => {
      const offsets = g.encodeOffsets[p]!;
      sameLength(polygon, offsets, where);
      return normalisePolygon(polygon.map((ring, i) => decodeRing(ring, offsets[i]!, scale)), where);
    }),
  };
}

function plainGeometryOf(g: PlainGeometry, where: string): DistrictGeometry {
  if (g.type === 'Polygon') return { type: 'Polygon', coordinates: normalisePolygon(g.coordinates, where) };
  return { type: 'MultiPolygon', coordinates: g.coordinates.map((polygon) => normalisePolygon(polygon, where)) };
}

interface RawFeature {
  id?: string | number | undefined;
  properties: z.infer<typeof properties>;
  geometry(where: string): DistrictGeometry;
}

function rawFeatures(file: BoundaryFile): RawFeature[] {
  if (file.UTF8Encoding === true) {
    const scale = file.UTF8Scale ?? ECHARTS_DEFAULT_SCALE;
    return file.features.map((f) => ({ id: f.id, properties: f.properties, geometry: (where) => decodeGeometry(f.geometry, scale, where) }));
  }
  return file.features.map((f) => ({ id: f.id, properties: f.properties, geometry: (where) => plainGeometryOf(f.geometry, where) }));
}

/**
 * The districts of a parsed boundaries file, checked against the districts it must cover:
 * each present once, under the same name. A feature for a code not in the list (a district
 * since merged away) is left out.
 */
export function districtFeatures(file: BoundaryFile, districts: readonly Region[], label: string): Map<string, DistrictFeature> {
  const wanted = new Map(districts.map((d) => [d.code, d]));
  const found = new Map<string, DistrictFeature>();
  for (const [i, f] of rawFeatures(file).entries()) {
    const code = String(f.id ?? f.properties.adcode ?? '');
    const district = wanted.get(code);
    if (!district) continue;
    const where = `${label}, feature ${i} (${code} ${f.properties.name})`;
    if (found.has(code)) throw new BoundaryDataError(`${where}: district ${code} appears twice`);
    // The same code under another name would be a renumbering: the map would show the wrong district.
    if (f.properties.name !== district.nameZh) throw new BoundaryDataError(`${where}: named ${f.properties.name}, but ${code} is ${district.nameZh} in domain/regions.ts`);
    found.set(code, { type: 'Feature', id: code, properties: { code, nameZh: district.nameZh }, geometry: f.geometry(where) });
  }
  const missing = districts.filter((d) => !found.has(d.code));
  if (missing.length) {
    throw new BoundaryDataError(`${label} has no boundary for ${missing.map((d) => `${d.code} ${d.nameZh}`).join(', ')} (every district of domain/regions.ts needs one)`);
  }
  return found;
}

export function parseBoundaryFile(json: unknown, label: string): BoundaryFile {
  const parsed = boundaryFile.safeParse(json);
  // Not the ZodError itself: the API answers a ZodError as the client's bad request.
  if (!parsed.success) throw new BoundaryDataError(`${label} is not a GeoJSON of districts: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const packageJson = z.object({ name: z.string(), version: z.string(), license: z.string() });
const require = createRequire(import.meta.url);

function load(cityCode: string, spec: SourceSpec): CityBoundaries {
  const label = `${spec.packageAlias}/${spec.file}`;
  let path: string;
  let meta: z.infer<typeof packageJson>;
  try {
    path = require.resolve(`${spec.packageAlias}/${spec.file}`);
    meta = packageJson.parse(JSON.parse(readFileSync(require.resolve(`${spec.packageAlias}/package.json`), 'utf8')));
  } catch (error) {
    throw new BoundaryDataError(`district boundaries of ${cityCode}: cannot read ${label} (is the package ${spec.packageAlias} installed? npm ci): ${(error as Error).message}`);
  }
  const file = parseBoundaryFile(JSON.parse(readFileSync(path, 'utf8')), label);
  return {
    cityCode,
    source: { packageAlias: spec.packageAlias, packageName: meta.name, version: meta.version, license: meta.license, file: spec.file, datum: 'GCJ-02' },
    districts: districtFeatures(file, spec.districts, label),
  };
}

// Parsed once per process: the file is part of the installed packages and does not change under it.
const cache = new Map<string, CityBoundaries>();

/** Whether a city has district boundaries this build can offer. */
export const hasBoundaries = (cityCode: string): boolean => Object.hasOwn(SOURCES, cityCode);

/** The district boundaries of a city; undefined for a city no package covers. Throws BoundaryDataError on a broken file. */
export function cityBoundaries(cityCode: string): CityBoundaries | undefined {
  if (!hasBoundaries(cityCode)) return undefined;
  let boundaries = cache.get(cityCode);
  if (!boundaries) cache.set(cityCode, (boundaries = load(cityCode, SOURCES[cityCode]!)));
  return boundaries;
}
