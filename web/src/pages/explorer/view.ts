/**
 * The explorer's view as the URL holds it, and the metrics questions it asks. Every part is
 * read back through the catalog and the user's region tree, so a hand-edited or stale link
 * falls back to what the user may see instead of failing:
 *
 *   measure=satisfaction_rate   a measure of the catalog
 *   by=district                 a dimension that measure allows (else month)
 *   region=110105               any node at or under the user's own (city → district → street)
 *   year=2025 | from=…&to=…     a year, or a period when both dates are given
 *   compare=yoy|pop             year on year, or the period before
 *   f.channel=visit,phone       a filter per dimension the measure allows
 *
 * A dimension an import declared is `src:NAME` there too (by=src:call_type, f.src:call_type=…):
 * the catalog lists those the user's cases carry, so a link to another's falls back like any.
 */
import type { CatalogMeasure, ComparedRow, MetricRow, MetricsQuery, SourceDimension } from '../../api.js';
import { channelName, childrenOf, homeRegion, pathTo, placeName, placeOf, type AppState } from '../../context.js';
import { chinaToday } from '../../format.js';
import { label, t } from '../../i18n.js';

export const TIME_GRAINS: ReadonlySet<string> = new Set(['day', 'week', 'month', 'quarter', 'year']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type Comparison = 'yoy' | 'pop';

export interface View {
  measure: CatalogMeasure;
  by: string;
  region: string;
  year: number;
  /** Both set: the period replaces the year. */
  from?: string;
  to?: string;
  compare?: Comparison;
  /** Dimension → values kept; only dimensions the measure allows. */
  filters: Record<string, string[]>;
  /** What the URL asked that could not be used, said on the page. */
  problems: string[];
}

export const thisYear = () => Number(chinaToday().slice(0, 4));

/** Whether `code` is the user's own node or one under it (any depth the reference data holds). */
export function withinReach(state: AppState, code: string): boolean {
  if (!placeOf(state, code)) return false;
  const path = pathTo(state, code);
  return path[0] === homeRegion(state) && path[path.length - 1] === code;
}

export function allowedDimensions(measure: CatalogMeasure): readonly string[] {
  return measure.dimensions as readonly string[];
}

export function readView(state: AppState, params: URLSearchParams): View {
  const measures = state.catalog?.measures ?? [];
  const problems: string[] = [];
  const askedMeasure = params.get('measure');
  const measure = measures.find((m) => m.id === askedMeasure) ?? measures.find((m) => m.id === 'cases') ?? measures[0]!;
  if (askedMeasure && measure.id !== askedMeasure) problems.push(t(`未知指标 ${askedMeasure}，改为${label(measure)}`, `unknown measure ${askedMeasure}; showing ${label(measure)}`));
  const allowed = allowedDimensions(measure);
  const askedBy = params.get('by');
  const by = askedBy && allowed.includes(askedBy) ? askedBy : 'month';
  if (askedBy && by !== askedBy) problems.push(t(`${label(measure)}不能按“${askedBy}”分组，改为按月`, `${label(measure)} cannot be broken down by “${askedBy}”; by month instead`));

  const filters: Record<string, string[]> = {};
  for (const [key, value] of params) {
    if (!key.startsWith('f.')) continue;
    const dimension = key.slice(2);
    const values = value.split(',').map((v) => v.trim()).filter(Boolean);
    if (!values.length) continue;
    if (allowed.includes(dimension)) filters[dimension] = [...new Set([...(filters[dimension] ?? []), ...values])];
    else problems.push(t(`${label(measure)}不能按“${dimension}”筛选，已忽略该筛选`, `${label(measure)} cannot be filtered by “${dimension}”; that filter is ignored`));
  }

  const askedRegion = params.get('region');
  const region = askedRegion && withinReach(state, askedRegion) ? askedRegion : homeRegion(state);
  if (askedRegion && region !== askedRegion) problems.push(t(`区域 ${askedRegion} 不在您的辖区内，改为${placeName(state, region)}`, `region ${askedRegion} is not in your jurisdiction; showing ${placeName(state, region)}`));

  const askedYear = Number(params.get('year'));
  const year = Number.isInteger(askedYear) && askedYear >= 2000 && askedYear <= thisYear() ? askedYear : thisYear() - 1;
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const period = DATE.test(from) && DATE.test(to) && from <= to ? { from, to } : {};
  if ((from || to) && !('from' in period)) {
    problems.push(
      from && to && DATE.test(from) && DATE.test(to)
        ? t(`起始日期 ${from} 晚于截止日期 ${to}：按 ${year} 年显示`, `the period begins (${from}) after it ends (${to}): showing ${year}`)
        : t(`起止日期须都填写：暂按 ${year} 年显示`, `give both dates of the period: showing ${year} until then`),
    );
  }
  const compare = params.get('compare');
  return { measure, by, region, year, filters, problems, ...period, ...(compare === 'yoy' || compare === 'pop' ? { compare } : {}) };
}

/**
 * The metrics question of one chart: the view's region, period and filters, broken down by
 * `by`, without the filter on `by` itself (a chart of a dimension shows all its values and
 * highlights the chosen ones), and with the comparison only where asked.
 */
export function question(view: View, by: string | null, options: { compare?: boolean; filters?: boolean } = {}): MetricsQuery {
  const filters = options.filters === false ? {} : Object.fromEntries(Object.entries(view.filters).filter(([d]) => d !== by));
  return {
    measure: [view.measure.id],
    ...(by ? { by: [by] } : {}),
    region: view.region,
    filters,
    ...(view.from && view.to ? { from: view.from, to: view.to } : { year: view.year }),
    ...(options.compare && view.compare ? { compare: view.compare } : {}),
  };
}

export const periodText = (view: View): string => (view.from && view.to ? `${view.from} – ${view.to}` : t(`${view.year} 年`, String(view.year)));

/** The level under the region, as a dimension: district under the city, street under a district, none under a street. */
export function childDimension(state: AppState, region: string): 'district' | 'street' | null {
  const level = childrenOf(state, region)[0]?.level;
  return level === 'district' ? 'district' : level === 'street' ? 'street' : null;
}

/** A source dimension of the catalog (`src:NAME`, declared by an import), or undefined for any other id. */
export const sourceDimensionOf = (state: AppState, id: string): SourceDimension | undefined => state.catalog?.sourceDimensions.find((x) => x.id === id);

export const dimensionLabel = (state: AppState, id: string): string => {
  const d = state.catalog?.dimensions.find((x) => x.id === id) ?? sourceDimensionOf(state, id);
  return d ? label(d) : id;
};

const CODES: Record<string, Record<string, [string, string]>> = {
  petition_class: { suggestion: ['建议意见', 'suggestion'], accusation: ['检举控告', 'accusation'], claim: ['申诉求决', 'claim'] },
  route_mode: { forward: ['转送', 'forwarded'], assign: ['交办', 'assigned'], report: ['上报', 'reported up'] },
  recommendation_kind: { improve_work: ['改进工作', 'improve work'], improve_policy: ['完善政策', 'improve policy'], accountability: ['追究责任', 'accountability'] },
};

/** A dimension value as the user reads it: a place's or a channel's name, yes/no for flags, a month as 2025年3月. */
export function valueName(state: AppState, dimension: string, value: string | null | undefined): string {
  if (value == null) return t('未记录', 'not recorded');
  if (dimension === 'district' || dimension === 'street') return placeName(state, value);
  if (dimension === 'channel') return channelName(state, value);
  const coded = CODES[dimension]?.[value];
  if (coded) return t(...coded);
  if (dimension === 'collective' || dimension === 'repeat_petition' || dimension === 'skip_level') {
    if (value === 'true') return t('是', 'yes');
    if (value === 'false') return t('否', 'no');
  }
  if (dimension === 'month' && /^\d{4}-\d{2}$/.test(value)) return t(`${value.slice(0, 4)}年${Number(value.slice(5))}月`, value);
  return value;
}

export type Row = MetricRow | ComparedRow;
export const currentOf = (row: Row): MetricRow => ('current' in row ? row.current : row);
export const valueOf = (row: Row): number | null => currentOf(row).value;
export const keyOf = (row: Row, by: string): string | null => row.dims[by as keyof Row['dims']] ?? null;

/** No figure to draw: no row, or every row without a value or at zero. */
export const nothingIn = (rows: readonly Row[]): boolean => rows.every((r) => !valueOf(r));

/** The URL change of a filter value toggled on or off. */
export function toggleFilter(view: View, dimension: string, value: string): Record<string, string | null> {
  const now = view.filters[dimension] ?? [];
  const next = now.includes(value) ? now.filter((v) => v !== value) : [...now, value];
  return { [`f.${dimension}`]: next.join(',') || null };
}

/** The URL change of going to a region: the filters of the levels it leaves are dropped, and a breakdown by region follows the level. */
export function regionPatch(state: AppState, view: View, code: string): Record<string, string | null> {
  const child = childDimension(state, code);
  let by: string | null = view.by;
  if (view.by === 'district' || view.by === 'street') by = child && allowedDimensions(view.measure).includes(child) ? child : 'month';
  return { region: code, by: by === 'month' ? null : by, 'f.district': null, 'f.street': null };
}
