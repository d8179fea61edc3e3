/**
 * The metrics catalog: every measure and dimension of DOMAIN §7, declared once as data.
 * Dashboard, API, annual report, index and tests read measures from here and nowhere else;
 * analytics/metrics/query.ts turns a request into SQL with bound parameters.
 *
 * The SQL fragments below are ours, not input: a request only picks measures and dimensions
 * by id, and every value it carries (dates, codes) is bound. A fragment may use `$asOf`, the
 * China date the measure is evaluated at: a step counts only if it happened on or before it.
 */

import type { OrganLevel } from '../../domain/organs.js';
import { localDay } from '../local-day.js';
import { organNamed } from '../organ-match.js';

export type SourceId = 'cases' | 'presses' | 'recommendations' | 'disputes' | 'duty_periods' | 'accountability' | 'duty_records' | 'leader_cases';

export type DimensionId =
  | 'day'
  | 'week'
  | 'month'
  | 'quarter'
  | 'year'
  | 'district'
  | 'street'
  | 'organ'
  | 'channel'
  | 'petition_class'
  | 'field'
  | 'collective'
  | 'repeat_petition'
  | 'skip_level'
  | 'route_mode'
  | 'recommendation_kind'
  | 'duty'
  | 'ladder_step'
  | SourceDimensionId;

/**
 * A category an imported source kept (mapping `dimensions`, migration 023), as `src:<name>`:
 * declared by data, not here, so a request naming one is checked against `source_dimensions`.
 */
export type SourceDimensionId = `src:${string}`;
export const SOURCE_DIMENSION_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const SOURCE_DIMENSION_ID = /^src:([a-z][a-z0-9_]{0,39})$/;

/** The declared name of a source dimension id (`src:call_type` → `call_type`), or null for any other id. */
export function sourceDimensionName(id: string): string | null {
  return SOURCE_DIMENSION_ID.exec(id)?.[1] ?? null;
}

export function isSourceDimensionId(id: string): id is SourceDimensionId {
  return sourceDimensionName(id) !== null;
}

export const TIME_GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type TimeGrain = (typeof TIME_GRAINS)[number];

export interface Dimension {
  id: DimensionId;
  labelZh: string;
  labelEn: string;
  description: string;
}

export const DIMENSIONS: Record<DimensionId, Dimension> = {
  day: { id: 'day', labelZh: '日', labelEn: 'Day', description: 'China calendar date of the measure’s date basis.' },
  week: { id: 'week', labelZh: '周', labelEn: 'Week', description: 'ISO week (Monday first), labelled by its Monday.' },
  month: { id: 'month', labelZh: '月', labelEn: 'Month', description: 'Calendar month, labelled YYYY-MM.' },
  quarter: { id: 'quarter', labelZh: '季度', labelEn: 'Quarter', description: 'Calendar quarter, labelled YYYY-Qn.' },
  year: { id: 'year', labelZh: '年', labelEn: 'Year', description: 'Calendar year.' },
  district: { id: 'district', labelZh: '区', labelEn: 'District', description: 'District (区) code; streets roll up into it.' },
  street: { id: 'street', labelZh: '街道（乡镇）', labelEn: 'Street or township', description: 'Street or township (街道/乡镇) code.' },
  organ: { id: 'organ', labelZh: '机关、单位', labelEn: 'Organ', description: 'The organ that handles the case, receives the recommendation or owes the duty.' },
  channel: { id: 'channel', labelZh: '渠道', labelEn: 'Channel', description: 'letter, visit, phone, online, fax or email (来信、来访、来电、网上信访).' },
  petition_class: {
    id: 'petition_class',
    labelZh: '信访类别',
    labelEn: 'Class',
    description: 'suggestion, accusation or claim (建议意见、检举控告、申诉求决: the 2022 Regulations’ three classes).',
  },
  field: { id: 'field', labelZh: '涉及领域', labelEn: 'Field', description: 'The field the matter concerns (城乡建设, 劳动社保, ...).' },
  collective: { id: 'collective', labelZh: '集体访', labelEn: 'Collective', description: 'Five or more petitioners on one matter (see COLLECTIVE_MIN_SIZE).' },
  repeat_petition: { id: 'repeat_petition', labelZh: '重信重访', labelEn: 'Repeat petition', description: 'The same petitioner again on the same matter.' },
  skip_level: { id: 'skip_level', labelZh: '越级访', labelEn: 'Skip-level', description: 'Brought above the level that has authority.' },
  route_mode: { id: 'route_mode', labelZh: '办理方式', labelEn: 'Routing', description: 'forward (转送), assign (交办) or report (上报).' },
  recommendation_kind: {
    id: 'recommendation_kind',
    labelZh: '建议类别',
    labelEn: 'Recommendation kind',
    description: 'improve_work, improve_policy or accountability (改进工作、完善政策、追究责任).',
  },
  duty: { id: 'duty', labelZh: '职责', labelEn: 'Duty', description: 'The periodic duty (rules/packs: duties).' },
  ladder_step: { id: 'ladder_step', labelZh: '追责方式', labelEn: 'Ladder step', description: 'The accountability step imposed (通报、诫勉、组织处理、纪律处分).' },
};

