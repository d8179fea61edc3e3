/**
 * The assessment's scoring engine: pure, from each unit's tallies (numerator and denominator of
 * every indicator's rate) and the jurisdiction's, to scores, ranks and the notice (通报表扬 /
 * 通报批评) by the method's parameters (method.ts; rules/assessment/). Every score carries how
 * it was reached, indicator by indicator, with the method version and the articles, as
 * rules/deadline.ts does for a due date.
 */
import { measure, type MeasureId } from '../metrics/catalog.js';
import type { AssessmentMethod, Citation, UnitType } from './method.js';

export interface Tally {
  numerator: number;
  denominator: number;
}
export type Tallies = Partial<Record<MeasureId, Tally>>;

export interface UnitInput {
  code: string;
  type: UnitType;
  name: string;
  /** An indicator without a tally (or with a zero denominator) had nothing to measure. */
  tallies: Tallies;
}

export interface MethodRef {
  id: string;
  version: string;
}

export interface IndicatorScore {
  measure: MeasureId;
  labelZh: string;
  weight: number;
  direction: 'higher' | 'lower';
  zero: number;
  full: number;
  /** The unit's own rate, null with nothing to measure; then nothing below is set either. */
  raw: number | null;
  numerator: number;
  denominator: number;
  /** Z = min(1, √(n / minCases)): how far the unit's own rate is taken. */
  credibility: number | null;
  /** The rate shrunk toward: the jurisdiction's. */
  jurisdictionRate: number | null;
  adjusted: number | null;
  /** Of the weight: weight × (adjusted − zero) / (full − zero), within [0, weight]. */
  points: number | null;
  basis: Citation[];
  explanation: string;
}

export interface UnitScore {
  code: string;
  type: UnitType;
  name: string;
  method: MethodRef;
  indicators: IndicatorScore[];
  /** The weights of the indicators with data. */
  scoredWeight: number;
  /** Points over the indicators with data, rescaled to 100; null when not scored. */
  score: number | null;
  /** The score as printed and ranked: one decimal. */
  printed: number | null;
  /** Among the scored units of its type, 1 = best; equal printed scores share a rank. */
  rank: number | null;
  /** Scored units of its type. */
  of: number;
  notScored?: string;
  /** Duty periods of the missed-duty measure not met on time; null when the unit had none. */
  missedDutyPeriods: number | null;
  explanation: string[];
}

export type NoticeGround =
  | { kind: 'top-score'; printed: number; minScore: number; rank: number; of: number; within: number }
  | { kind: 'low-score'; printed: number; belowScore: number; weakest: IndicatorScore }
  | { kind: 'missed-duty'; periods: number; minPeriods: number; indicator: MeasureId };

export interface NoticeEntry {
  code: string;
  type: UnitType;
  name: string;
  notice: 'praise' | 'criticism';
  grounds: NoticeGround[];
  source: Citation;
}

