/**
 * Every figure the generator is calibrated to, with where it comes from. Three kinds:
 *
 * - [issue 4]: stated in the project's issue 4 (petition data), which cites public reporting;
 *   we have not re-checked them against the primary sources.
 * - [census]: the jurisdiction's Seventh National Census (2020), in its region hierarchy
 *   (domain/regions/<jurisdiction>.csv, sources named in domain/jurisdictions/<jurisdiction>.json).
 * - [rules]: the deadlines come from the policy packs (rules/packs/) through the deadline engine.
 * - [004]: stated in seed 004 (Beijing's 13th five-year plan for petition work), ../shared/seeds/.
 * - [assumption]: our own plausible choice where no published figure was at hand. Each is
 *   named here so a better figure can replace it in one place.
 */
import { FIELDS, type Channel, type Field, type PetitionClass } from '../../domain/case.js';
import type { RecommendationKind } from '../../domain/recommendation.js';

/**
 * Share of cases arriving online, by year. [issue 4]: "about 40% online in 2014-2015, over
 * 50% by 2018". Between and after those points [assumption]: a linear rise of 2 points a year
 * from 52% in 2018, capped at 70%.
 */
export function onlineShare(year: number): number {
  if (year <= 2015) return 0.4;
  if (year < 2018) return 0.4 + ((year - 2015) * 0.12) / 3;
  return Math.min(0.7, 0.52 + (year - 2018) * 0.02);
}

/** How the rest (not online) splits. [assumption] */
export const OFFLINE_CHANNELS: ReadonlyArray<[Channel, number]> = [
  ['phone', 0.36],
  ['visit', 0.3],
  ['letter', 0.29],
  ['email', 0.03],
  ['fax', 0.02],
];

/**
 * Field (领域) weights. [issue 4]: shares are "led by urban construction, labour and social
 * security, land and housing" (城乡建设, 劳动社保, 国土资源), in that order; the values and the
 * tail are [assumption].
 */
export const FIELD_WEIGHTS: Record<Field, number> = {
  城乡建设: 24,
  劳动社保: 18,
  国土资源: 14,
  农村农业: 7,
  卫生健康: 7,
  教育: 6,
  生态环境: 6,
  政法: 6,
  纪检监察: 4,
  民政: 4,
  交通运输: 2,
  商贸旅游: 1,
  其他: 1,
};
export const FIELD_LIST: readonly Field[] = FIELDS;

/** Class shares (建议意见 / 检举控告 / 申诉求决). [assumption]: most petitions are claims. */
export const CLASS_WEIGHTS: ReadonlyArray<[PetitionClass, number]> = [
  ['claim', 0.8],
  ['suggestion', 0.12],
  ['accusation', 0.08],
];

/**
 * District volume proportional to resident population. [census] via the region hierarchy
 * (analytics/generator/places.ts); for Beijing [issue 4]: "in 2019 Chaoyang had the most 12345
 * calls, Yanqing the fewest", which the census ordering reproduces (Chaoyang 345.2, Yanqing
 * 34.6 ten-thousand residents).
 *
 * Which organ handles a field is the jurisdiction's data: the department whose `fields` in its
 * organ registry name it (domain/organs/<jurisdiction>.json), in the case's district; a review
 * (复查) goes to the city's department of the field, a re-review (复核) to the city's leadership.
 */

/**
 * Spring Festival (春节) dates, for the wage-arrears rise before it and the holiday dip.
 * Public calendar facts.
 */
export const SPRING_FESTIVAL: Record<number, string> = {
  2013: '2013-02-10', 2014: '2014-01-31', 2015: '2015-02-19', 2016: '2016-02-08', 2017: '2017-01-28',
  2018: '2018-02-16', 2019: '2019-02-05', 2020: '2020-01-25', 2021: '2021-02-12', 2022: '2022-02-01',
  2023: '2023-01-22', 2024: '2024-02-10', 2025: '2025-01-29', 2026: '2026-02-17', 2027: '2027-02-06',
  2028: '2028-01-26', 2029: '2029-02-13', 2030: '2030-02-03',
};

/**
 * Seasonality. [issue 4]: wage-arrears claims rise before Spring Festival; the March sessions
 * (两会, about 3-15 March) are a sensitive period. Sizes are [assumption]:
 * - labour and social security (劳动社保) ×2.5 in the 28 days before Spring Festival;
 * - all volume ×0.45 in the 7 days from Spring Festival (offices closed or thin);
 * - visits ×1.6 and all volume ×1.15 from 3 to 15 March;
 * - weekends ×0.55 (letters and online keep coming, counters close).
 */
