/**
 * The quarterly analysis of the petition situation (季度信访形势分析; Xianning measures art. 7,
 * DOMAIN §5) as a document: the overall picture against the quarter before (环比) and the same
 * quarter a year before (同比), the emerging fields and places, collective and repeat petitions,
 * and the quarter's early-warning alerts. Every sentence is made from the quarterly dataset's
 * figures and left out when a figure is missing; what would need a person's judgement (the
 * causes, the work proposed: 工作建议) is not written at all.
 */
import { ALERT_KINDS as ALERT_KIND_NAMES, ALERT_SEVERITIES, ALERT_STATUSES } from '../../domain/alert-names.js';
import { CHANNELS, PETITION_CLASSES } from '../../domain/case.js';
import type { PlainDate } from '../../rules/plain-date.js';
import type { AlertRow } from '../early-warning/alerts.js';
import type { Figure } from '../metrics/annual.js';
import { isMeasureId, type DimensionId, type MeasureId } from '../metrics/catalog.js';
import type { Compared } from '../metrics/compare.js';
import { describe, type MetricRow } from '../metrics/query.js';
import {
  EMERGING_LIMIT,
  EMERGING_MIN_GROWTH,
  EMERGING_MIN_INCREASE,
  quarterlyDataset,
  type Comparisons,
  type Emerging,
  type QuarterAlert,
  type QuarterlyDataset,
} from '../metrics/quarterly.js';
import type { AnalyticsStore } from '../store.js';
import { countText, DocumentBuilder, type Block, type ReportDocument } from './document.js';
import { appendix, chineseDate, Figures, mostFirst, reportNames, type Names, type Pending, type Request } from './figures.js';

/** Bumped when the template's wording or layout changes, so a stored report says which made it. */
export const QUARTERLY_TEMPLATE = 'quarterly@1';

/** The most alerts the table lists, the most severe first; the sentences count them all. */
export const ALERT_TABLE_MAX = 50;

const QUARTER_NAMES = ['一', '二', '三', '四'] as const;

const zh = <K extends string>(names: Record<K, readonly [string, string]>) => Object.fromEntries(Object.entries(names).map(([k, v]) => [k, (v as readonly [string, string])[0]])) as Record<K, string>;
const ALERT_KINDS = zh(ALERT_KIND_NAMES);
const SEVERITIES: Record<AlertRow['severity'], string> = zh(ALERT_SEVERITIES);
const STATUSES: Record<AlertRow['status'], string> = zh(ALERT_STATUSES);
const SEVERITY_ORDER: AlertRow['severity'][] = ['serious', 'warning', 'info'];

const monthName = (r: MetricRow) => `${Number(r.dims.month!.slice(5))}月`;
const channelName = (r: MetricRow) => (r.dims.channel && r.dims.channel in CHANNELS ? CHANNELS[r.dims.channel as keyof typeof CHANNELS] : '未记录渠道');
const currentOf = (rows: Compared[] | undefined, id: MeasureId, where: (c: Compared) => boolean = () => true) =>
  (rows ?? []).filter((c) => c.measure === id && where(c));
const flagged = (dimension: DimensionId) => (c: Compared) => c.dims[dimension] === 'true';

