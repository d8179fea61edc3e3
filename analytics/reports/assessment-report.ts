/**
 * The annual assessment and its notice (年度信访工作考核通报; Beijing rules arts. 16-17, national
 * measures art. 10) as a document: the method (indicators, weights, bounds, the fair treatment
 * of small units, the notice's thresholds), the scores with their parts per unit type, and the
 * praise and criticism, each with the reason made from its figures. Every rate printed is a
 * traced figure; every score and point is traced in the appendix's scoring table to those
 * figures, the method version and the article.
 */
import type { PlainDate } from '../../rules/plain-date.js';
import type { AssessmentMethod, Citation } from '../assessment/method.js';
import { assess, type Assessment, type IndicatorScore, type NoticeEntry, type UnitScore } from '../assessment/score.js';
import { assessmentDataset, talliesOf, type AssessedUnit, type AssessmentDataset } from '../metrics/assessment.js';
import type { MeasureId } from '../metrics/catalog.js';
import { describe } from '../metrics/query.js';
import type { AnalyticsStore } from '../store.js';
import { countText, DocumentBuilder, percentText, type Block, type ReportDocument } from './document.js';
import { appendix, chineseDate, Figures, reportNames, type Names, type Pending } from './figures.js';

/** Bumped when the template's wording or layout changes, so a stored report says which made it. */
export const ASSESSMENT_TEMPLATE = 'assessment@1';

/** A score as printed: one decimal, as the method ranks it. */
export const scoreText = (printed: number): string => printed.toFixed(1);
/** An indicator's points as printed. */
export const pointsOf = (points: number): string => points.toFixed(2);

const DIRECTION = { higher: '越高越好', lower: '越低越好' } as const;
const citeZh = (c: Citation) => `《${c.document}》${c.article ?? ''}`;
/** Citations with their document named once: 《实施细则》第十六条、第十七条，《实施办法》第十条. */
const citesZh = (list: Citation[], separator = '，') => {
  const byDocument = new Map<string, string[]>();
  for (const c of list) if (c.article) byDocument.set(c.document, [...(byDocument.get(c.document) ?? []), c.article]);
  return [...byDocument].map(([d, articles]) => `《${d}》${articles.join('、')}`).join(separator);
};
/** 0.8 → 80%, 0.95 → 95%: a bound of the method, a parameter rather than a figure. */
const boundText = (x: number) => `${Number((x * 100).toFixed(2))}%`;

