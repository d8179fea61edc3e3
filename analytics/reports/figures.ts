/**
 * The figures a report prints, each with what made it: sentences are assembled from parts, a
 * sentence missing a figure is left out whole, and every figure placed is kept with its measure,
 * request and place for the traceability appendix. Every report kind builds on this.
 */
import { z } from 'zod';
import { CHANNELS } from '../../domain/case.js';
import { caseRules } from '../../rules/case-rules.js';
import type { PlainDate } from '../../rules/plain-date.js';
import type { Figure } from '../metrics/annual.js';
import { DIMENSIONS, type DimensionId, type MeasureId } from '../metrics/catalog.js';
import { previousPeriod, type Compared, type ComparisonMode } from '../metrics/compare.js';
import { describe, type MetricRow } from '../metrics/query.js';
import type { AnalyticsStore } from '../store.js';
import { countText, percentText, pointsText, type Block, type DocumentBuilder, type MeasureDefinition, type TracedFigure } from './document.js';

/** How the report names what the dataset holds as codes. */
export interface Names {
  region(code: string): string;
  duty(id: string): string;
  ladderStep(id: string): string;
}

export type Request = Figure<unknown>['request'];

/** Text with the figures it prints, not yet placed: a sentence is placed whole or not at all. */
export interface Pending {
  text: string;
  figures: Omit<TracedFigure, 'id' | 'place'>[];
}
export type Part = string | Pending | null;

/** The figures printed so far, each with what made it and where it stands. */
export class Figures {
  readonly list: TracedFigure[] = [];
  private readonly measures = new Set<MeasureId>();

  constructor(private readonly doc: DocumentBuilder) {}

  private one(
    measure: MeasureId,
    row: Pick<MetricRow, 'dims'>,
    value: number,
    text: string,
    derivation: TracedFigure['derivation'],
    request: Request,
    against?: ComparisonMode,
  ): Pending {
    const { measures: _measures, ...rest } = request;
    return { text, figures: [{ text, value, measure, dims: row.dims, derivation, request: rest, ...(against ? { against } : {}) }] };
  }

  /** A measure's value as printed (whole numbers for counts, % for rates); null when it has none. */
  value(row: MetricRow | null | undefined, request: Request): Pending | null {
    if (!row || row.value === null) return null;
    const text = describe(row.measure).kind === 'rate' ? percentText(row.value) : countText(row.value);
    return this.one(row.measure, row, row.value, text, 'value', request);
  }

  /** The comparison period's value, with the comparison period's request. */
  previous(c: Compared | undefined, request: Request, mode: ComparisonMode = 'yoy'): Pending | null {
    return c ? this.value(c.previous, { ...request, ...previousPeriod(request, mode) }) : null;
  }

  /**
   * "同比下降7.4%" for a count, "同比提高1.2个百分点" for a rate; null without a comparison (no
   * earlier year, or nothing in it to compare with).
   */
  change(c: Compared | undefined, request: Request, mode: ComparisonMode = 'yoy'): Pending | null {
    if (!c || c.change === null) return null;
    // A whole year is level with the year before (与上年持平); any shorter span with the same span a year before.
    const wholeYear = request.from.endsWith('-01-01') && request.to === `${request.from.slice(0, 4)}-12-31`;
    const [against, level] = mode === 'yoy' ? ['同比', wholeYear ? '与上年持平' : '与上年同期持平'] : ['环比', '与上期持平'];
    if (describe(c.measure).kind === 'rate') {
      const n = this.one(c.measure, c, c.change, pointsText(c.change), 'change', request, mode);
      if (n.text === '0.0') return this.say(`${level}（变化`, n, '个百分点）');
      return this.say(`${against}${c.change > 0 ? '提高' : '降低'}`, n, '个百分点');
    }
    if (c.relative === null) return null;
    const n = this.one(c.measure, c, c.relative, percentText(Math.abs(c.relative)), 'relative', request, mode);
    if (n.text === '0.0%') return this.say(`${level}（变化`, n, '）');
    return this.say(`${against}${c.relative > 0 ? '上升' : '下降'}`, n);
  }

  /** The parts joined, or null when one is missing: a sentence missing a figure is left out whole. */
  say(...parts: Part[]): Pending | null {
    if (parts.some((p) => p === null)) return null;
    return this.join(parts as (string | Pending)[], '');
  }

  /** An optional clause: the parts, or nothing when one is missing. */
  opt(...parts: Part[]): Pending {
    return this.say(...parts) ?? { text: '', figures: [] };
  }

  /** The clauses that could be made, joined by `separator`; null when none could. */
  join(parts: (string | Pending)[], separator: string): Pending {
    const pending = parts.map((p) => (typeof p === 'string' ? { text: p, figures: [] } : p));
    return { text: pending.map((p) => p.text).join(separator), figures: pending.flatMap((p) => p.figures) };
  }

  present(parts: Part[]): Pending[] {
    return parts.filter((p): p is string | Pending => p !== null).map((p) => (typeof p === 'string' ? { text: p, figures: [] } : p));
  }

  /** Places a paragraph of the sentences that could be made, and their figures. */
  paragraph(sentences: Part[]): void {
    const placed = this.present(sentences);
    for (const p of placed) this.place(p);
    this.doc.paragraph(placed.map((p) => p.text));
  }

  /** A table cell or chart value: placed at once, a dash when missing. */
  cell(p: Pending | null): string {
    return p ? this.place(p) : '—';
  }

  private place(p: Pending): string {
    for (const f of p.figures) {
      this.list.push({ id: `F${this.list.length + 1}`, ...f, place: this.doc.place });
      this.measures.add(f.measure);
    }
    return p.text;
  }

