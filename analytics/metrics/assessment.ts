import { z } from 'zod';
import { loadAssessmentFile, methodForYear, type AssessmentMethod, type UnitType } from '../assessment/method.js';
import type { Tallies } from '../assessment/score.js';
import { parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import type { AnalyticsStore } from '../store.js';
import type { Figure } from './annual.js';
import type { MeasureId } from './catalog.js';
import { describe, MetricsError, queryMetrics, resolveRegion, type MetricRequest, type MetricRow, type QueryOptions } from './query.js';

/**
 * The dataset of the annual assessment (年度信访工作考核; Beijing arts. 16-17) of a city's
 * districts and city departments, as of a date: for each unit each indicator's rate as the
 * metrics layer answers it, with the request that made it, and the city's own rates (what a
 * small unit's rate is shrunk toward). A unit with nothing to measure on an indicator says so
 * (`withoutData`); the engine leaves it out rather than scoring it as zero.
 */
export interface AssessedUnit {
  code: string;
  type: UnitType;
  name: string;
  /** The unit's rows: a district's by the district dimension, a department's filtered to its code and name. */
  figure: Figure<MetricRow[]>;
  tallies: Tallies;
  /** Indicators (and the missed-duty measure) with nothing to measure for the unit in the year. */
  withoutData: MeasureId[];
}

export interface AssessmentDataset {
  year: number;
  asOf: PlainDate;
  region: { code: string; name: string };
  jurisdiction: string;
  method: AssessmentMethod;
  /** The city's rates: the jurisdiction's, toward which a small unit's rate is shrunk. */
  jurisdictionRates: Figure<MetricRow[]>;
  units: AssessedUnit[];
}

const regionRow = z.object({ code: z.string(), name: z.string().nullable() });
const organRow = z.object({ code: z.string(), name: z.string() });

/** The measures the method reads: its indicators' and the missed-duty measure. */
export function assessmentMeasures(method: AssessmentMethod): MeasureId[] {
  return [...new Set([...method.indicators.map((i) => i.measure), method.notice.criticism.missedDuty.measure])];
}

export function talliesOf(rows: MetricRow[]): Tallies {
  const tallies: Tallies = {};
  for (const r of rows) if (r.denominator) tallies[r.measure] = { numerator: r.numerator!, denominator: r.denominator };
  return tallies;
}

/** The method scoring a year in a jurisdiction; a year or jurisdiction it does not cover is the asker's to correct. */
export function assessmentMethodFor(jurisdiction: string, year: number): AssessmentMethod {
  const methods = loadAssessmentFile(jurisdiction);
  if (!methods) throw new MetricsError(`jurisdiction ${jurisdiction} has no assessment method (rules/assessment/${jurisdiction}.json)`);
  const method = methodForYear(methods, year);
  if (!method) throw new MetricsError(`no assessment method of ${jurisdiction} was in force on ${year}-01-01 (the first took effect ${methods.versions[0]!.effective})`);
  return method;
}

export async function assessmentDataset(
  store: AnalyticsStore,
  options: { year: number; region: string; asOf: PlainDate; jurisdiction: string; method?: AssessmentMethod },
  query: QueryOptions = {},
): Promise<AssessmentDataset> {
  const scope = await resolveRegion(store, options.region);
  if (scope.level !== 'city') throw new MetricsError(`the assessment is of a city's districts and departments (Beijing art. 17); ${options.region} is a ${scope.level}`);
  const method = options.method ?? assessmentMethodFor(options.jurisdiction, options.year);
  const measures = assessmentMeasures(method);
  const base = {
    measures,
    from: parsePlainDate(`${options.year}-01-01`),
    to: parsePlainDate(`${options.year}-12-31`),
    asOf: options.asOf,
    region: options.region,
  } satisfies MetricRequest;
  const figure = (title: string, request: Figure<MetricRow[]>['request'], data: MetricRow[]): Figure<MetricRow[]> => ({
    title,
    request,
    measures: measures.map(describe),
    data,
  });
  const unitOf = (code: string, type: UnitType, name: string, f: Figure<MetricRow[]>): AssessedUnit => {
    const tallies = talliesOf(f.data ?? []);
    return { code, type, name, figure: f, tallies, withoutData: measures.filter((m) => !tallies[m]) };
  };

  const [cityName] = await store.all(regionRow, 'SELECT code, name_zh AS name FROM regions WHERE code = $code', { code: options.region });
  const types = new Set(method.units.map((u) => u.type));
  const [jurisdictionRows, districts, departments] = await Promise.all([
    queryMetrics(store, base, query),
    types.has('district') ? districtUnits(store, base, query, figure, unitOf) : Promise.resolve([]),
    types.has('city-department') ? departmentUnits(store, base, query, figure, unitOf) : Promise.resolve([]),
  ]);
  return {
    year: options.year,
    asOf: options.asOf,
    region: { code: options.region, name: cityName?.name ?? options.region },
    jurisdiction: options.jurisdiction,
    method,
    jurisdictionRates: figure(`The city's rates, ${options.year}`, base, jurisdictionRows),
    units: [...districts, ...departments],
  };
}

type MakeFigure = (title: string, request: Figure<MetricRow[]>['request'], data: MetricRow[]) => Figure<MetricRow[]>;
type MakeUnit = (code: string, type: UnitType, name: string, f: Figure<MetricRow[]>) => AssessedUnit;
type Base = Figure<MetricRow[]>['request'] & { region: string };

/** The city's districts (regions table), each measured on its own rows of one query by district. */
async function districtUnits(store: AnalyticsStore, base: Base, query: QueryOptions, figure: MakeFigure, unitOf: MakeUnit): Promise<AssessedUnit[]> {
  const districts = await store.all(regionRow, "SELECT code, name_zh AS name FROM regions WHERE parent_code = $city AND level = 'district' ORDER BY code", { city: base.region });
  const request = { ...base, by: ['district' as const] };
  const rows = await queryMetrics(store, request, query);
  return districts.map((d) =>
    unitOf(d.code, 'district', d.name ?? d.code, figure(`District ${d.code}`, request, rows.filter((r) => r.dims.district === d.code))),
  );
}

/**
 * The city's departments (the organ registry's city-department organs of the city). A case
 * names its organ by code (the workflow's routing) or by name (an import, the demo), so a
 * department's rows are those naming it either way.
 */
async function departmentUnits(store: AnalyticsStore, base: Base, query: QueryOptions, figure: MakeFigure, unitOf: MakeUnit): Promise<AssessedUnit[]> {
  const organs = await store.all(organRow, "SELECT code, name_zh AS name FROM organs WHERE level = 'city-department' AND region_code = $city ORDER BY code", { city: base.region });
  return Promise.all(
    organs.map(async (o) => {
      const request = { ...base, filters: { organ: [...new Set([o.code, o.name])] } };
      return unitOf(o.code, 'city-department', o.name, figure(`City department ${o.code}`, request, await queryMetrics(store, request, query)));
    }),
  );
}