/**
 * The statistical convention for 集体访 (five or more people); DOMAIN §2 says "several" and
 * the 2022 Regulations art. 20 caps representatives at five. One constant, used by every measure.
 */
export const COLLECTIVE_MIN_SIZE = 5;

/** Where a measure's rows come from, and which column (or expression) gives each dimension. */
export interface Source {
  id: SourceId;
  /** A table, or a derivation from the log for sources whose log has several rows per thing counted. */
  relation: string;
  /**
   * The columns a region filter applies to. A district column may hold the city's code for
   * rows that belong to the city itself (city organs); they count in the city's figures only.
   */
  region: { district: string; street?: string };
  columns: Partial<Record<Exclude<DimensionId, TimeGrain | SourceDimensionId>, string>>;
  /** The case id column, when the rows are cases' and so carry the source dimensions of their case. */
  caseId?: string;
}

/** The organs that are a region's leadership (党政领导班子): the city's, a district's, a street's or township's. */
const LEADERSHIP_LEVELS = ['city', 'district', 'street-township'] as const satisfies readonly OrganLevel[];

// A day of a duty, an accountability case or a record is the organ's jurisdiction's (its zone as
// recorded, China's when none is: analytics/jurisdiction-zones.ts).
const ORGAN_DAY = (ts: string, organ = 'o') => localDay(ts, `${organ}.jurisdiction`);

