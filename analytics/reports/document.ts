/**
 * A report as data, before any rendering: headings, paragraphs of sentences made from figures,
 * tables, charts, and the traceability appendix. HTML, PDF and Word render the same document,
 * so the three formats cannot disagree on a number; every report kind (annual, quarterly,
 * assessment, inspection) builds one of these from its dataset.
 */
import type { DimensionValues, MetricRequest } from '../metrics/query.js';
import type { MeasureId } from '../metrics/catalog.js';
import type { ComparisonMode } from '../metrics/compare.js';
import type { ChartSpec } from './charts.js';

/** Heading levels of GB/T 9704-2012 §7.3.3: 一、 （一） 1. （1）. */
export type HeadingLevel = 1 | 2 | 3 | 4;

export type Block =
  | { kind: 'heading'; level: HeadingLevel; number: string; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'table'; caption: string; head: string[]; rows: string[][] }
  | { kind: 'chart'; caption: string; chart: ChartSpec };

/**
 * One number printed in the report, with what made it: the measure, the dimension values of
 * its row, the request (period, region, filters, as-of). `value` is the metrics layer's answer;
 * `text` is how it is printed. A derived figure (a year-on-year change) names its measure too.
 */
export interface TracedFigure {
  id: string;
  text: string;
  value: number;
  measure: MeasureId;
  dims: DimensionValues;
  /** `value`: the measure itself; `change`: current minus previous (rates, in rate units); `relative`: change / previous. */
  derivation: 'value' | 'change' | 'relative';
  /** For a change: against the same period a year before (同比) or the period before (环比). */
  against?: ComparisonMode;
  /** The current year's request, or the comparison year's for a previous-year figure. */
  request: Omit<MetricRequest, 'measures'>;
  /** Where it is printed: the number of the heading it stands under (一（二）). */
  place: string;
}

export interface MeasureDefinition {
  id: MeasureId;
  labelZh: string;
  labelEn: string;
  description: string;
  basis: string;
  basedOn: string;
}

/** The reports the system writes (issue 16): art. 41's annual report, Xianning art. 7's quarterly analysis, the assessment and its notice, an inspection brief. */
export const REPORT_KINDS = ['annual', 'quarterly', 'assessment', 'inspection'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export interface ReportDocument {
  kind: ReportKind;
  title: string;
  /** The line under the title: the region, the period and the as-of date. */
  subtitle: string;
  blocks: Block[];
  /** The traceability appendix (附件): the measures' definitions and every figure, as tables. */
  appendix: Block[];
  figures: TracedFigure[];
  definitions: MeasureDefinition[];
  /** Facts of the run, for the appendix and the stored record. */
  meta: {
    region: string;
    regionName: string;
    /** The period reported on, first and last day. */
    from: string;
    to: string;
    asOf: string;
    template: string;
    /** For a report of one organ (an inspection brief of an organ): its code. */
    organ?: string;
  };
}

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 23 → 二十三 (headings never reach 100). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new RangeError(`no heading number for ${n}`);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones ? DIGITS[ones] : ''}`;
}

/** The label of a heading at its level and position: 一、 （一） 1. （1）. */
export function headingNumber(level: HeadingLevel, n: number): string {
  switch (level) {
    case 1:
      return `${chineseNumeral(n)}、`;
    case 2:
      return `（${chineseNumeral(n)}）`;
    case 3:
      return `${n}.`;
    case 4:
      return `（${n}）`;
  }
}

/**
 * Builds the blocks in order, numbering headings as they come (a heading restarts the count of
 * every level below it) and keeping the place every figure is printed at.
 */
export class DocumentBuilder {
  readonly blocks: Block[] = [];
  private readonly counters = [0, 0, 0, 0];
  private readonly path: string[] = [];

  heading(level: HeadingLevel, text: string): void {
    const i = level - 1;
    if (i > 0 && this.counters[i - 1] === 0) throw new Error(`a level-${level} heading "${text}" needs a level-${level - 1} heading before it`);
    this.counters[i]! += 1;
    for (let j = i + 1; j < this.counters.length; j++) this.counters[j] = 0;
    const number = headingNumber(level, this.counters[i]!);
    this.path.length = i;
    this.path.push(number.replace(/、$/, ''));
    this.blocks.push({ kind: 'heading', level, number, text });
  }

  /** Where the next block stands: 一（二）1. */
  get place(): string {
    return this.path.join('');
  }

  /** A paragraph of the sentences that could be made; none, no paragraph. */
  paragraph(sentences: (string | null)[]): void {
    const text = sentences.filter((s): s is string => s !== null).join('');
    if (text) this.blocks.push({ kind: 'paragraph', text });
  }

  table(caption: string, head: string[], rows: string[][]): void {
    if (rows.length) this.blocks.push({ kind: 'table', caption, head, rows });
  }

  chart(caption: string, chart: ChartSpec): void {
    this.blocks.push({ kind: 'chart', caption, chart });
  }
}

/** A count as printed: whole numbers without separators, as official documents write them. */
export const countText = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));
/** A share as a percentage with one decimal. */
export const percentText = (share: number): string => `${(share * 100).toFixed(1)}%`;
/** A change of a rate in percentage points, unsigned: the sentence says which way. */
export const pointsText = (change: number): string => (Math.abs(change) * 100).toFixed(1);