export function buildQuarterlyReport(data: QuarterlyDataset, names: Names): ReportDocument {
  const doc = new DocumentBuilder();
  const fig = new Figures(doc);
  const regionName = names.region(data.region.code);
  const quarterName = `第${QUARTER_NAMES[data.quarter - 1]}季度`;
  const { overall, emerging, collective, repeat } = data;

  /** "环比上升3.0%（上季度30件），同比下降1.2%（上年同期33件）" after a subject; null when neither comparison can be made. */
  const changes = (subject: string, pop: Compared | undefined, yoy: Compared | undefined, req: Request, unit: string | null): Pending | null => {
    const previous = (c: Compared | undefined, mode: 'pop' | 'yoy') =>
      unit === null ? '' : fig.opt(mode === 'pop' ? '（上季度' : '（上年同期', fig.previous(c, req, mode), unit, '）');
    const made = fig.present([fig.say(fig.change(pop, req, 'pop'), previous(pop, 'pop')), fig.say(fig.change(yoy, req, 'yoy'), previous(yoy, 'yoy'))]);
    return made.length ? fig.say(subject, fig.join(made, '，')) : null;
  };
  /** One measure's comparisons in a figure of both: the rows with the same measure and dimension values. */
  const pair = (d: Comparisons | null, id: MeasureId, where: (c: Compared) => boolean = () => true) => ({
    pop: d?.pop.find((c) => c.measure === id && where(c)),
    yoy: d?.yoy.find((c) => c.measure === id && where(c)),
  });
  const sameDims = (a: Compared) => (b: Compared) => JSON.stringify(a.dims) === JSON.stringify(b.dims);
  /** "集体访较多的领域依次为：A（12批次）、B（9批次）。": the three largest of the quarter above zero; null when none is. */
  const most = (lead: string, rows: Compared[], req: Request, label: (c: Compared) => string, unit: string) => {
    const largest = mostFirst(rows.map((c) => c.current).filter((r) => (r.value ?? 0) > 0)).slice(0, 3);
    return largest.length ? fig.say(lead, fig.listed(largest, req, (r) => label(rows.find((c) => c.current === r)!), unit, true), '。') : null;
  };

  doc.heading(1, '总体情况');
  const totals = overall.totals;
  const req = totals.request;
  const cases = pair(totals.data, 'cases');
  fig.paragraph([
    fig.say(
      `${data.year}年${quarterName}，${regionName}共登记信访事项`,
      fig.value(cases.yoy?.current, req),
      '件',
      fig.opt('，涉及', fig.value(pair(totals.data, 'persons').yoy?.current, req), '人次'),
      '。',
    ),
    fig.say(changes('信访总量', cases.pop, cases.yoy, req, '件'), '。'),
    ...([['collective_cases', '集体访', '批次'], ['first_petitions', '初信初访', '件']] as const).map(([id, label, unit]) => {
      const c = pair(totals.data, id);
      return fig.say(label, fig.value(c.yoy?.current, req), unit, fig.opt('，', changes('', c.pop, c.yoy, req, null)), '。');
    }),
    data.complete ? null : `本季度截至${chineseDate(data.asOf)}尚未结束，以上环比、同比均与上季度、上年同期相同天数内的数据比较。`,
  ]);

  const months = (overall.byMonth.data ?? []).filter((r) => r.measure === 'cases');
  fig.paragraph([months.length ? fig.say('从各月看，', fig.listed(months, overall.byMonth.request, monthName, '件'), '。') : null]);
  if (months.length) {
    const series = (id: MeasureId) => {
      const rows = (overall.byMonth.data ?? []).filter((r) => r.measure === id);
      return { name: describe(id).labelZh, values: months.map((m) => rows.find((r) => r.dims.month === m.dims.month)).map((r) => (fig.cell(fig.value(r, overall.byMonth.request)), r?.value ?? null)) };
    };
    doc.chart(`图1 ${data.year}年${quarterName}各月信访事项登记量（件）`, {
      type: 'bar',
      unit: '件',
      categories: months.map(monthName),
      series: [series('cases'), series('first_petitions')],
    });
  }
  // Two series, as many as the print palette has colours; the collective visits are in the text.
  const compare = (['cases', 'first_petitions'] as const).map((id) => ({ id, ...pair(totals.data, id) }));
  if (compare.some((c) => c.yoy)) {
    doc.chart(`图2 本季度与上季度、上年同期比较（件）`, {
      type: 'bar',
      unit: '件',
      categories: ['上年同期', '上季度', '本季度'],
      series: compare.map((c) => ({
        name: describe(c.id).labelZh,
        values: [
          (fig.cell(fig.previous(c.yoy, req, 'yoy')), c.yoy?.previous?.value ?? null),
          (fig.cell(fig.previous(c.pop, req, 'pop')), c.pop?.previous?.value ?? null),
          (fig.cell(fig.value(c.yoy?.current, req)), c.yoy?.current.value ?? null),
        ],
      })),
    });
  }

  const channels = mostFirst((overall.byChannel.data ?? []).filter((r) => r.measure === 'cases'));
  fig.paragraph([channels.length ? fig.say('从渠道看，', fig.listed(channels, overall.byChannel.request, channelName, '件'), '。') : null]);
  const quality = overall.quality;
  fig.paragraph(
    (['timely_acceptance_rate', 'on_time_completion_rate', 'participation_rate', 'satisfaction_rate', 'skip_level_rate'] as const).map((id) => {
      const c = pair(quality.data, id);
      return fig.say(describe(id).labelZh, fig.value(c.yoy?.current, quality.request), fig.opt('，', changes('', c.pop, c.yoy, quality.request, null)), '。');
    }),
  );

  doc.heading(1, '突出问题和新情况');
  const emergingRule =
    `本部分所称新增突出，是指本季度信访事项比上年同期增加${EMERGING_MIN_INCREASE}件以上、增幅在${Math.round(EMERGING_MIN_GROWTH * 100)}%以上` +
    `（上年同期没有的，只看增加件数），且比上季度有所增加；按比上年同期增加的件数由多到少，最多列出${EMERGING_LIMIT}个。`;
  doc.paragraph([emerging.comparable ? emergingRule : '上季度或上年同期没有登记信访事项，本季度不作新增突出的判断。']);
  const emergingPart = (
    heading: string,
    what: string,
    figure: Figure<Comparisons>,
    list: Emerging[],
    label: (key: string) => string,
    dimension: DimensionId,
    table: string,
  ) => {
    doc.heading(2, heading);
    const req = figure.request;
    const rows = currentOf(figure.data?.yoy, 'cases', (c) => c.dims[dimension] != null);
    fig.paragraph([most(`信访事项较多的${what}依次为：`, rows, req, (c) => label(c.dims[dimension]!), '件')]);
    if (!figure.data || !emerging.comparable) return;
    fig.paragraph([
      list.length
        ? fig.say(
            `新增突出的${what}有：`,
            fig.join(
              list.map((e) => fig.say(label(e.key), '（', fig.value(e.yoy.current, req), '件', fig.opt('，', changes('', e.pop, e.yoy, req, null)), '）')).filter((p): p is Pending => p !== null),
              '、',
            ),
            '。',
          )
        : `按上述标准，本季度没有新增突出的${what}。`,
    ]);
    doc.table(
      table,
      [what, '本季度（件）', '上季度（件）', '环比', '上年同期（件）', '同比'],
      list.map((e) => [
        label(e.key),
        fig.cell(fig.value(e.yoy.current, req)),
        fig.cell(fig.previous(e.pop, req, 'pop')),
        fig.cell(fig.change(e.pop, req, 'pop')),
        fig.cell(fig.previous(e.yoy, req, 'yoy')),
        fig.cell(fig.change(e.yoy, req, 'yoy')),
      ]),
    );
    if (list.some((e) => !e.pop.previous?.value || !e.yoy.previous?.value)) doc.paragraph(['表中“—”表示比较期间没有该类信访事项，无法计算增幅。']);
  };
  const area = emerging.byArea.data ? (emerging.byArea.request.by?.[0] as 'district' | 'street') : null;
  const areaLabel = area === 'district' ? '区' : '街道（乡镇）';
  emergingPart('涉及领域', '领域', emerging.byField, emerging.fields, (k) => k, 'field', '表1 新增突出的领域');
  if (area) emergingPart('地区分布', areaLabel, emerging.byArea, emerging.areas, (k) => names.region(k), area, `表2 新增突出的${areaLabel}`);

  doc.heading(1, '集体访和重复访');
  doc.heading(2, '集体访');
  const collectiveCases = pair(totals.data, 'collective_cases');
  const persons = pair(collective.persons.data, 'persons', flagged('collective'));
  fig.paragraph([
    fig.say('本季度登记集体访', fig.value(collectiveCases.yoy?.current, req), '批次', fig.opt('，涉及', fig.value(persons.yoy?.current, collective.persons.request), '人次'), '。'),
    fig.say(changes('集体访批次', collectiveCases.pop, collectiveCases.yoy, req, '批次'), '。'),
    fig.say(changes('集体访人次', persons.pop, persons.yoy, collective.persons.request, '人次'), '。'),
  ]);
  const collectiveFields = currentOf(collective.byField.data?.yoy, 'collective_cases', (c) => c.dims.field != null);
  fig.paragraph([most('集体访较多的领域依次为：', collectiveFields, collective.byField.request, (c) => c.dims.field!, '批次')]);
  doc.heading(2, '重复访');
  const repeated = pair(repeat.cases.data, 'cases', flagged('repeat_petition'));
  const repeatRate = pair(quality.data, 'repeat_rate');
  fig.paragraph([
    fig.say('本季度登记重信重访', fig.value(repeated.yoy?.current, repeat.cases.request), '件', fig.opt('，', changes('', repeated.pop, repeated.yoy, repeat.cases.request, '件')), '。'),
    fig.say(describe('repeat_rate').labelZh, fig.value(repeatRate.yoy?.current, quality.request), fig.opt('，', changes('', repeatRate.pop, repeatRate.yoy, quality.request, null)), '。'),
  ]);
  const repeatFields = currentOf(repeat.byField.data?.yoy, 'cases', (c) => flagged('repeat_petition')(c) && c.dims.field != null);
  fig.paragraph([most('重复访较多的领域依次为：', repeatFields, repeat.byField.request, (c) => c.dims.field!, '件')]);

  if (area) {
    const byPlace = (rows: Compared[] | undefined, id: MeasureId, flag?: DimensionId) => currentOf(rows, id, (c) => c.dims[area] != null && (!flag || flagged(flag)(c)));
    const collectiveAreas = byPlace(collective.byArea.data?.yoy, 'collective_cases');
    const repeatAreas = byPlace(repeat.byArea.data?.yoy, 'cases', 'repeat_petition');
    const places = [...new Set([...collectiveAreas, ...repeatAreas].filter((c) => (c.current.value ?? 0) > 0).map((c) => c.dims[area]!))];
    const value = (rows: Compared[], code: string) => rows.find((c) => c.dims[area] === code);
    const sorted = places.sort((a, b) => (value(collectiveAreas, b)?.current.value ?? 0) - (value(collectiveAreas, a)?.current.value ?? 0) || (value(repeatAreas, b)?.current.value ?? 0) - (value(repeatAreas, a)?.current.value ?? 0) || a.localeCompare(b));
    const cells = (figure: Figure<Comparisons>, c: Compared | undefined) => {
      const popOf = c && figure.data?.pop.find(sameDims(c));
      return [fig.cell(fig.value(c?.current, figure.request)), fig.cell(fig.change(popOf, figure.request, 'pop')), fig.cell(fig.change(c, figure.request, 'yoy'))];
    };
    doc.heading(2, `各${areaLabel}集体访和重复访`);
    fig.paragraph([
      most(`集体访较多的${areaLabel}依次为：`, collectiveAreas, collective.byArea.request, (c) => names.region(c.dims[area]!), '批次'),
      most(`重复访较多的${areaLabel}依次为：`, repeatAreas, repeat.byArea.request, (c) => names.region(c.dims[area]!), '件'),
    ]);
    doc.table(
      `表3 各${areaLabel}集体访和重复访`,
      [areaLabel, '集体访（批次）', '环比', '同比', '重复访（件）', '环比', '同比'],
      sorted.map((code) => [names.region(code), ...cells(collective.byArea, value(collectiveAreas, code)), ...cells(repeat.byArea, value(repeatAreas, code))]),
    );
  }

  doc.heading(1, '预警');
  warningPart(doc, data, names);

  const figures = fig.list;
  const definitions = fig.definitions();
  const period = `${data.year}年${Number(data.period.from.slice(5, 7))}月1日至${Number(data.period.to.slice(5, 7))}月${Number(data.period.to.slice(8))}日`;
  return {
    kind: 'quarterly',
    title: `${regionName}${data.year}年${quarterName}信访形势分析`,
    subtitle: data.complete
      ? `（统计期间：${period}；数据截至${chineseDate(data.asOf)}）`
      : `（统计期间：${period}；本季度尚未结束，数据截至${chineseDate(data.asOf)}）`,
    blocks: doc.blocks,
    appendix: [...appendix(figures, definitions, names), ...warningSource(data, names)],
    figures,
    definitions,
    meta: { region: data.region.code, regionName, from: data.period.from, to: data.period.to, asOf: data.asOf, template: QUARTERLY_TEMPLATE },
  };
}