export const SOURCES: Record<SourceId, Source> = {
  cases: {
    id: 'cases',
    relation: 'case_facts',
    caseId: 'case_id',
    region: { district: 'region_code', street: 'street_code' },
    columns: {
      district: 'region_code',
      street: 'street_code',
      organ: 'organ',
      channel: 'channel',
      petition_class: 'petition_class',
      field: 'field',
      collective: `collective_size >= ${COLLECTIVE_MIN_SIZE}`,
      repeat_petition: 'coalesce(repeat_petition, false)',
      skip_level: 'coalesce(skip_level, false)',
      route_mode: 'route_mode',
    },
  },
  presses: {
    id: 'presses',
    // One row per 催办, against the organ that owed the step pressed, placed where its case lies (migration 016).
    relation: 'case_presses',
    caseId: 'case_id',
    region: { district: 'region_code', street: 'street_code' },
    columns: {
      district: 'region_code',
      street: 'street_code',
      organ: 'organ',
      channel: 'channel',
      petition_class: 'petition_class',
      field: 'field',
    },
  },
  recommendations: {
    id: 'recommendations',
    relation: 'recommendations',
    region: { district: 'region_code' },
    columns: { district: 'region_code', organ: 'to_organ', recommendation_kind: 'kind' },
  },
  disputes: {
    id: 'disputes',
    relation: 'disputes',
    region: { district: 'region_code', street: 'street_code' },
    columns: { district: 'region_code', street: 'street_code', field: 'field' },
  },
  duty_periods: {
    id: 'duty_periods',
    // A period's finding is its `met` or `missed` event; late evidence never changes it.
    relation: `(SELECT d.organ, d.duty_id, d.period_label, any_value(d.period_end) AS period_end,
                       any_value(o.region_code) AS region_code,
                       min(${ORGAN_DAY('d.occurred_at')}) FILTER (WHERE d.event_type = 'met') AS met_date,
                       min(${ORGAN_DAY('d.occurred_at')}) FILTER (WHERE d.event_type = 'missed') AS missed_date
                  FROM duty_events d LEFT JOIN organs o ON o.code = d.organ
                 GROUP BY d.organ, d.duty_id, d.period_label)`,
    region: { district: 'region_code' },
    columns: { district: 'region_code', organ: 'organ', duty: 'duty_id' },
  },
  accountability: {
    id: 'accountability',
    relation: `(SELECT a.case_id, a.event_type, coalesce(o.code, a.organ) AS organ, a.ground, a.ladder_step, o.region_code, ${ORGAN_DAY('a.occurred_at')} AS day
                  FROM accountability_events a LEFT JOIN ${organNamed('o', 'a.organ')})`,
    region: { district: 'region_code' },
    columns: { district: 'region_code', organ: 'organ', ladder_step: 'ladder_step' },
  },
  duty_records: {
    id: 'duty_records',
    // The duties owed as needed, one row per record (migration 015), placed where its organ sits.
    // A record may be entered days after the reception it records: as of a date, only what was
    // entered by then counts (recorded_date).
    relation: `(SELECT r.organ, r.duty_id, r.kind, r.reception_mode, r.record_date, ${ORGAN_DAY('r.recorded_at')} AS recorded_date,
                       o.region_code, o.street_code
                  FROM duty_records r LEFT JOIN ${organNamed('o', 'r.organ')})`,
    region: { district: 'region_code', street: 'street_code' },
    columns: { district: 'region_code', street: 'street_code', organ: 'organ', duty: 'duty_id' },
  },
  leader_cases: {
    id: 'leader_cases',
    // 领导包案: one row per case and leadership organ, dated by the first naming of a leader of
    // that organ for the case (a case handed to a colleague stays one case of the organ; handed
    // to another region's leader, it counts there too). A leader is a user who leads a region
    // (the case routes name only such users); the organ is that region's leadership.
    relation: `(SELECT e.case_id, l.code AS organ, any_value(l.region_code) AS region_code, any_value(l.street_code) AS street_code,
                       min(${ORGAN_DAY('e.occurred_at', 'l')}) AS day
                  FROM case_events e
                  LEFT JOIN users u ON u.username = (e.detail->>'$.leader')
                  LEFT JOIN organs l ON list_contains([${LEADERSHIP_LEVELS.map((x) => `'${x}'`).join(', ')}], l.level)
                                    AND coalesce(l.street_code, l.region_code) = u.region_code
                 WHERE e.event_type = 'leader_assigned'
                 GROUP BY e.case_id, l.code)`,
    region: { district: 'region_code', street: 'street_code' },
    columns: { district: 'region_code', street: 'street_code', organ: 'organ' },
  },
};

export type MeasureKind = 'count' | 'sum' | 'rate';

export interface Measure {
  id: string;
  labelZh: string;
  labelEn: string;
  description: string;
  source: SourceId;
  /** The DATE column that places a row in a period (and, with `$asOf`, in time at all). */
  basis: string;
  basisLabel: string;
  kind: MeasureKind;
  /** Rows counted (count), summed (sum) or forming the denominator (rate), as of `$asOf`. */
  population: string;
  /** For a rate: the rows of the population that count in the numerator. */
  numerator?: string;
  /** For a sum: the value summed. */
  value?: string;
  /** Which way is better, for rankings and the composite index. */
  better: 'higher' | 'lower' | 'neither';
  /** The rule or plan that asks for the measure. */
  basedOn: string;
}

const asOf = (column: string) => `${column} <= $asOf`;
const replied = asOf('replied_date');