  /** "转送12件（同比上升3.0%）": a count with its change when there is one. */
  readonly counted = (rows: Compared[] | null, req: Request, id: MeasureId, unit: string, mode: ComparisonMode = 'yoy'): Pending | null => {
    const c = byMeasure(rows, id);
    return this.say(describe(id).labelZh, this.value(c?.current, req), unit, this.opt('（', this.change(c, req, mode), '）'));
  };

  /** "及时受理率92.1%，同比提高1.2个百分点。" */
  readonly rated = (rows: Compared[] | null, req: Request, id: MeasureId, mode: ComparisonMode = 'yoy'): Pending | null => {
    const c = byMeasure(rows, id);
    return this.say(describe(id).labelZh, this.value(c?.current, req), this.opt('，', this.change(c, req, mode)), '。');
  };

  /** Clauses joined with "，" into one sentence, or none when no clause could be made. */
  readonly sentence = (clauses: Part[]): Pending | null => {
    const made = this.present(clauses);
    return made.length ? this.say(this.join(made, '，'), '。') : null;
  };

  /** "A（3件）、B（2件）": labelled values, those with a value. */
  readonly listed = (rows: MetricRow[], req: Request, label: (r: MetricRow) => string, unit: string, brackets = false): Pending =>
    this.join(this.present(rows.map((r) => this.say(label(r), brackets ? '（' : '', this.value(r, req), unit, brackets ? '）' : ''))), '、');

  definitions(): MeasureDefinition[] {
    return [...this.measures].map((id) => {
      const m = describe(id);
      return { id, labelZh: m.labelZh, labelEn: m.labelEn, description: m.description, basis: m.basis, basedOn: m.basedOn };
    });
  }
}

export const byMeasure = (rows: Compared[] | null, id: MeasureId) => rows?.find((r) => r.measure === id);
export const rowsOf = (rows: MetricRow[] | null, id: MeasureId) => (rows ?? []).filter((r) => r.measure === id);
export const mostFirst = (rows: MetricRow[]) => [...rows].sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
export const chineseDate = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** The date basis' Chinese name: the catalog writes 'date of receipt (登记日期)'. */
const basisZh = (basis: string) => /\(([^)]+)\)/.exec(basis)?.[1] ?? basis;

/**
 * The traceability appendix: each measure's definition once, then every figure in the order it
 * is printed, with where, its measure, region, period and filters, date basis and as-of date.
 */
export function appendix(figures: TracedFigure[], definitions: MeasureDefinition[], names: Names): Block[] {
  const dimText = (f: TracedFigure) =>
    Object.entries(f.dims)
      .map(([d, v]) => {
        const value = v == null ? '（未记录）' : d === 'district' || d === 'street' ? names.region(v) : d === 'channel' && v in CHANNELS ? CHANNELS[v as keyof typeof CHANNELS] : v === 'true' ? '是' : v === 'false' ? '否' : v;
        return `${DIMENSIONS[d as DimensionId]?.labelZh ?? d}：${value}`;
      })
      .join('；');
  // A request's filters narrow every row it counts (an organ's brief: the organ by its code or name).
  const filterText = (f: TracedFigure) =>
    Object.entries(f.request.filters ?? {})
      .map(([d, values]) => `${DIMENSIONS[d as DimensionId]?.labelZh ?? d}：${(values ?? []).join('或')}`)
      .join('；');
  const against = { yoy: '同比', pop: '环比' } as const;
  const derivation = (f: TracedFigure) =>
    f.derivation === 'value' ? '' : `（${against[f.against ?? 'yoy']}${f.derivation === 'change' ? '变化，百分点' : '增减幅度'}）`;
  return [
    { kind: 'heading', level: 1, number: '一、', text: '指标定义' },
    {
      kind: 'table',
      caption: '表A1 报告所用指标',
      head: ['指标', '定义', '日期口径', '依据'],
      rows: definitions.map((d) => [`${d.labelZh}（${d.id}）`, d.description, d.basis, d.basedOn]),
    },
    { kind: 'heading', level: 1, number: '二、', text: '数字来源' },
    {
      kind: 'paragraph',
      text: `下表列出正文和图表中的每个数字（共${figures.length}个），依次注明所在位置、指标、统计范围和筛选条件、日期口径及数据截至日期；可用 xinfang metrics 按同样条件复算。`,
    },
    {
      kind: 'table',
      caption: '表A2 数字来源',
      head: ['编号', '位置', '数字', '指标', '统计范围和筛选条件', '日期口径', '截至'],
      rows: figures.map((f) => [
        f.id,
        f.place,
        f.text,
        `${describe(f.measure).labelZh}${derivation(f)}`,
        [`${names.region(f.request.region ?? '')}`, `${f.request.from}至${f.request.to}`, dimText(f), filterText(f)].filter(Boolean).join('；'),
        basisZh(describe(f.measure).basis),
        f.request.asOf,
      ]),
    },
  ];
}

const nameRow = z.object({ code: z.string(), name_zh: z.string().nullable() });

/** Names from the regions table and the policy packs in force on the as-of date. */
export async function reportNames(store: AnalyticsStore, jurisdiction: string, asOf: PlainDate): Promise<Names> {
  const regions = new Map((await store.all(nameRow, 'SELECT code, name_zh FROM regions')).map((r) => [r.code, r.name_zh ?? r.code]));
  let rules: ReturnType<typeof caseRules> | null = null;
  try {
    rules = caseRules(jurisdiction, asOf);
  } catch {
    // A jurisdiction without packs (an imported one) has its codes printed as they are.
  }
  return {
    region: (code) => regions.get(code) ?? code,
    duty: (id) => rules?.duties[id]?.rule.labelZh ?? id,
    ladderStep: (id) => rules?.accountability?.rule.steps[id]?.labelZh ?? id,
  };
}