export const SEASON = {
  wageArrearsDays: 28,
  wageArrearsFactor: 2.5,
  festivalDays: 7,
  festivalFactor: 0.45,
  sessionsFrom: '03-03',
  sessionsTo: '03-15',
  sessionsFactor: 1.15,
  sessionsVisitFactor: 1.6,
  weekendFactor: 0.55,
};

/** Collective cases (集体访, 5 or more petitioners). [assumption]: 3% of cases; size 5 + a geometric tail (mean ~12). */
export const COLLECTIVE = { share: 0.03, minSize: 5, meanExtra: 7 };

/** Repeat and skip-level petitions. [assumption]: 22% repeat an earlier petitioner's matter; 7% skip a level. */
export const REPEAT_SHARE = 0.22;
export const SKIP_LEVEL_SHARE = 0.07;

/**
 * The lifecycle. [rules] for every deadline; the shares are [assumption], chosen to sit near
 * what assessments count as realistic problems (a few percent late at each clock):
 */
export const LIFECYCLE = {
  /** routed after the 15-day routing clock ran out */
  lateRoute: 0.05,
  /** refused (不予受理) */
  notAccepted: 0.06,
  /** handling deadline extended once (≤30 days) */
  extension: 0.1,
  /** reply after the (possibly extended) handling deadline */
  overdueReply: 0.07,
  /** the petitioner rates the reply */
  rated: 0.85,
  /**
   * 满意 / 基本满意 / 不满意 among ratings: cumulative shares (满意 below the first, 基本满意 below the
   * second). 满意 and 基本满意 together are the 0.82 the two-level rating had, so the satisfaction
   * rate, which counts both (analytics/metrics/catalog.ts), is what the demo showed before.
   */
  ratingLevels: [0.6, 0.82] as const,
  /** review requested: base share, and among dissatisfied ratings */
  review: 0.03,
  reviewIfDissatisfied: 0.35,
  overdueReview: 0.05,
  /** re-review requested after a review opinion */
  reReview: 0.3,
  /** a hearing within the re-review (its days not counted) */
  hearing: 0.2,
  overdueReReview: 0.05,
  /** reply outcomes: supported / partly / not supported */
  outcomes: [0.35, 0.3, 0.35] as const,
  /** review opinion changes the reply */
  changedOnReview: 0.15,
  /**
   * 催办 while a step is overdue [assumption: no published figure]: the share of overdue routings
   * and replies whose petitioner presses, and at most how many days of the wait they press on
   * (one press per overdue step per day, as the workflow allows).
   */
  pressRoute: 0.3,
  pressHandle: 0.4,
  maxPressDays: 3,
};

/**
 * Recommendations (三项建议) a petition office issues, and the organs' written feedback. No
 * published counts were at hand: every figure is [assumption], chosen for "tens to hundreds a
 * district a year" and an adoption rate in the 70-85% that assessments treat as usual.
 * - district offices issue 0.5 a year per 10,000 residents (in Beijing Chaoyang about 170,
 *   Yanqing about 17), the city office 60 of its own; on working days (Monday to Friday);
 * - kinds: improve work 60%, improve policy 25%, pursue accountability 15%;
 * - each goes to the department of a field (drawn by FIELD_WEIGHTS; the registry's `fields`)
 *   of the issuing office's district, or of the city;
 * - feedback: 88% within the clock (a day after issue up to the due date, uniformly), 9% late
 *   (1 to 30 days after the due date; the clock's breach is recorded), 3% never;
 * - adopted, among feedback: improve work 82%, improve policy 70% (policy is slower to move),
 *   accountability 80%.
 * The due date is [rules]: the pack's recommendationFeedback clock through the deadline engine.
 */
export const RECOMMENDATIONS = {
  perTenThousandPerYear: 0.5,
  cityPerYear: 60,
  kinds: [
    ['improve_work', 0.6],
    ['improve_policy', 0.25],
    ['accountability', 0.15],
  ] as ReadonlyArray<[RecommendationKind, number]>,
  feedbackOnTime: 0.88,
  feedbackLate: 0.09,
  lateDaysMax: 30,
  adopted: { improve_work: 0.82, improve_policy: 0.7, accountability: 0.8 } as Record<RecommendationKind, number>,
};

/**
 * Screened disputes (矛盾纠纷排查化解). [004]: "矛盾纠纷排查化解率达到 96%" (2011-2015). The rest
 * is [assumption]:
 * - every street or township screens 4 disputes a month on average (Poisson, working days);
 * - fields drawn by FIELD_WEIGHTS, as the cases';
 * - 96% are resolved, after 1 + an exponential number of days with mean 12 (most within weeks),
 *   at most 120; the other 4% stay open.
 */
export const DISPUTES = {
  perStreetPerMonth: 4,
  resolved: 0.96,
  resolveMeanDays: 12,
  resolveMaxDays: 120,
};