/** Every measure, in the order reports list them. */
export const MEASURES = [
  // Volume (DOMAIN §7; annual report part 1)
  {
    id: 'cases',
    labelZh: '信访总量',
    labelEn: 'Petition cases',
    description: 'Petition cases received, all channels, each counted once.',
    source: 'cases',
    basis: 'received_date',
    basisLabel: 'date of receipt (登记日期)',
    kind: 'count',
    population: 'true',
    better: 'lower',
    basedOn: '2022 Regulations art. 41(1); 004 三个下降',
  },
  {
    id: 'persons',
    labelZh: '信访人次',
    labelEn: 'Petitioners (person-times)',
    description: 'People who brought the cases received: a collective case counts each of its petitioners.',
    source: 'cases',
    basis: 'received_date',
    basisLabel: 'date of receipt (登记日期)',
    kind: 'sum',
    population: 'true',
    value: 'collective_size',
    better: 'lower',
    basedOn: '2022 Regulations art. 41(1)',
  },
  {
    id: 'collective_cases',
    labelZh: '集体访批次',
    labelEn: 'Collective petitions',
    description: `Cases brought by ${COLLECTIVE_MIN_SIZE} or more petitioners on one matter.`,
    source: 'cases',
    basis: 'received_date',
    basisLabel: 'date of receipt (登记日期)',
    kind: 'count',
    population: `collective_size >= ${COLLECTIVE_MIN_SIZE}`,
    better: 'lower',
    basedOn: '004 三个下降 (集体访)',
  },
  {
    id: 'first_petitions',
    labelZh: '初信初访',
    labelEn: 'First petitions',
    description: 'Cases that are not a repeat of the same petitioner’s earlier matter.',
    source: 'cases',
    basis: 'received_date',
    basisLabel: 'date of receipt (登记日期)',
    kind: 'count',
    population: 'NOT coalesce(repeat_petition, false)',
    better: 'lower',
    basedOn: '004 三个下降 (初信初访)',
  },
  {
    id: 'repeat_rate',
    labelZh: '重复信访率',
    labelEn: 'Repeat-petition rate',
    description: 'Share of cases received that repeat the same petitioner’s earlier matter.',
    source: 'cases',
    basis: 'received_date',
    basisLabel: 'date of receipt (登记日期)',
    kind: 'rate',
    population: 'true',
    numerator: 'coalesce(repeat_petition, false)',
    better: 'lower',
    basedOn: 'DOMAIN §7; 2022 Regulations art. 41(1)',
  },
  {
    id: 'skip_level_rate',
    labelZh: '越级信访率',
    labelEn: 'Skip-level rate',
    description: 'Share of cases received that were brought above the level with authority.',
    source: 'cases',
    basis: 'received_date',
    basisLabel: 'date of receipt (登记日期)',
    kind: 'rate',
    population: 'true',
    numerator: 'coalesce(skip_level, false)',
    better: 'lower',
    basedOn: 'DOMAIN §7 (越级访)',
  },
  // Clocks and quality (DOMAIN §4, §7)
  {
    id: 'timely_acceptance_rate',
    labelZh: '及时受理率',
    labelEn: 'Timely registration rate',
    description:
      'Of cases received whose registration clock (route or notify, 15 days) has ended by the as-of date, the share routed or notified within it.',
    source: 'cases',
    basis: 'received_date',
    basisLabel: 'date of receipt (登记日期)',
    kind: 'rate',
    population: `(${asOf('registered_date')} OR ${asOf('register_overdue_date')})`,
    // A late registration always follows its breach record, so "no breach by then" is on time.
    numerator: `${asOf('registered_date')} AND NOT coalesce(${asOf('register_overdue_date')}, false)`,
    better: 'higher',
    basedOn: '2022 Regulations arts. 22, 23; 2005 arts. 21, 22',
  },
  {
    id: 'on_time_completion_rate',
    labelZh: '按期办结率',
    labelEn: 'On-time completion rate',
    description: 'Of cases replied to in the period, the share replied within the (possibly extended) handling deadline.',
    source: 'cases',
    basis: 'replied_date',
    basisLabel: 'date of the written reply (答复日期)',
    kind: 'rate',
    population: replied,
    numerator: `NOT coalesce(${asOf('handle_overdue_date')}, false)`,
    better: 'higher',
    basedOn: '2005 Regulations art. 33; kept in the 2022 Regulations ch. 4',
  },
  {
    id: 'participation_rate',
    labelZh: '参评率',
    labelEn: 'Rating participation rate',
    description: 'Of cases replied to in the period, the share the petitioner rated.',
    source: 'cases',
    basis: 'replied_date',
    basisLabel: 'date of the written reply (答复日期)',
    kind: 'rate',
    population: replied,
    numerator: asOf('rated_date'),
    better: 'higher',
    basedOn: 'DOMAIN §7 (参评率、满意率)',
  },
  {
    id: 'satisfaction_rate',
    labelZh: '满意率',
    labelEn: 'Satisfaction rate',
    description:
      'Of ratings given in the period, the share 满意 or 基本满意 (satisfied or basically satisfied). ' +
      'No seed defines the rate; the Beijing plan (004 §4(1)4, 强化信访督查) singles out the cases the petitioner ' +
      'rated 不满意 for supervision, so 不满意 is the one level that counts against the organ and 基本满意 counts as satisfied. ' +
      'A rating before the three levels was a yes/no: yes is 满意, no 不满意.',
    source: 'cases',
    basis: 'rated_date',
    basisLabel: 'date of the rating (评价日期)',
    kind: 'rate',
    population: asOf('rated_date'),
    numerator: "rating_level IN ('satisfied', 'basically_satisfied')",
    better: 'higher',
    basedOn: 'DOMAIN §7 (参评率、满意率); 004 §4(1)4 (群众评价不满意信访事项纳入督查重点)',
  },
  {
    id: 'presses',
    labelZh: '催办次数',
    labelEn: 'Presses (催办)',
    description:
      'Presses (催办) by petitioners of a step past its deadline, each counted against the organ that owed the step ' +
      '(the petition office for routing, the handling organ for the reply, the organ above for a review). ' +
      'At most one a day per overdue step of a case.',
    source: 'presses',
    basis: 'pressed_date',
    basisLabel: 'date of the press (催办日期)',
    kind: 'count',
    population: 'true',
    better: 'lower',
    basedOn: '004 §3(3)1 (实行阳光信访: 可查询、可跟踪、可督办、可评价); 2022 Regulations art. 21',
  },
  {
    id: 'review_rate',
    labelZh: '复查申请率',
    labelEn: 'Review request rate',
    description: 'Of cases replied to in the period, the share whose petitioner has asked for a review (复查).',
    source: 'cases',
    basis: 'replied_date',
    basisLabel: 'date of the written reply (答复日期)',
    kind: 'rate',
    population: replied,
    numerator: asOf('review_requested_date'),
    better: 'lower',
    basedOn: '2005 Regulations art. 34; 2022 Regulations ch. 4',
  },
  {
    id: 'review_changed_share',
    labelZh: '复查改变率',
    labelEn: 'Changed on review',
    description: 'Of review opinions given in the period, the share that changed the original handling opinion.',
    source: 'cases',
    basis: 'review_opinion_date',
    basisLabel: 'date of the review opinion (复查意见日期)',
    kind: 'rate',
    population: asOf('review_opinion_date'),
    numerator: 'coalesce(review_changed, false)',
    better: 'lower',
    basedOn: '2005 Regulations art. 34; 2022 Regulations ch. 4',
  },
  {
    id: 're_review_rate',
    labelZh: '复核申请率',
    labelEn: 'Re-review request rate',
    description: 'Of review opinions given in the period, the share whose petitioner has asked for a re-review (复核).',
    source: 'cases',
    basis: 'review_opinion_date',
    basisLabel: 'date of the review opinion (复查意见日期)',
    kind: 'rate',
    population: asOf('review_opinion_date'),
    numerator: asOf('re_review_requested_date'),
    better: 'lower',
    basedOn: '2005 Regulations art. 35; 2022 Regulations ch. 4',
  },
  {
    id: 're_review_changed_share',
    labelZh: '复核改变率',
    labelEn: 'Changed on re-review',
    description: 'Of re-review opinions given in the period, the share that changed the review opinion.',
    source: 'cases',
    basis: 're_review_opinion_date',
    basisLabel: 'date of the re-review opinion (复核意见日期)',
    kind: 'rate',
    population: asOf('re_review_opinion_date'),
    numerator: 'coalesce(re_review_changed, false)',
    better: 'lower',
    basedOn: '2005 Regulations art. 35; 2022 Regulations ch. 4',
  },
  // The petition office's own work (annual report part 2)
  {
    id: 'forwarded',
    labelZh: '转送',
    labelEn: 'Forwarded',
    description: 'Cases the petition office forwarded (转送) to the competent organ.',
    source: 'cases',
    basis: 'registered_date',
    basisLabel: 'date of routing (转送日期)',
    kind: 'count',
    population: `${asOf('registered_date')} AND route_mode = 'forward'`,
    better: 'neither',
    basedOn: '2022 Regulations arts. 22, 41(2)',
  },
  {
    id: 'assigned',
    labelZh: '交办',
    labelEn: 'Assigned',
    description: 'Cases the petition office assigned (交办) with a result deadline and a duty to report.',
    source: 'cases',
    basis: 'registered_date',
    basisLabel: 'date of routing (交办日期)',
    kind: 'count',
    population: `${asOf('registered_date')} AND route_mode = 'assign'`,
    better: 'neither',
    basedOn: '2022 Regulations arts. 22, 41(2)',
  },
  {
    id: 'reported_up',
    labelZh: '上报',
    labelEn: 'Reported upward',
    description: 'Cases the petition office reported to the level above.',
    source: 'cases',
    basis: 'registered_date',
    basisLabel: 'date of routing (上报日期)',
    kind: 'count',
    population: `${asOf('registered_date')} AND route_mode = 'report'`,
    better: 'neither',
    basedOn: '2022 Regulations art. 22',
  },
  {
    id: 'not_accepted',
    labelZh: '不予受理',
    labelEn: 'Not accepted',
    description: 'Cases the receiving organ declined, telling the petitioner where to go instead.',
    source: 'cases',
    basis: 'not_accepted_date',
    basisLabel: 'date of the notice (告知日期)',
    kind: 'count',
    population: asOf('not_accepted_date'),
    better: 'neither',
    basedOn: '2022 Regulations art. 23',
  },
  {
    id: 'registration_supervised',
    labelZh: '登记超期督办',
    labelEn: 'Supervised: registration overdue',
    description: 'Supervision records (督办) for a route or notify clock that ran out.',
    source: 'cases',
    basis: 'register_overdue_date',
    basisLabel: 'date of the breach (超期日期)',
    kind: 'count',
    population: asOf('register_overdue_date'),
    better: 'lower',
    basedOn: '2022 Regulations arts. 22, 23, 40, 41(2)',
  },
  {
    id: 'handling_supervised',
    labelZh: '办理超期督办',
    labelEn: 'Supervised: reply overdue',
    description: 'Supervision records (督办) for a handling clock that ran out before the written reply.',
    source: 'cases',
    basis: 'handle_overdue_date',
    basisLabel: 'date of the breach (超期日期)',
    kind: 'count',
    population: asOf('handle_overdue_date'),
    better: 'lower',
    basedOn: '2005 Regulations art. 33; 2022 Regulations art. 40',
  },
  {
    id: 'assigned_supervised',
    labelZh: '交办超期督办',
    labelEn: 'Supervised: assigned result overdue',
    description: 'Supervision records (督办) for an assigned case whose result report was late.',
    source: 'cases',
    basis: 'assigned_overdue_date',
    basisLabel: 'date of the breach (超期日期)',
    kind: 'count',
    population: asOf('assigned_overdue_date'),
    better: 'lower',
    basedOn: '2022 Regulations art. 22(3)',
  },
  {
    id: 'review_supervised',
    labelZh: '复查复核超期督办',
    labelEn: 'Supervised: review or re-review overdue',
    description: 'Supervision records (督办) for a review or re-review clock that ran out.',
    source: 'cases',
    basis: 'coalesce(review_overdue_date, re_review_overdue_date)',
    basisLabel: 'date of the first review-stage breach (超期日期)',
    kind: 'count',
    population: `(${asOf('review_overdue_date')} OR ${asOf('re_review_overdue_date')})`,
    better: 'lower',
    basedOn: '2005 Regulations arts. 34, 35; 2022 Regulations ch. 4',
  },
  // Recommendations (三项建议; annual report part 3)
  {
    id: 'recommendations_issued',
    labelZh: '三项建议',
    labelEn: 'Recommendations issued',
    description: 'Recommendations the petition office issued: improve work, improve policy, pursue accountability.',
    source: 'recommendations',
    basis: 'issued_date',
    basisLabel: 'date issued (提出日期)',
    kind: 'count',
    population: 'true',
    better: 'neither',
    basedOn: '2022 Regulations arts. 40, 41(3)',
  },
  {
    id: 'recommendation_adoption_rate',
    labelZh: '三项建议采纳率',
    labelEn: 'Recommendation adoption rate',
    description: 'Of recommendations issued in the period that have had the organ’s written feedback, the share adopted.',
    source: 'recommendations',
    basis: 'issued_date',
    basisLabel: 'date issued (提出日期)',
    kind: 'rate',
    population: asOf('feedback_date'),
    numerator: 'coalesce(adopted, false)',
    better: 'higher',
    basedOn: '2022 Regulations arts. 40, 41(3)',
  },
  {
    id: 'recommendation_feedback_overdue',
    labelZh: '建议反馈超期',
    labelEn: 'Recommendation feedback overdue',
    description: 'Recommendations whose written feedback was not given within the feedback clock.',
    source: 'recommendations',
    basis: 'issued_date',
    basisLabel: 'date issued (提出日期)',
    kind: 'count',
    population: asOf('feedback_overdue_date'),
    better: 'lower',
    basedOn: '2005 Regulations art. 36; 2022 Regulations art. 40',
  },
  // Screened disputes (矛盾纠纷排查化解)
  {
    id: 'disputes_screened',
    labelZh: '排查矛盾纠纷',
    labelEn: 'Disputes screened',
    description: 'Disputes found by screening (排查).',
    source: 'disputes',
    basis: 'screened_date',
    basisLabel: 'date screened (排查日期)',
    kind: 'count',
    population: 'true',
    better: 'neither',
    basedOn: '000 art. 6; 004',
  },
  {
    id: 'dispute_resolution_rate',
    labelZh: '矛盾纠纷排查化解率',
    labelEn: 'Screened-dispute resolution rate',
    description: 'Of disputes screened in the period, the share resolved by the as-of date.',
    source: 'disputes',
    basis: 'screened_date',
    basisLabel: 'date screened (排查日期)',
    kind: 'rate',
    population: 'true',
    numerator: asOf('resolved_date'),
    better: 'higher',
    basedOn: '004 (reports 96%)',
  },
  // Duties and accountability (DOMAIN §5, §6)
  {
    id: 'duties_on_time_rate',
    labelZh: '职责按期履行率',
    labelEn: 'Duties met on time',
    description: 'Of duty periods that ended in the period and have their finding, the share met on time.',
    source: 'duty_periods',
    basis: 'period_end',
    basisLabel: 'end of the duty period (期末)',
    kind: 'rate',
    population: `(${asOf('met_date')} OR ${asOf('missed_date')})`,
    numerator: asOf('met_date'),
    better: 'higher',
    basedOn: '000 art. 4; 001 arts. 6-8; 002 arts. 9-10 (DOMAIN §5)',
  },
  {
    id: 'accountability_cases',
    labelZh: '责任追究案件',
    labelEn: 'Accountability cases opened',
    description: 'Accountability cases (追责) opened on a finding.',
    source: 'accountability',
    basis: 'day',
    basisLabel: 'date opened (立案日期)',
    kind: 'count',
    population: "event_type = 'opened'",
    better: 'lower',
    basedOn: '002 art. 11; 000 art. 19',
  },
  {
    id: 'accountability_steps',
    labelZh: '追责处理',
    labelEn: 'Accountability steps imposed',
    description: 'Steps of the accountability ladder imposed (通报、诫勉、组织处理、纪律处分); break down by ladder_step.',
    source: 'accountability',
    basis: 'day',
    basisLabel: 'date imposed (处理日期)',
    kind: 'count',
    population: "event_type = 'step_imposed'",
    better: 'lower',
    basedOn: '002 arts. 12-16; 000 arts. 20-24',
  },
  // Leaders' own work (领导干部阅批来信、接访下访、包案)
  {
    id: 'leader_receptions',
    labelZh: '领导接访',
    labelEn: 'Leaders’ receptions',
    description:
      'Receptions of petitioners by leaders (领导接访), each entry of the reception register once, in any form: ' +
      'at the post (在岗接访), by appointment (约访) or going down to the grassroots (下访). Counted where the organ sits.',
    source: 'duty_records',
    basis: 'record_date',
    basisLabel: 'date of the reception (接访日期)',
    kind: 'count',
    population: `kind = 'reception' AND ${asOf('recorded_date')}`,
    better: 'higher',
    basedOn: '002 art. 4; 000 art. 12; 2022 Regulations art. 18; 004 §4(1)3',
  },
  {
    id: 'leader_appointments',
    labelZh: '领导约访',
    labelEn: 'Leaders’ receptions by appointment',
    description: 'Receptions by leaders of petitioners they invited (重点约访): those of 领导接访 recorded as by appointment.',
    source: 'duty_records',
    basis: 'record_date',
    basisLabel: 'date of the reception (接访日期)',
    kind: 'count',
    population: `kind = 'reception' AND reception_mode = 'appointment' AND ${asOf('recorded_date')}`,
    better: 'higher',
    basedOn: '000 art. 12 (重点约访)',
  },
  {
    id: 'leader_visits_down',
    labelZh: '领导下访',
    labelEn: 'Leaders’ visits down',
    description: 'Leaders going down to the grassroots to receive petitioners (带案下访): those of 领导接访 recorded as going down.',
    source: 'duty_records',
    basis: 'record_date',
    basisLabel: 'date of the visit (下访日期)',
    kind: 'count',
    population: `kind = 'reception' AND reception_mode = 'going_down' AND ${asOf('recorded_date')}`,
    better: 'higher',
    basedOn: '000 art. 12 (带案下访); 2022 Regulations art. 18 (定期下访); 004 §4(1)3 (领导干部接访下访)',
  },
  {
    id: 'letters_read',
    labelZh: '领导阅批来信',
    labelEn: 'Letters read by leaders',
    description: 'Petitioners’ letters a leader read and annotated (阅批群众来信), each letter once. Counted where the organ sits.',
    source: 'duty_records',
    basis: 'record_date',
    basisLabel: 'date of the annotation (阅批日期)',
    kind: 'count',
    population: `kind = 'letter' AND ${asOf('recorded_date')}`,
    better: 'higher',
    basedOn: '002 art. 4; 000 art. 12; 2022 Regulations art. 18 (阅办群众来信); 004 §4(1)3',
  },
  {
    id: 'leader_owned_cases',
    labelZh: '领导包案',
    labelEn: 'Cases owned by a leader',
    description:
      'Petition cases a named leader took personal charge of (领导包案), counted under the leader’s organ and region ' +
      'on the day its leader was first named; a case handed to a leader of another organ counts there too.',
    source: 'leader_cases',
    basis: 'day',
    basisLabel: 'date the leader was named (包案日期)',
    kind: 'count',
    population: 'true',
    better: 'neither',
    basedOn: '000 art. 13; 2022 Regulations art. 18 (包案化解); 001 art. 9',
  },
] as const satisfies readonly Measure[];

export type MeasureId = (typeof MEASURES)[number]['id'];

const byId = new Map<string, Measure>(MEASURES.map((m) => [m.id, m]));

export function isMeasureId(id: string): id is MeasureId {
  return byId.has(id);
}

export function measure(id: MeasureId): Measure {
  return byId.get(id)!;
}

/** A catalog dimension, or a source dimension's id (whether one is declared is the store's to say). */
export function isDimensionId(id: string): id is DimensionId {
  return Object.hasOwn(DIMENSIONS, id) || isSourceDimensionId(id);
}
