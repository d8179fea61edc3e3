/**
 * The inspection brief (巡视巡察信访情况简报; issue 16) as a document: the petition picture of one
 * region or one organ over any period, for an inspection team. Every sentence is made from the
 * inspection dataset's figures and left out when its figure is missing, never guessed; as of
 * the same date, the same region or organ and period give the same brief.
 */
import { CHANNELS } from '../../domain/case.js';
import { RECOMMENDATION_KINDS } from '../../domain/recommendation.js';
import { addDays, lastDayOfMonth, parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import type { Figure } from '../metrics/annual.js';
import type { MeasureId } from '../metrics/catalog.js';
import { inspectionDataset, type InspectionDataset } from '../metrics/inspection.js';
import type { Compared } from '../metrics/compare.js';
import { describe, type MetricRow } from '../metrics/query.js';
import type { AnalyticsStore } from '../store.js';
import type { ChartSpec } from './charts.js';
import { DocumentBuilder, type ReportDocument } from './document.js';
import { appendix, byMeasure, chineseDate, Figures, mostFirst, reportNames, rowsOf, type Names, type Part, type Pending, type Request } from './figures.js';

/** Bumped when the template's wording or layout changes, so a stored report says which made it. */
export const INSPECTION_TEMPLATE = 'inspection@1';

const UNAVAILABLE = '本项数据不按街道（乡镇）统计，见所属区的简报。';
/** More buckets than this go in a table: a chart's labels would run into each other. */
const CHART_BUCKETS = 14;

const md = (d: string) => `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日`;

/** "2025年3月15日至9月30日", the year said once when both ends share it. */
export function periodText(from: string, to: string): string {
  return from.slice(0, 4) === to.slice(0, 4) ? `${chineseDate(from)}至${md(to)}` : `${chineseDate(from)}至${chineseDate(to)}`;
}

/**
 * A week or a month within the period, by name: the first and last weeks (or months) count only
 * the period's days, and their name says so ("3月15日至16日"); across years a name has its year.
 */
function bucket(data: InspectionDataset, row: MetricRow): { name: string; whole: boolean } {
  const acrossYears = data.from.slice(0, 4) !== data.to.slice(0, 4);
  const [start, end] =
    data.grain === 'week'
      ? [parsePlainDate(row.dims.week!), addDays(parsePlainDate(row.dims.week!), 6)]
      : [parsePlainDate(`${row.dims.month!}-01`), lastDayOfMonth(parsePlainDate(`${row.dims.month!}-01`))];
  const from = start < data.from ? data.from : start;
  const to = end > data.to ? data.to : end;
  const whole = from === start && to === end;
  const year = acrossYears ? `${Number(from.slice(0, 4))}年` : '';
  if (data.grain === 'month' && whole) return { name: `${year}${Number(from.slice(5, 7))}月`, whole };
  const last = from.slice(0, 7) === to.slice(0, 7) ? `${Number(to.slice(8, 10))}日` : md(to);
  return { name: `${year}${md(from)}至${last}`, whole };
}

const channelName = (r: MetricRow) => (r.dims.channel && r.dims.channel in CHANNELS ? CHANNELS[r.dims.channel as keyof typeof CHANNELS] : '未记录渠道');
const kindName = (k: string | null | undefined) => (k && k in RECOMMENDATION_KINDS ? RECOMMENDATION_KINDS[k as keyof typeof RECOMMENDATION_KINDS] : '未分类');

export function buildInspectionReport(data: InspectionDataset, names: Names): ReportDocument {
  const doc = new DocumentBuilder();
  const fig = new Figures(doc);
  const { rated, listed } = fig;
  const regionName = names.region(data.region.code);
  const organ = data.organ;
  const subject = organ?.nameZh ?? regionName;
  const period = periodText(data.from, data.to);
  const unavailable = (...figures: Figure<unknown>[]) => {
    if (figures.some((f) => f.data === null)) doc.paragraph([UNAVAILABLE]);
  };
  // Figures and tables are numbered as they are placed: a part without data has none.
  let charts = 0;
  let tables = 0;
  const chart = (caption: string, spec: ChartSpec) => doc.chart(`图${++charts} ${caption}`, spec);
  const table = (caption: string, head: string[], rows: string[][]) => {
    if (rows.length) doc.table(`表${++tables} ${caption}`, head, rows);
  };
  /** "lead A；B；C。" of the clauses that could be made; nothing when none could. */
  const led = (lead: string, clauses: Part[]): Pending | null => {
    const made = fig.present(clauses);
    return made.length ? fig.say(lead, fig.join(made, '；'), '。') : null;
  };
  /** "办理超期督办5件，同比下降37.5%": a count and its change when there is one. */
  const tally = (rows: Compared[] | null, request: Request, id: MeasureId, unit: string): Pending | null => {
    const c = byMeasure(rows, id);
    return fig.say(describe(id).labelZh, fig.value(c?.current, request), unit, fig.opt('，', fig.change(c, request)));
  };

  doc.paragraph([`现将${period}${subject}信访工作情况简报如下，供巡视巡察参考。`]);

  doc.heading(1, organ ? '经办信访事项总量和走势' : '信访总量和走势');
  const { totals, byPeriod } = data.volume;
  const req = totals.request;
  const cases = byMeasure(totals.data, 'cases');
  const collective = byMeasure(totals.data, 'collective_cases');
  const first = byMeasure(totals.data, 'first_petitions');
  fig.paragraph([
    fig.say(
      `${period}，${subject}${organ ? '经办' : '共登记'}信访事项`,
      fig.value(cases?.current, req),
      '件',
      fig.opt('，涉及', fig.value(byMeasure(totals.data, 'persons')?.current, req), '人次'),
      '。',
    ),
    fig.say(organ ? '经办量' : '信访总量', fig.change(cases, req), '，上年同期', fig.previous(cases, req), '件。'),
    fig.say('其中，集体访', fig.value(collective?.current, req), '批次', fig.opt('，', fig.change(collective, req)), '；'),
    fig.say('初信初访', fig.value(first?.current, req), '件', fig.opt('，', fig.change(first, req)), '。'),
  ]);
  const buckets = rowsOf(byPeriod.data, 'cases').map((row) => ({ row, ...bucket(data, row) }));
  const unit = data.grain === 'week' ? '周' : '月';
  // The most and the fewest among whole weeks (months): a part of one at either end is no match for them.
  const whole = buckets.filter((b) => b.whole && (b.row.value ?? 0) > 0).sort((a, b) => (b.row.value ?? 0) - (a.row.value ?? 0));
  const peak = whole[0];
  const low = whole.length > 1 ? whole[whole.length - 1] : undefined;
  if (peak) {
    fig.paragraph([
      fig.say(
        `从${whole.length < buckets.length ? `统计期间内的整${unit}` : `各${unit}`}看，登记量最多的是${peak.name}（`,
        fig.value(peak.row, byPeriod.request),
        '件）',
        low ? fig.opt(`，最少的是${low.name}（`, fig.value(low.row, byPeriod.request), '件）') : '',
        '。',
      ),
    ]);
  }
  if (buckets.some((b) => (b.row.value ?? 0) > 0)) {
    const caption = `各${unit}信访事项登记量（件）`;
    if (buckets.length <= CHART_BUCKETS) {
      chart(caption, {
        type: 'bar',
        // Date ranges and years make long labels: they read better down the side.
        horizontal: buckets.some((b) => b.name.length > 3),
        unit: '件',
        categories: buckets.map((b) => b.name),
        series: [{ name: '信访事项', values: buckets.map((b) => (fig.cell(fig.value(b.row, byPeriod.request)), b.row.value)) }],
      });
    } else {
      table(caption, [unit === '周' ? '周' : '月份', '信访事项（件）'], buckets.map((b) => [b.name, fig.cell(fig.value(b.row, byPeriod.request))]));
    }
  }
  unavailable(totals, byPeriod);

  doc.heading(1, '信访事项分布');
  const { byField, byChannel, byArea, organs } = data.distribution;
  doc.heading(2, '涉及领域');
  const fields = mostFirst(rowsOf(byField.data, 'cases').filter((r) => r.dims.field != null && (r.value ?? 0) > 0));
  const top = fields.slice(0, 3);
  fig.paragraph([
    fields.length === 1
      ? fig.say(`信访事项均涉及${fields[0]!.dims.field!}领域（`, fig.value(fields[0], byField.request), '件）。')
      : top.length
        ? fig.say(`信访事项涉及领域居前${top.length}位的是：`, listed(top, byField.request, (r) => r.dims.field!, '件', true), '。')
        : null,
  ]);
  const shownFields = fields.slice(0, 10);
  if (shownFields.length > 1) {
    chart(`信访事项涉及领域（前${shownFields.length}位，件）`, {
      type: 'bar',
      horizontal: true,
      unit: '件',
      categories: shownFields.map((r) => r.dims.field!),
      series: [{ name: '信访事项', values: shownFields.map((r) => (fig.cell(fig.value(r, byField.request)), r.value)) }],
    });
  }

  doc.heading(2, '信访渠道');
  const channels = mostFirst(rowsOf(byChannel.data, 'cases').filter((r) => (r.value ?? 0) > 0));
  fig.paragraph([channels.length ? fig.say('从渠道看，', listed(channels, byChannel.request, channelName, '件'), '。') : null]);

  if (byArea) {
    const area = byArea.request.by?.[0] === 'district' ? 'district' : 'street';
    const areaLabel = area === 'district' ? '区' : '街道（乡镇）';
    doc.heading(2, area === 'district' ? '地区分布' : '街道（乡镇）分布');
    const areaCases = mostFirst(rowsOf(byArea.data, 'cases').filter((r) => r.dims[area] != null));
    const most = areaCases[0];
    if (most) fig.paragraph([fig.say(`信访事项最多的${areaLabel}是${names.region(most.dims[area]!)}（`, fig.value(most, byArea.request), '件）。')]);
    const areaRate = (id: MeasureId, code: string) => byArea.data?.find((r) => r.measure === id && r.dims[area] === code);
    table(
      `各${areaLabel}信访事项`,
      [areaLabel, '信访事项（件）', '按期办结率', '满意率'],
      areaCases.map((r) => [
        names.region(r.dims[area]!),
        fig.cell(fig.value(r, byArea.request)),
        fig.cell(fig.value(areaRate('on_time_completion_rate', r.dims[area]!), byArea.request)),
        fig.cell(fig.value(areaRate('satisfaction_rate', r.dims[area]!), byArea.request)),
      ]),
    );
  }
  if (organs) {
    doc.heading(2, '办理信访事项较多的机关、单位');
    const list = (organs.data ?? []).filter((r) => (r.value ?? 0) > 0);
    fig.paragraph([list.length ? fig.say('办理信访事项较多的机关、单位依次为：', listed(list.slice(0, 3), organs.request, (r) => r.dims.organ!, '件', true), '。') : null]);
    table(`办理信访事项较多的机关、单位（前${list.length}位）`, ['机关、单位', '信访事项（件）'], list.map((r) => [r.dims.organ!, fig.cell(fig.value(r, organs.request))]));
  }

  doc.heading(1, organ ? '办理质量和群众评价' : '信访事项办理情况');
  const { quality, presses, supervision } = data.handling;
  doc.heading(2, organ ? '按期办结和群众评价' : '受理、办结和群众评价');
  fig.paragraph((quality.request.measures as readonly MeasureId[]).map((id) => rated(quality.data, quality.request, id)));
  doc.heading(2, '信访人催办');
  const pressed = byMeasure(presses.data, 'presses');
  fig.paragraph([
    fig.say(
      organ ? '信访人就该单位超期未办的事项催办' : '信访人就超期未办的事项催办',
      fig.value(pressed?.current, presses.request),
      '次',
      fig.opt('，', fig.change(pressed, presses.request)),
      '。',
    ),
  ]);
  doc.heading(2, '超期督办');
  fig.paragraph([
    led(
      organ ? '针对该单位的' : '',
      (supervision.request.measures as readonly MeasureId[]).map((id) => tally(supervision.data, supervision.request, id, '件')),
    ),
  ]);
  unavailable(quality, presses, supervision);

  doc.heading(1, '责任落实和责任追究');
  const { duties, accountability, accountabilityByStep } = data.responsibility;
  doc.heading(2, '定期职责履行');
  const withFinding = (duties.data ?? []).filter((r) => r.value !== null && r.dims.duty != null).sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
  const missed = withFinding.filter((r) => (r.value ?? 0) < 1);
  fig.paragraph([
    missed.length
      ? fig.say('未全部按期履行的定期职责有：', listed(missed, duties.request, (r) => `${names.duty(r.dims.duty!)}（按期履行率`, '）'), '。')
      : withFinding.length
        ? '统计期间期满的定期职责均按期履行。'
        : duties.data
          ? '统计期间没有期满并已有结果的定期职责。'
          : null,
  ]);
  table(`定期职责按期履行情况`, ['职责', '按期履行率'], withFinding.map((r) => [names.duty(r.dims.duty!), fig.cell(fig.value(r, duties.request))]));
  unavailable(duties);

  doc.heading(2, '责任追究');
  const accReq = accountability.request;
  const steps = mostFirst(rowsOf(accountabilityByStep.data, 'accountability_steps').filter((r) => r.dims.ladder_step != null && (r.value ?? 0) > 0));
  fig.paragraph([
    led(organ ? '涉及该单位的' : '', [tally(accountability.data, accReq, 'accountability_cases', '件'), tally(accountability.data, accReq, 'accountability_steps', '次')]),
    steps.length ? fig.say('按处理方式分：', listed(steps, accountabilityByStep.request, (r) => names.ladderStep(r.dims.ladder_step!), '次'), '。') : null,
  ]);
  unavailable(accountability);

  doc.heading(1, organ ? '收到的三项建议及反馈' : '三项建议及反馈');
  const rec = data.recommendations;
  const recReq = rec.totals.request;
  const issued = byMeasure(rec.totals.data, 'recommendations_issued');
  fig.paragraph([
    fig.say(
      organ ? '信访部门向该单位提出改进工作、完善政策、追究责任建议' : '信访部门提出改进工作、完善政策、追究责任建议',
      fig.value(issued?.current, recReq),
      '件',
      fig.opt('，', fig.change(issued, recReq)),
      '。',
    ),
    fig.say('已书面反馈的建议中，采纳率', fig.value(byMeasure(rec.totals.data, 'recommendation_adoption_rate')?.current, recReq), '。'),
    fig.say('逾期未反馈的', fig.value(byMeasure(rec.totals.data, 'recommendation_feedback_overdue')?.current, recReq), '件。'),
  ]);
  const kinds = rowsOf(rec.byKind.data, 'recommendations_issued').filter((r) => (r.value ?? 0) > 0);
  table(
    `三项建议及采纳情况`,
    ['建议类别', '提出（件）', '采纳率'],
    kinds.map((r) => [
      `${kindName(r.dims.recommendation_kind)}建议`,
      fig.cell(fig.value(r, rec.byKind.request)),
      fig.cell(fig.value(rec.byKind.data?.find((x) => x.measure === 'recommendation_adoption_rate' && x.dims.recommendation_kind === r.dims.recommendation_kind), rec.byKind.request)),
    ]),
  );
  unavailable(rec.totals);

  const figures = fig.list;
  const definitions = fig.definitions();
  const asOfText = `数据截至${chineseDate(data.asOf)}`;
  return {
    kind: 'inspection',
    title: organ ? `关于${organ.nameZh}信访工作情况的简报` : `关于${regionName}信访工作情况的简报（供巡视巡察参考）`,
    subtitle: organ ? `（${regionName}；供巡视巡察参考；统计期间：${period}；${asOfText}）` : `（统计期间：${period}；${asOfText}）`,
    blocks: doc.blocks,
    appendix: appendix(figures, definitions, names),
    figures,
    definitions,
    meta: {
      region: data.region.code,
      regionName,
      from: data.from,
      to: data.to,
      asOf: data.asOf,
      template: INSPECTION_TEMPLATE,
      ...(organ ? { organ: organ.code } : {}),
    },
  };
}

export interface InspectionReportRequest {
  from: PlainDate;
  to: PlainDate;
  asOf: PlainDate;
  /** A region's brief, or an organ's (its region is the organ's own). */
  subject: { region: string } | { organ: string };
  jurisdiction: string;
}

export async function inspectionReportDocument(store: AnalyticsStore, request: InspectionReportRequest): Promise<{ dataset: InspectionDataset; document: ReportDocument }> {
  const dataset = await inspectionDataset(store, { from: request.from, to: request.to, asOf: request.asOf, ...request.subject });
  return { dataset, document: buildInspectionReport(dataset, await reportNames(store, request.jurisdiction, request.asOf)) };
}