export function buildAssessmentReport(data: AssessmentDataset, result: Assessment, names: Names): ReportDocument {
  const doc = new DocumentBuilder();
  const fig = new Figures(doc);
  const { method } = data;
  const { praise, criticism } = method.notice;
  const cityName = names.region(data.region.code);
  const unitOf = new Map(data.units.map((u) => [u.code, u]));
  const rowOf = (u: AssessedUnit, id: MeasureId) => u.figure.data?.find((r) => r.measure === id);
  /** A unit's rate as a traced figure, null when it has none. */
  const rate = (u: AssessedUnit, id: MeasureId): Pending | null => fig.value(rowOf(u, id), u.figure.request);
  /** Places a figure and gives back its text and its id in the appendix. */
  const placed = (p: Pending | null): { text: string; id: string | null } => {
    const before = fig.list.length;
    const text = fig.cell(p);
    return { text, id: fig.list[before]?.id ?? null };
  };
  const groups = method.units.map((t) => t.groupZh).join('、');

  doc.heading(1, '考核依据和办法');
  doc.paragraph([
    `根据${citesZh(method.basis)}，对${groups}${data.year}年度信访工作情况进行考核。`,
    `考核按《${method.titleZh}》（${method.version}版，${chineseDate(method.effective)}起施行，适用于此后开始的考核年度）进行，以依法、及时、就地解决信访问题为导向，各项指标均取自信访事项和定期职责的办理记录，数据截至${chineseDate(data.asOf)}。`,
  ]);

  doc.heading(2, '考核指标、权重和计分');
  doc.table(
    '表1 考核指标和权重',
    ['指标', '方向', '权重（分）', '零分值', '满分值', '依据'],
    method.indicators.map((i) => [describe(i.measure).labelZh, DIRECTION[i.direction], countText(i.weight), boundText(i.zero), boundText(i.full), citesZh(i.basis, '；')]),
  );
  doc.paragraph([
    '各项指标在零分值与满分值之间按线性计分：得分＝权重×（调整值－零分值）÷（满分值－零分值），不低于0分，不高于权重。',
    `综合得分为各项指标得分之和；某项指标本年度无可统计的信访事项或职责期次的，不计为零分，综合得分按有数据指标的权重合计折算为百分制；有数据指标的权重合计不足${countText(method.coverage.minWeight)}分的单位，不予评分。`,
    '各项得分保留两位小数，综合得分保留一位小数，同分同名次。',
  ]);

  doc.heading(2, '小样本单位的公平处理');
  const { minCases } = method.smallUnits;
  doc.paragraph([
    `某项比率的统计基数不足${minCases}件（期）的，其比率按可信度向全市比率收缩后计分：可信度Z＝√（基数÷${minCases}），调整值＝Z×本单位比率＋（1－Z）×全市比率；基数达到${minCases}件（期）的，按本单位比率计分。`,
    '这样，基数很小的单位不因个别事项全部按期而居前，也不因一件事项超期而垫底。',
  ]);
  const cityIds = new Map<MeasureId, string>();
  const cityRows = data.jurisdictionRates.data ?? [];
  const cityClauses = method.indicators.map((i) => fig.say(describe(i.measure).labelZh, fig.value(cityRows.find((r) => r.measure === i.measure), data.jurisdictionRates.request)));
  const before = fig.list.length;
  fig.paragraph([fig.say(`${data.year}年全市`, fig.sentence(cityClauses))]);
  for (const f of fig.list.slice(before)) cityIds.set(f.measure, f.id);

  doc.heading(2, '通报标准');
  doc.paragraph([
    `综合得分不低于${countText(praise.minScore)}分、名次在本类单位前${countText(praise.topShare * 100)}%以内（至少第1名）且未被通报批评的，予以通报表扬；`,
    `综合得分低于${countText(criticism.belowScore)}分，或有${countText(criticism.missedDuty.minPeriods)}期以上定期职责未按期履行的，予以通报批评。`,
    `以上分数线和条件为本办法所定参数，${citeZh(praise.source)}规定表扬工作成效明显的、批评问题较多的地区和单位，未规定具体标准。`,
  ]);

  doc.heading(1, '考核结果');
  const rawIds = new Map<string, string>();
  let table = 2;
  for (const type of method.units) {
    doc.heading(2, type.groupZh);
    const scores = result.units.filter((u) => u.type === type.type);
    const scored = scores.filter((u) => u.printed !== null);
    const top = scored[0];
    const bottom = scored.at(-1);
    if (!scores.length) doc.paragraph([`本年度${type.groupZh}无参加考核的单位。`]);
    else if (!top) doc.paragraph([`${type.groupZh}本年度均无足够的考核数据，不予评分。`]);
    else if (scored.length === 1 || top.printed === bottom!.printed) doc.paragraph([`${type.groupZh}综合得分均为${scoreText(top.printed!)}分。`]);
    else doc.paragraph([`综合得分最高的是${top.name}（${scoreText(top.printed!)}分），最低的是${bottom!.name}（${scoreText(bottom!.printed!)}分），各单位得分及名次见表${table}。`]);
    doc.paragraph(missingSentences(method, scores, type.groupZh));

    doc.table(
      `表${table++} ${type.groupZh}考核得分（分；各项满分即权重，见表1）`,
      ['名次', type.labelZh, '综合得分', ...method.indicators.map((i) => describe(i.measure).labelZh)],
      scores.map((u) => [
        u.rank === null ? '—' : String(u.rank),
        u.name,
        u.printed === null ? '不予评分' : scoreText(u.printed),
        ...u.indicators.map((i) => (i.points === null ? '—' : pointsOf(i.points))),
      ]),
    );
    doc.table(
      `表${table++} ${type.groupZh}各项指标值`,
      [type.labelZh, ...method.indicators.map((i) => describe(i.measure).labelZh)],
      scores.map((u) => [
        u.name,
        ...method.indicators.map((i) => {
          const { text, id } = placed(rate(unitOf.get(u.code)!, i.measure));
          if (id) rawIds.set(`${u.code}|${i.measure}`, id);
          return text;
        }),
      ]),
    );
  }

  doc.heading(1, '通报');
  doc.heading(2, '通报表扬');
  fig.paragraph(
    result.praised.length
      ? [fig.say(`对以下地区和单位予以通报表扬：`, fig.join(result.praised.map((e) => praiseText(e, method)), '；'), '。')]
      : ['本年度没有达到通报表扬标准的地区和单位。'],
  );
  doc.heading(2, '通报批评');
  const criticised = result.criticised.map((e) => criticismText(fig, e, unitOf.get(e.code)!, rate));
  fig.paragraph(
    result.criticised.length
      ? [fig.say('对以下地区和单位予以通报批评：', fig.join(criticised, '；'), '。'), `对被通报批评的地区和单位，加强工作指导，督促解决存在的问题（${citeZh(criticism.source)}）。`]
      : ['本年度没有应予通报批评的地区和单位。'],
  );
  doc.paragraph([`考核结果作为对领导班子和领导干部综合考评的重要参考（${citeZh(method.basis[0]!)}）。`]);

  const figures = fig.list;
  const definitions = fig.definitions();
  return {
    kind: 'assessment',
    title: `${cityName}${data.year}年度信访工作考核情况的通报`,
    subtitle: `（考核年度：${data.year}年1月1日至12月31日；数据截至${chineseDate(data.asOf)}；${method.titleZh}${method.version}版）`,
    blocks: doc.blocks,
    appendix: [...appendix(figures, definitions, names), ...scoringAppendix(method, result, rawIds, cityIds)],
    figures,
    definitions,
    meta: { region: data.region.code, regionName: cityName, from: `${data.year}-01-01`, to: `${data.year}-12-31`, asOf: data.asOf, template: ASSESSMENT_TEMPLATE },
  };
}

