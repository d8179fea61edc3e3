/**
 * The annual report (年度信访工作情况报告; 2022 Regulations art. 41, DOMAIN §8) as a document:
 * its four parts in the article's order, every sentence made from the annual dataset's figures
 * and left out when its figure is missing, never guessed. The dataset is as of a date, so the
 * same region, year and as-of date give the same report.
 */
import { CHANNELS, PETITION_CLASSES } from '../../domain/case.js';
import { RECOMMENDATION_KINDS } from '../../domain/recommendation.js';
import type { PlainDate } from '../../rules/plain-date.js';
import { annualDataset, type AnnualDataset, type Figure } from '../metrics/annual.js';
import type { MeasureId } from '../metrics/catalog.js';
import { describe, type MetricRow } from '../metrics/query.js';
import type { AnalyticsStore } from '../store.js';
import { countText, DocumentBuilder, type ReportDocument } from './document.js';
import { appendix, byMeasure, chineseDate, Figures, mostFirst, reportNames, rowsOf, type Names } from './figures.js';

/** Bumped when the template's wording or layout changes, so a stored report says which made it. */
export const ANNUAL_TEMPLATE = 'annual@1';

const UNAVAILABLE = '本项数据不按街道（乡镇）统计，见所属区的年度报告。';

export function buildAnnualReport(data: AnnualDataset, names: Names): ReportDocument {
  const doc = new DocumentBuilder();
  const fig = new Figures(doc);
  const regionName = names.region(data.region.code);
  const { statistics: st, officeWork: ow, recommendations: rec, other } = data;
  const unavailable = (...figures: Figure<unknown>[]) => {
    if (figures.some((f) => f.data === null)) doc.paragraph([UNAVAILABLE]);
  };
  const { counted, rated, sentence, listed } = fig;

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
    meta: { region: data.region.code, regionName, from: `${data.year}-01-01`, to: `${data.year}-12-31`, asOf: data.asOf, template: ANNUAL_TEMPLATE },
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

