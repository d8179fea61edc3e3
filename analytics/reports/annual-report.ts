/**
 * The annual report (年度信访工作情况报告; 2022 Regulations art. 41, DOMAIN §8) as a document:
 * its four parts in the article's order, every sentence made from the annual dataset's figures
 * and left out when its figure is missing, never guessed. The dataset is as of a date, so the
 * same region, year and as-of date give the same report.
 */
import { z } from 'zod';
import { CHANNELS, PETITION_CLASSES } from '../../domain/case.js';
import { RECOMMENDATION_KINDS } from '../../domain/recommendation.js';
import { caseRules } from '../../rules/case-rules.js';
import type { PlainDate } from '../../rules/plain-date.js';
import { annualDataset, type AnnualDataset, type Figure } from '../metrics/annual.js';
import { DIMENSIONS, type DimensionId, type MeasureId } from '../metrics/catalog.js';
import { previousPeriod, type Compared } from '../metrics/compare.js';
import { describe, type MetricRow } from '../metrics/query.js';
import type { AnalyticsStore } from '../store.js';
import { countText, DocumentBuilder, percentText, pointsText, type Block, type MeasureDefinition, type ReportDocument, type TracedFigure } from './document.js';

/** Bumped when the template's wording or layout changes, so a stored report says which made it. */
export const ANNUAL_TEMPLATE = 'annual@1';

/** How the report names what the dataset holds as codes. */
export interface Names {
  region(code: string): string;
  duty(id: string): string;
  ladderStep(id: string): string;
}

type Request = Figure<unknown>['request'];

/** Text with the figures it prints, not yet placed: a sentence is placed whole or not at all. */
interface Pending {
  text: string;
  figures: Omit<TracedFigure, 'id' | 'place'>[];
}
type Part = string | Pending | null;

/** The figures printed so far, each with what made it and where it stands. */
class Figures {
  readonly list: TracedFigure[] = [];
  private readonly measures = new Set<MeasureId>();

  constructor(private readonly doc: DocumentBuilder) {}

  private one(measure: MeasureId, row: Pick<MetricRow, 'dims'>, value: number, text: string, derivation: TracedFigure['derivation'], request: Request): Pending {
    const { measures: _measures, ...rest } = request;
    return { text, figures: [{ text, value, measure, dims: row.dims, derivation, request: rest }] };
  }

  /** A measure's value as printed (whole numbers for counts, % for rates); null when it has none. */
  value(row: MetricRow | null | undefined, request: Request): Pending | null {
    if (!row || row.value === null) return null;
    const text = describe(row.measure).kind === 'rate' ? percentText(row.value) : countText(row.value);
    return this.one(row.measure, row, row.value, text, 'value', request);
  }

  /** The comparison year's value, with the comparison year's request. */
  previous(c: Compared | undefined, request: Request): Pending | null {
    return c ? this.value(c.previous, { ...request, ...previousPeriod(request, 'yoy') }) : null;
  }