/** Which indicators had nothing to measure, for whom, and that the score is rescaled; which units are not scored, and why. */
function missingSentences(method: AssessmentMethod, scores: UnitScore[], group: string): string[] {
  const scored = scores.filter((u) => u.printed !== null);
  const sentences = method.indicators.flatMap((rule, n) => {
    const without = scored.filter((u) => u.indicators[n]!.points === null);
    if (!without.length) return [];
    const who = without.length === scored.length && scored.length > 1 ? `${group}本年度均无` : `${without.map((u) => u.name).join('、')}本年度无`;
    return [`${who}${describe(rule.measure).labelZh}可统计，该项不计分，综合得分按其余指标折算。`];
  });
  // With nobody scored, the paragraph above has said it for all; a unit with some data still says why.
  for (const u of scores.filter((s) => s.printed === null && (scored.length > 0 || s.scoredWeight > 0))) {
    sentences.push(
      u.scoredWeight === 0
        ? `${u.name}本年度无可考核数据，不予评分。`
        : `${u.name}有数据的指标权重合计${countText(u.scoredWeight)}分，不足${countText(method.coverage.minWeight)}分，不予评分。`,
    );
  }
  return sentences;
}

function praiseText(e: NoticeEntry, method: AssessmentMethod): string {
  const group = method.units.find((t) => t.type === e.type)!.groupZh;
  const g = e.grounds.find((x) => x.kind === 'top-score')!;
  return `${e.name}（综合得分${scoreText(g.printed)}分，居${group}第${g.rank}名）`;
}