export interface Assessment {
  method: MethodRef;
  /** Per unit type in the method's order: ranked units best first, then those not scored. */
  units: UnitScore[];
  praised: NoticeEntry[];
  criticised: NoticeEntry[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const num = (x: number) => Number(x.toFixed(4)).toString();
const cite = (basis: Citation[]) => basis.map((c) => `${c.document} ${c.article ?? '(no article)'}`).join('; ');

function checkTally(where: string, t: Tally): void {
  const whole = (x: number) => Number.isInteger(x) && x >= 0;
  if (!whole(t.numerator) || !whole(t.denominator) || t.numerator > t.denominator) {
    throw new RangeError(`${where}: a tally is two whole numbers, numerator ≤ denominator, not ${t.numerator}/${t.denominator}`);
  }
}

/** A unit's rate as measured: null when there was nothing to measure. */
const present = (t: Tally | undefined): Tally | null => (t && t.denominator > 0 ? t : null);

function scoreIndicator(method: AssessmentMethod, rule: AssessmentMethod['indicators'][number], unit: UnitInput, jurisdiction: Tallies): IndicatorScore {
  const label = measure(rule.measure).labelZh;
  const base = { measure: rule.measure, labelZh: label, weight: rule.weight, direction: rule.direction, zero: rule.zero, full: rule.full, basis: rule.basis };
  const own = unit.tallies[rule.measure];
  if (own) checkTally(`${unit.code} ${rule.measure}`, own);
  const tally = present(own);
  if (!tally) {
    return {
      ...base,
      raw: null,
      numerator: 0,
      denominator: 0,
      credibility: null,
      jurisdictionRate: null,
      adjusted: null,
      points: null,
      explanation: `${rule.measure} (${label}): nothing to measure in the year; left out, not scored as zero`,
    };
  }
  const raw = tally.numerator / tally.denominator;
  const n = tally.denominator;
  const { minCases } = method.smallUnits;
  const credibility = Math.min(1, Math.sqrt(n / minCases));
  const whole = present(jurisdiction[rule.measure]);
  if (whole) checkTally(`jurisdiction ${rule.measure}`, whole);
  if (credibility < 1 && !whole) throw new RangeError(`${unit.code} ${rule.measure}: the unit has ${n} cases but the jurisdiction none to shrink toward`);
  const jurisdictionRate = whole ? whole.numerator / whole.denominator : null;
  const adjusted = credibility < 1 ? credibility * raw + (1 - credibility) * jurisdictionRate! : raw;
  const share = Math.min(1, Math.max(0, (adjusted - rule.zero) / (rule.full - rule.zero)));
  const points = rule.weight * share;
  const shrink =
    credibility < 1
      ? `${n} < ${minCases} cases: Z = √(${n}/${minCases}) = ${num(credibility)}, adjusted = ${num(credibility)} × ${pct(raw)} + ${num(1 - credibility)} × ${pct(jurisdictionRate!)} (jurisdiction) = ${pct(adjusted)}`
      : `${n} ≥ ${minCases} cases: taken as it is`;
  return {
    ...base,
    raw,
    numerator: tally.numerator,
    denominator: n,
    credibility,
    jurisdictionRate,
    adjusted,
    points,
    explanation:
      `${rule.measure} (${label}): ${tally.numerator}/${n} = ${pct(raw)}; ${shrink}; ` +
      `linear from ${pct(rule.zero)} (0) to ${pct(rule.full)} (${rule.weight}): ${num(share)} × ${rule.weight} = ${num(points)} points [${method.id} ${method.version}; ${cite(rule.basis)}]`,
  };
}

/** One unit's score, unranked. */
export function scoreUnit(method: AssessmentMethod, unit: UnitInput, jurisdiction: Tallies): UnitScore {
  const indicators = method.indicators.map((rule) => scoreIndicator(method, rule, unit, jurisdiction));
  const scored = indicators.filter((i) => i.points !== null);
  const scoredWeight = scored.reduce((s, i) => s + i.weight, 0);
  const total = scored.reduce((s, i) => s + i.points!, 0);
  const duty = present(unit.tallies[method.notice.criticism.missedDuty.measure]);
  if (duty) checkTally(`${unit.code} ${method.notice.criticism.missedDuty.measure}`, duty);
  const head = {
    code: unit.code,
    type: unit.type,
    name: unit.name,
    method: { id: method.id, version: method.version },
    indicators,
    scoredWeight,
    rank: null,
    of: 0,
    missedDutyPeriods: duty ? duty.denominator - duty.numerator : null,
  };
  const lines = indicators.map((i) => i.explanation);
  const { minWeight } = method.coverage;
  if (scoredWeight < minWeight) {
    const notScored = scored.length === 0 ? 'no indicator has data for the year' : `indicators with data weigh ${num(scoredWeight)}, less than the ${minWeight} needed`;
    return { ...head, score: null, printed: null, notScored, explanation: [...lines, `not scored: ${notScored} [${method.id} ${method.version}]`] };
  }
  const score = (total * 100) / scoredWeight;
  const printed = Math.round(score * 10) / 10;
  const sum = scoredWeight === 100 ? `${num(total)} points` : `${num(total)} of ${num(scoredWeight)} points × 100 / ${num(scoredWeight)} = ${num(score)}`;
  return { ...head, score, printed, explanation: [...lines, `score: ${sum}, printed ${printed.toFixed(1)} [${method.id} ${method.version}]`] };
}

/** Ranks on the printed score, best first; equal printed scores share a rank. */
function rankWithin(units: UnitScore[]): UnitScore[] {
  const scored = units.filter((u) => u.printed !== null).sort((a, b) => b.printed! - a.printed! || a.code.localeCompare(b.code));
  const of = scored.length;
  const ranked = scored.map((u) => {
    const rank = 1 + scored.filter((v) => v.printed! > u.printed!).length;
    return { ...u, of, rank, explanation: [...u.explanation, `rank ${rank} of ${of}`] };
  });
  return [...ranked, ...units.filter((u) => u.printed === null).map((u) => ({ ...u, of }))];
}

/** The lowest share of its weight a scored indicator earned: the reason a low score gives. */
function weakest(u: UnitScore): IndicatorScore {
  return u.indicators.filter((i) => i.points !== null).sort((a, b) => a.points! / a.weight - b.points! / b.weight)[0]!;
}

/** Every unit scored, ranked within its type, and the notice the method's thresholds give. */
export function assess(method: AssessmentMethod, units: UnitInput[], jurisdiction: Tallies): Assessment {
  const { praise, criticism } = method.notice;
  const scoredUnits = units.map((u) => scoreUnit(method, u, jurisdiction));
  const ranked = method.units.flatMap((t) => rankWithin(scoredUnits.filter((u) => u.type === t.type)));
  const praised: NoticeEntry[] = [];
  const criticised: NoticeEntry[] = [];
  for (const u of ranked) {
    const grounds: NoticeGround[] = [];
    if (u.printed !== null && u.printed < criticism.belowScore) grounds.push({ kind: 'low-score', printed: u.printed, belowScore: criticism.belowScore, weakest: weakest(u) });
    if (u.missedDutyPeriods !== null && u.missedDutyPeriods >= criticism.missedDuty.minPeriods) {
      grounds.push({ kind: 'missed-duty', periods: u.missedDutyPeriods, minPeriods: criticism.missedDuty.minPeriods, indicator: criticism.missedDuty.measure });
    }
    if (grounds.length) {
      criticised.push({ code: u.code, type: u.type, name: u.name, notice: 'criticism', grounds, source: criticism.source });
      continue;
    }
    const within = Math.max(1, Math.floor(praise.topShare * u.of));
    if (u.printed !== null && u.rank !== null && u.printed >= praise.minScore && u.rank <= within) {
      praised.push({ code: u.code, type: u.type, name: u.name, notice: 'praise', grounds: [{ kind: 'top-score', printed: u.printed, minScore: praise.minScore, rank: u.rank, of: u.of, within }], source: praise.source });
    }
  }
  return { method: { id: method.id, version: method.version }, units: ranked, praised, criticised };
}