  /**
   * "同比下降7.4%" for a count, "同比提高1.2个百分点" for a rate; null without a comparison (no
   * earlier year, or nothing in it to compare with).
   */
  change(c: Compared | undefined, request: Request): Pending | null {
    if (!c || c.change === null) return null;
    if (describe(c.measure).kind === 'rate') {
      const n = this.one(c.measure, c, c.change, pointsText(c.change), 'change', request);
      if (n.text === '0.0') return this.say('与上年持平（变化', n, '个百分点）');
      return this.say(`同比${c.change > 0 ? '提高' : '降低'}`, n, '个百分点');
    }
    if (c.relative === null) return null;
    const n = this.one(c.measure, c, c.relative, percentText(Math.abs(c.relative)), 'relative', request);
    if (n.text === '0.0%') return this.say('与上年持平（变化', n, '）');
    return this.say(`同比${c.relative > 0 ? '上升' : '下降'}`, n);
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

  definitions(): MeasureDefinition[] {
    return [...this.measures].map((id) => {
      const m = describe(id);
      return { id, labelZh: m.labelZh, labelEn: m.labelEn, description: m.description, basis: m.basis, basedOn: m.basedOn };
    });
  }
}

const byMeasure = (rows: Compared[] | null, id: MeasureId) => rows?.find((r) => r.measure === id);
const rowsOf = (rows: MetricRow[] | null, id: MeasureId) => (rows ?? []).filter((r) => r.measure === id);
const mostFirst = (rows: MetricRow[]) => [...rows].sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
const chineseDate = (d: string) => `${Number(d.slice(0, 4))}年${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

const UNAVAILABLE = '本项数据不按街道（乡镇）统计，见所属区的年度报告。';

export function buildAnnualReport(data: AnnualDataset, names: Names): ReportDocument {
  const doc = new DocumentBuilder();
  const fig = new Figures(doc);
  const regionName = names.region(data.region.code);
  const { statistics: st, officeWork: ow, recommendations: rec, other } = data;
  const unavailable = (...figures: Figure<unknown>[]) => {
    if (figures.some((f) => f.data === null)) doc.paragraph([UNAVAILABLE]);
  };
  /** "转送12件（同比上升3.0%）": a count with its change when there is one. */
  const counted = (rows: Compared[] | null, req: Request, id: MeasureId, unit: string) => {
    const c = byMeasure(rows, id);
    return fig.say(describe(id).labelZh, fig.value(c?.current, req), unit, fig.opt('（', fig.change(c, req), '）'));
  };
  /** "及时受理率92.1%，同比提高1.2个百分点。" */
  const rated = (rows: Compared[] | null, req: Request, id: MeasureId) => {
    const c = byMeasure(rows, id);
    return fig.say(describe(id).labelZh, fig.value(c?.current, req), fig.opt('，', fig.change(c, req)), '。');
  };
  /** Clauses joined with "，" into one sentence, or none when no clause could be made. */
  const sentence = (clauses: Part[]) => {
    const made = fig.present(clauses);
    return made.length ? fig.say(fig.join(made, '，'), '。') : null;
  };
  /** "A（3件）、B（2件）": labelled values, those with a value. */
  const listed = (rows: MetricRow[], req: Request, label: (r: MetricRow) => string, unit: string, brackets = false) =>
    fig.join(fig.present(rows.map((r) => fig.say(label(r), brackets ? '（' : '', fig.value(r, req), unit, brackets ? '）' : ''))), '、');

  doc.heading(1, '信访事项的数据统计和分析');

  doc.heading(2, '信访总量');
  const totals = st.totals.data;
  const req = st.totals.request;
  const cases = byMeasure(totals, 'cases');
  const collective = byMeasure(totals, 'collective_cases');
  const first = byMeasure(totals, 'first_petitions');
  fig.paragraph([
    fig.say(`${data.year}年，${regionName}共登记信访事项`, fig.value(cases?.current, req), '件', fig.opt('，涉及', fig.value(byMeasure(totals, 'persons')?.current, req), '人次'), '。'),
    fig.say('信访总量', fig.change(cases, req), '（上年同期', fig.previous(cases, req), '件）。'),
    fig.say('其中，集体访', fig.value(collective?.current, req), '批次', fig.opt('，', fig.change(collective, req)), '；'),
    fig.say('初信初访', fig.value(first?.current, req), '件', fig.opt('，', fig.change(first, req)), '。'),
    st.threeDeclines.data
      ? st.threeDeclines.data.achieved
        ? '信访总量、集体访、初信初访同比均下降，“三个下降”目标全部实现。'
        : `“三个下降”目标未全部实现：${st.threeDeclines.data.items
            .filter((i) => !i.declined)
            .map((i) => describe(i.measure).labelZh)
            .join('、')}未下降。`
      : null,
  ]);
  const months = rowsOf(st.byMonth.data, 'cases');
  const peak = mostFirst(months)[0];
  if (peak) {
    fig.paragraph([fig.say(`受理量最多的月份是${Number(peak.dims.month!.slice(5))}月，`, fig.value(peak, st.byMonth.request), '件。')]);
    doc.chart(`图1 ${data.year}年各月信访事项登记量（件）`, {
      type: 'bar',
      unit: '件',
      categories: months.map((r) => `${Number(r.dims.month!.slice(5))}月`),
      series: [{ name: '信访事项', values: months.map((r) => (fig.cell(fig.value(r, st.byMonth.request)), r.value)) }],
    });
  }
  unavailable(st.totals, st.byMonth);

  doc.heading(2, '信访渠道和类别');
  const channelName = (r: MetricRow) => (r.dims.channel && r.dims.channel in CHANNELS ? CHANNELS[r.dims.channel as keyof typeof CHANNELS] : '未记录渠道');
  const channels = mostFirst(rowsOf(st.byChannel.data, 'cases'));
  fig.paragraph([channels.length ? fig.say('从渠道看，', listed(channels, st.byChannel.request, channelName, '件'), '。') : null]);
  const className = (r: MetricRow) =>
    r.dims.petition_class && r.dims.petition_class in PETITION_CLASSES ? PETITION_CLASSES[r.dims.petition_class as keyof typeof PETITION_CLASSES] : '未分类';
  const classes = mostFirst(rowsOf(st.byClass.data, 'cases'));
  fig.paragraph([classes.length ? fig.say('从类别看，', listed(classes, st.byClass.request, className, '件'), '。') : null]);

  doc.heading(2, '涉及领域');
  const fields = mostFirst(rowsOf(st.byField.data, 'cases').filter((r) => r.dims.field != null));
  const top = fields.slice(0, 3);
  fig.paragraph([top.length ? fig.say(`信访事项涉及领域居前${top.length}位的是：`, listed(top, st.byField.request, (r) => r.dims.field!, '件', true), '。') : null]);
  const shownFields = fields.slice(0, 10);
  if (shownFields.length) {
    doc.chart(`图2 信访事项涉及领域（前${shownFields.length}位，件）`, {
      type: 'bar',
      horizontal: true,
      unit: '件',
      categories: shownFields.map((r) => r.dims.field!),
      series: [{ name: '信访事项', values: shownFields.map((r) => (fig.cell(fig.value(r, st.byField.request)), r.value)) }],
    });
  }

  const area = st.byArea.request.by?.[0] === 'district' ? 'district' : 'street';
  const areaLabel = area === 'district' ? '区' : '街道（乡镇）';
  doc.heading(2, area === 'district' ? '地区分布' : '街道（乡镇）分布');
  const areaCases = mostFirst(rowsOf(st.byArea.data, 'cases').filter((r) => r.dims[area] != null));
  if (areaCases[0]) fig.paragraph([fig.say(`信访事项最多的${areaLabel}是${names.region(areaCases[0].dims[area]!)}（`, fig.value(areaCases[0], st.byArea.request), '件）。')]);
  const areaRate = (id: MeasureId, code: string) => st.byArea.data?.find((r) => r.measure === id && r.dims[area] === code);
  doc.table(
    `表1 各${areaLabel}信访事项`,
    [areaLabel, '信访事项（件）', '按期办结率', '满意率'],
    areaCases.map((r) => [
      names.region(r.dims[area]!),
      fig.cell(fig.value(r, st.byArea.request)),
      fig.cell(fig.value(areaRate('on_time_completion_rate', r.dims[area]!), st.byArea.request)),
      fig.cell(fig.value(areaRate('satisfaction_rate', r.dims[area]!), st.byArea.request)),
    ]),
  );
  unavailable(st.byArea);

  doc.heading(2, '投诉较多的机关、单位');
  const organs = st.mostComplainedOrgans.data ?? [];
  const organsReq = st.mostComplainedOrgans.request;
  fig.paragraph([organs.length ? fig.say('办理信访事项较多的机关、单位依次为：', listed(organs.slice(0, 3), organsReq, (r) => r.dims.organ!, '件', true), '。') : null]);
  doc.table(
    `表2 信访事项较多的机关、单位（前${organs.length}位）`,
    ['机关、单位', '信访事项（件）'],
    organs.map((r) => [r.dims.organ!, fig.cell(fig.value(r, organsReq))]),
  );

  doc.heading(2, '办理质量');
  for (const [title, ids] of [
    ['受理和办结', ['timely_acceptance_rate', 'on_time_completion_rate']],
    ['群众评价', ['participation_rate', 'satisfaction_rate']],
    ['重复信访和越级信访', ['repeat_rate', 'skip_level_rate']],
    ['复查复核', ['review_rate', 'review_changed_share', 're_review_rate', 're_review_changed_share']],
  ] as const) {
    doc.heading(3, title);
    fig.paragraph(ids.map((id) => rated(st.quality.data, st.quality.request, id)));
  }
  unavailable(st.quality);

  doc.heading(1, '信访部门转送、交办、督办情况');
  doc.heading(2, '转送、交办和上报');
  fig.paragraph([sentence((['forwarded', 'assigned', 'reported_up', 'not_accepted'] as const).map((id) => counted(ow.routing.data, ow.routing.request, id, '件')))]);
  doc.heading(2, '督办');
  fig.paragraph([
    sentence(
      (['registration_supervised', 'handling_supervised', 'assigned_supervised', 'review_supervised'] as const).map((id) =>
        counted(ow.supervision.data, ow.supervision.request, id, '件'),
      ),
    ),
  ]);
  const supervised = mostFirst((ow.supervisionByOrgan.data ?? []).filter((r) => r.dims.organ != null && (r.value ?? 0) > 0)).slice(0, 10);
  doc.table(
    '表3 办理超期督办较多的机关、单位',
    ['机关、单位', '办理超期督办（件）'],
    supervised.map((r) => [r.dims.organ!, fig.cell(fig.value(r, ow.supervisionByOrgan.request))]),
  );
  unavailable(ow.routing, ow.supervisionByOrgan);

  doc.heading(1, '信访部门提出改进工作、完善政策、追究责任建议及其被采纳情况');
  const recReq = rec.totals.request;
  const issued = byMeasure(rec.totals.data, 'recommendations_issued');
  fig.paragraph([
    fig.say('全年提出改进工作、完善政策、追究责任建议', fig.value(issued?.current, recReq), '件', fig.opt('，', fig.change(issued, recReq)), '。'),
    fig.say('建议采纳率', fig.value(byMeasure(rec.totals.data, 'recommendation_adoption_rate')?.current, recReq), '。'),
    fig.say('逾期未反馈的', fig.value(byMeasure(rec.totals.data, 'recommendation_feedback_overdue')?.current, recReq), '件。'),
  ]);
  const kindName = (k: string | null | undefined) => (k && k in RECOMMENDATION_KINDS ? RECOMMENDATION_KINDS[k as keyof typeof RECOMMENDATION_KINDS] : '未分类');
  doc.table(
    '表4 三项建议及采纳情况',
    ['建议类别', '提出（件）', '采纳率'],
    rowsOf(rec.byKind.data, 'recommendations_issued').map((r) => [
      `${kindName(r.dims.recommendation_kind)}建议`,
      fig.cell(fig.value(r, rec.byKind.request)),
      fig.cell(fig.value(rec.byKind.data?.find((x) => x.measure === 'recommendation_adoption_rate' && x.dims.recommendation_kind === r.dims.recommendation_kind), rec.byKind.request)),
    ]),
  );
  unavailable(rec.totals);

  doc.heading(1, '其他应当报告的事项');
  doc.heading(2, '矛盾纠纷排查化解');
  const disputes = other.disputes.data;
  const screened = byMeasure(disputes, 'disputes_screened');
  fig.paragraph([
    fig.say('全年排查矛盾纠纷', fig.value(screened?.current, other.disputes.request), '件', fig.opt('，', fig.change(screened, other.disputes.request)), '。'),
    rated(disputes, other.disputes.request, 'dispute_resolution_rate'),
  ]);
  unavailable(other.disputes);

  doc.heading(2, '信访工作责任落实');
  const duties = (other.duties.data ?? []).filter((r) => r.value !== null && r.dims.duty != null).sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
  doc.paragraph([duties.length ? `有期末结果的定期职责${duties.length}项，各项按期履行情况见表5（按期履行率由低到高）。` : null]);
  doc.table(
    '表5 定期职责按期履行情况',
    ['职责', '按期履行率', '期末结果（期）'],
    duties.map((r) => [names.duty(r.dims.duty!), fig.cell(fig.value(r, other.duties.request)), r.denominator === undefined ? '—' : countText(r.denominator)]),
  );
  unavailable(other.duties);

  doc.heading(2, '责任追究');
  const acc = other.accountability.data;
  const accReq = other.accountability.request;
  const steps = mostFirst(rowsOf(other.accountabilityByStep.data, 'accountability_steps').filter((r) => r.dims.ladder_step != null && (r.value ?? 0) > 0));
  fig.paragraph([
    sentence([counted(acc, accReq, 'accountability_cases', '件'), counted(acc, accReq, 'accountability_steps', '次')]),
    steps.length ? fig.say('按处理方式分：', listed(steps, other.accountabilityByStep.request, (r) => names.ladderStep(r.dims.ladder_step!), '次'), '。') : null,
  ]);
  unavailable(other.accountability);

  const figures = fig.list;
  const definitions = fig.definitions();
  return {
    kind: 'annual',
    title: `${regionName}${data.year}年度信访工作情况报告`,
    subtitle: `（统计期间：${data.year}年1月1日至12月31日；数据截至${chineseDate(data.asOf)}）`,
    blocks: doc.blocks,
    appendix: appendix(figures, definitions, names),
    figures,
    definitions,
    meta: { region: data.region.code, regionName, year: data.year, asOf: data.asOf, template: ANNUAL_TEMPLATE },
  };
}

/** The date basis' Chinese name: the catalog writes 'date of receipt (登记日期)'. */
const basisZh = (basis: string) => /\(([^)]+)\)/.exec(basis)?.[1] ?? basis;

/**
 * The traceability appendix: each measure's definition once, then every figure in the order it
 * is printed, with where, its measure, region, period and filters, date basis and as-of date.
 */
function appendix(figures: TracedFigure[], definitions: MeasureDefinition[], names: Names): Block[] {
  const dimText = (f: TracedFigure) =>
    Object.entries(f.dims)
      .map(([d, v]) => {
        const value = v == null ? '（未记录）' : d === 'district' || d === 'street' ? names.region(v) : d === 'channel' && v in CHANNELS ? CHANNELS[v as keyof typeof CHANNELS] : v;
        return `${DIMENSIONS[d as DimensionId].labelZh}：${value}`;
      })
      .join('；');
  const derivation = { value: '', change: '（同比变化，百分点）', relative: '（同比增减幅度）' } as const;
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
        `${describe(f.measure).labelZh}${derivation[f.derivation]}`,
        [`${names.region(f.request.region ?? '')}`, `${f.request.from}至${f.request.to}`, dimText(f)].filter(Boolean).join('；'),
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

export interface AnnualReportRequest {
  year: number;
  region: string;
  asOf: PlainDate;
  jurisdiction: string;
}

export async function annualReportDocument(store: AnalyticsStore, request: AnnualReportRequest): Promise<{ dataset: AnnualDataset; document: ReportDocument }> {
  const dataset = await annualDataset(store, { year: request.year, region: request.region, asOf: request.asOf });
  return { dataset, document: buildAnnualReport(dataset, await reportNames(store, request.jurisdiction, request.asOf)) };
}