/** The series an alert watches, in words: its place, field, channel, class and what it is about. */
function alertSeries(a: AlertRow, names: Names): string {
  const parts = [names.region(a.region_code), a.field ?? '全部领域', a.channel ? (CHANNELS[a.channel as keyof typeof CHANNELS] ?? a.channel) : '全部渠道'];
  if (a.petition_class) parts.push(PETITION_CLASSES[a.petition_class as keyof typeof PETITION_CLASSES] ?? a.petition_class);
  if (a.subject && a.kind === 'organ-rate-rise') {
    const [organ, measureId] = a.subject.split('|');
    parts.push(`${organ ?? ''}${measureId && isMeasureId(measureId) ? `（${describe(measureId).labelZh}）` : ''}`);
  } else if (a.subject && a.kind === 'organ-presses') parts.push(a.subject);
  else if (a.subject && a.kind === 'space-time-cluster') parts.push(a.subject.split(',').map((c) => names.region(c)).join('、'));
  // A petitioner's pseudonym stays in the system: a report goes round, and the alert's number finds it there.
  return parts.join('，');
}

function warningPart(doc: DocumentBuilder, data: QuarterlyDataset, names: Names): void {
  const { alerts, truncated, filter } = data.warnings;
  const count = (pick: (a: QuarterAlert) => string, order: readonly string[], label: (k: string) => string) =>
    order
      .map((k) => [k, alerts.filter((a) => pick(a) === k).length] as const)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${label(k)}${countText(n)}条`)
      .join('、');
  if (truncated) {
    doc.paragraph([`本季度首次发出的预警多于${filter.limit}条，不逐条统计；下表列出其中一部分。`]);
  } else if (!alerts.length) {
    doc.paragraph([`截至${chineseDate(data.asOf)}，本季度没有首次发出的预警。`]);
    return;
  } else {
    doc.paragraph([
      `本季度首次发出预警${countText(alerts.length)}条，其中${count((a) => a.alert.severity, SEVERITY_ORDER, (k) => SEVERITIES[k as AlertRow['severity']])}。`,
      `按类型分：${count((a) => a.alert.kind, Object.keys(ALERT_KINDS), (k) => ALERT_KINDS[k]!)}。`,
      `截至${chineseDate(data.asOf)}，${count((a) => a.status, ['open', 'acknowledged', 'dismissed'], (k) => STATUSES[k as AlertRow['status']])}。`,
    ]);
  }
  const sorted = [...alerts].sort(
    (a, b) =>
      SEVERITY_ORDER.indexOf(a.alert.severity) - SEVERITY_ORDER.indexOf(b.alert.severity) ||
      a.alert.first_period.localeCompare(b.alert.first_period) ||
      a.alert.alert_id.localeCompare(b.alert.alert_id),
  );
  const shown = sorted.slice(0, ALERT_TABLE_MAX);
  doc.table(
    `表4 本季度预警（按严重程度排列${shown.length < alerts.length ? `，列出前${shown.length}条` : ''}）`,
    ['预警编号', '类型', '地区和对象', '首次预警周', '持续周数', '严重程度', '状态'],
    shown.map(({ alert: a, status }) => [
      a.alert_id,
      ALERT_KINDS[a.kind] ?? a.kind,
      alertSeries(a, names),
      `${chineseDate(a.first_period)}起`,
      countText(a.run_length),
      `${SEVERITIES[a.severity]}${a.sensitive_period && a.severity !== a.base_severity ? '（敏感期上调）' : ''}`,
      STATUSES[status],
    ]),
  );
}

/** Where the warnings come from, for the appendix: they are alert records, not catalog measures. */
function warningSource(data: QuarterlyDataset, names: Names): Block[] {
  const { filter } = data.warnings;
  return [
    { kind: 'heading', level: 1, number: '三、', text: '预警来源' },
    {
      kind: 'paragraph',
      text:
        `第四部分的预警取自系统的预警记录（每周预警扫描写入），范围为${names.region(filter.region)}及其下辖地区、首次预警周（以周一计）在` +
        `${filter.raisedFrom}至${filter.raisedTo}之间、${data.asOf}日终以前已经记录的预警；状态为该日终的状态，持续周数和严重程度为生成报告时的记录。` +
        '可用 GET /api/v1/early-warning/alerts 按预警编号查阅。',
    },
  ];
}

export interface QuarterlyReportRequest {
  year: number;
  quarter: number;
  region: string;
  asOf: PlainDate;
  jurisdiction: string;
}

export async function quarterlyReportDocument(store: AnalyticsStore, request: QuarterlyReportRequest): Promise<{ dataset: QuarterlyDataset; document: ReportDocument }> {
  const dataset = await quarterlyDataset(store, { year: request.year, quarter: request.quarter, region: request.region, asOf: request.asOf });
  return { dataset, document: buildQuarterlyReport(dataset, await reportNames(store, request.jurisdiction, request.asOf)) };
}