function criticismText(fig: Figures, e: NoticeEntry, unit: AssessedUnit, rate: (u: AssessedUnit, id: MeasureId) => Pending | null): Pending {
  const reasons: Pending[] = e.grounds.flatMap((g): Pending[] => {
    if (g.kind === 'low-score') {
      const weakest = rate(unit, g.weakest.measure);
      const clause = weakest ? [`，其中${g.weakest.labelZh}`, weakest, '，得分率最低'] : [];
      return [fig.join([`综合得分${scoreText(g.printed)}分，低于${countText(g.belowScore)}分`, ...clause], '')];
    }
    if (g.kind === 'missed-duty') {
      const duty = rate(unit, g.indicator);
      return [fig.join([describe(g.indicator).labelZh, ...(duty ? [duty] : []), '，有定期职责未按期履行'], '')];
    }
    return [];
  });
  return fig.join([`${e.name}（`, fig.join(reasons, '；'), '）'], '');
}

/**
 * The appendix's scoring tables: every point of every unit from its traced rate (by figure
 * number), the credibility and the city rate it was shrunk toward, and every score from its
 * points, with the method version.
 */
function scoringAppendix(method: AssessmentMethod, result: Assessment, rawIds: Map<string, string>, cityIds: Map<MeasureId, string>): Block[] {
  const ref = (text: string, id: string | undefined) => (id ? `${text}（${id}）` : text);
  const row = (u: UnitScore, i: IndicatorScore): string[] => {
    if (i.raw === null) return [u.name, i.labelZh, '无数据', '—', '—', '—', '—', '不计分', countText(i.weight)];
    const shrunk = i.credibility! < 1;
    return [
      u.name,
      i.labelZh,
      ref(percentText(i.raw), rawIds.get(`${u.code}|${i.measure}`)),
      countText(i.denominator),
      shrunk ? i.credibility!.toFixed(3) : '1',
      shrunk ? ref(percentText(i.jurisdictionRate!), cityIds.get(i.measure)) : '—',
      percentText(i.adjusted!),
      pointsOf(i.points!),
      countText(i.weight),
    ];
  };
  const notice = new Map<string, string>([
    ...result.praised.map((e) => [e.code, '通报表扬'] as const),
    ...result.criticised.map((e) => [e.code, '通报批评'] as const),
  ]);
  return [
    { kind: 'heading', level: 1, number: '三、', text: '评分计算' },
    {
      kind: 'paragraph',
      text:
        `下表按《${method.titleZh}》（${method.id} ${method.version}版）列出每个单位每项指标的计分过程：原始值后括注其在表A2中的编号，` +
        `基数不足${method.smallUnits.minCases}的注明可信度Z和收缩所向的全市比率；表A4由各项得分合成综合得分。`,
    },
    {
      kind: 'table',
      caption: '表A3 各项指标计分',
      head: ['单位', '指标', '原始值', '基数', '可信度Z', '全市比率', '调整值', '得分', '权重'],
      rows: result.units.flatMap((u) => u.indicators.map((i) => row(u, i))),
    },
    {
      kind: 'table',
      caption: '表A4 综合得分',
      head: ['单位', '有数据指标权重', '得分合计', '综合得分', '名次', '通报'],
      rows: result.units.map((u) => [
        u.name,
        countText(u.scoredWeight),
        pointsOf(u.indicators.reduce((s, i) => s + (i.points ?? 0), 0)),
        u.printed === null ? `不予评分（${u.scoredWeight === 0 ? '无数据' : `不足${countText(method.coverage.minWeight)}分`}）` : scoreText(u.printed),
        u.rank === null ? '—' : `${u.rank}/${u.of}`,
        notice.get(u.code) ?? '—',
      ]),
    },
  ];
}

export interface AssessmentReportRequest {
  year: number;
  region: string;
  asOf: PlainDate;
  jurisdiction: string;
}

export async function assessmentReportDocument(
  store: AnalyticsStore,
  request: AssessmentReportRequest,
): Promise<{ dataset: AssessmentDataset; assessment: Assessment; document: ReportDocument }> {
  const dataset = await assessmentDataset(store, request);
  const assessment = assess(dataset.method, dataset.units.map((u) => ({ code: u.code, type: u.type, name: u.name, tallies: u.tallies })), talliesOf(dataset.jurisdictionRates.data ?? []));
  return { dataset, assessment, document: buildAssessmentReport(dataset, assessment, await reportNames(store, request.jurisdiction, request.asOf)) };
}
