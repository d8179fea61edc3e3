/**
 * The realistic petition-data generator (issue 4). Deterministic for a seed: one seeded
 * random stream drawn in a fixed order, so the same options give the same data on every
 * machine. Cases are generated day by day and written in batches (compact integer rows
 * through DuckDB's appender, expanded to the project's schema by one SQL statement per
 * batch), so memory stays bounded however many cases are asked for.
 *
 * Every figure it is calibrated to is in calibration.ts with its source. Lifecycle events are
 * those a case workflow writes (domain/case.ts), with every deadline from the policy packs and
 * China's calendar (rules/), memoised per (packs, clock, start date): there are only a few
 * thousand distinct dates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, listValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api';
import { CASE_EVENT_TYPES, PETITION_CLASS_CODES, type CaseEventType, type Channel } from '../../domain/case.js';
import { chinaCalendar } from '../../rules/calendar.js';
import { caseRules } from '../../rules/case-rules.js';
import { clockFor, type EffectiveRules } from '../../rules/compose.js';
import { clockDeadline, type Suspension } from '../../rules/deadline.js';
import type { CaseStep } from '../../rules/pack.js';
import { addDays, parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import {
  CLASS_WEIGHTS,
  COLLECTIVE,
  FIELD_LIST,
  FIELD_WEIGHTS,
  LIFECYCLE,
  OFFLINE_CHANNELS,
  onlineShare,
  REPEAT_SHARE,
  SEASON,
  SKIP_LEVEL_SHARE,
  SPRING_FESTIVAL,
} from './calibration.js';
import { generatorPlaces } from './places.js';
import { dropRecords, generateRecords, recordsToParquet, recordsToStore } from './records.js';
import { cumulative, dateOfIndex, dayIndex, mulberry32, pick } from './sampling.js';

export { mulberry32 };

export interface GenerateOptions {
  cases: number;
  from: PlainDate;
  to: PlainDate;
  seed: number;
  jurisdiction?: string;
  /** Labelled surges of one field in one district over some weeks. */
  anomalies?: number;
  /** Cases per written batch. */
  batchSize?: number;
  /** Case ids are PREFIX + year + serial. */
  prefix?: string;
  /** Nothing after this instant happens (default: the end of `to`, China time). */
  asOf?: Date;
}

export interface AnomalyLabel {
  id: string;
  regionCode: string;
  field: string;
  from: PlainDate;
  to: PlainDate;
  factor: number;
  /** Cases added over the baseline. */
  injectedCases: number;
}

export interface GenerateSummary {
  cases: number;
  events: number;
  batches: number;
  anomalies: AnomalyLabel[];
  /** The offices' records over the same days (records.ts). */
  recommendations: number;
  disputes: number;
  ms: number;
}

/** Where batches go: Parquet files under a directory, or straight into a store's tables. */
export interface BatchSink {
  write(conn: DuckDBConnection, batch: number, year: number, params: Record<string, unknown>): Promise<void>;
  /** Once, at the end: the recommendations and disputes drawn into temp tables (records.ts). */
  writeRecords?(conn: DuckDBConnection, jurisdiction: string, prefix: string): Promise<void>;
}

const CHANNELS: Channel[] = ['letter', 'visit', 'phone', 'online', 'fax', 'email'];
const CHANNEL_INDEX = Object.fromEntries(CHANNELS.map((c, i) => [c, i])) as Record<Channel, number>;
const EVENT_INDEX = Object.fromEntries(CASE_EVENT_TYPES.map((t, i) => [t, i])) as Record<CaseEventType, number>;
const DAY = 86_400;
const CHINA_OFFSET = 8 * 3600;

/** China calendar day of an epoch second. */
const chinaDay = (sec: number) => Math.floor((sec + CHINA_OFFSET) / DAY);

interface Deadline {
  due: number; // day index
  breach: number; // epoch second
}

/** Deadlines memoised by (packs in force, clock, start, extension, suspensions). */
class Deadlines {
  private readonly rules = new Map<number, { key: string; rules: EffectiveRules }>();
  private readonly memo = new Map<string | number, Deadline | null>();
  private readonly packSets = new Map<string, number>();
  private readonly steps = new Map<string, number>();

  /** A number naming (pack set, clock, start day, extension) without building a string per case. */
  private numericKey(packs: string, step: string, startDay: number, extensionDays: number): number {
    let p = this.packSets.get(packs);
    if (p === undefined) this.packSets.set(packs, (p = this.packSets.size));
    let c = this.steps.get(step);
    if (c === undefined) this.steps.set(step, (c = this.steps.size));
    return ((p * 32 + c) * 200_000 + startDay) * 64 + extensionDays;
  }
  private readonly calendar = chinaCalendar();
  constructor(private readonly jurisdiction: string) {}

  of(receivedDay: number, step: CaseStep, startDay: number, extensionDays = 0, suspensions: Suspension[] = []): Deadline | null {
    let r = this.rules.get(receivedDay);
    if (!r) {
      const rules = caseRules(this.jurisdiction, dateOfIndex(receivedDay));
      r = { key: rules.packs.map((p) => `${p.id}@${p.version}`).join(','), rules };
      this.rules.set(receivedDay, r);
    }
    const key = suspensions.length
      ? `${r.key}|${step}|${startDay}|${extensionDays}|${suspensions.map((s) => `${s.from}..${s.to}`).join(';')}`
      : this.numericKey(r.key, step, startDay, extensionDays);
    let d = this.memo.get(key);
    if (d === undefined) {
      try {
        const result = clockDeadline(clockFor(r.rules, step), dateOfIndex(startDay), this.calendar, {
          ...(extensionDays ? { extensionDays } : {}),
          suspensions,
        });
        d = { due: dayIndex(result.due), breach: Date.parse(result.breachAt) / 1000 };
      } catch {
        d = null; // outside the calendar's covered years: the case stays open at this step
      }
      this.memo.set(key, d);
    }
    return d;
  }
}

// SQL that expands a batch's integer rows into the project's schema. Lists and salt are bound.
const CASES_SELECT = `
SELECT $prefix || strftime(to_timestamp(c.t), '%Y') || '-' || lpad(c.serial::VARCHAR, 9, '0') AS case_id,
       to_timestamp(c.t) AS received_at,
       ($channels::VARCHAR[])[c.channel + 1] AS channel,
       ($districts::VARCHAR[])[c.district + 1] AS region_code,
       CASE WHEN c.street >= 0 THEN ($streets::VARCHAR[])[c.street + 1] END AS street_code,
       ($fields::VARCHAR[])[c.field + 1] AS field,
       ($classes::VARCHAR[])[c.class + 1] AS petition_class,
       c.size AS collective_size,
       NULL::VARCHAR AS summary,
       $jurisdiction AS jurisdiction,
       'P' || md5($salt || c.petitioner::VARCHAR) AS petitioner_id,
       c.repeat AS repeat_petition,
       c.skip AS skip_level,
       ($departments::VARCHAR[])[c.district * $fieldCount + c.field + 1] AS organ_code
  FROM temp.main.gen_cases c`;

const EVENTS_SELECT = `
SELECT $prefix || strftime(to_timestamp(c.t), '%Y') || '-' || lpad(c.serial::VARCHAR, 9, '0') AS case_id,
       ($types::VARCHAR[])[e.type + 1] AS event_type,
       CASE WHEN e.ekey >= 0 THEN CASE WHEN ($types::VARCHAR[])[e.type + 1] = 'pressed' THEN (['route', 'handle'])[e.code + 1] || ':' ELSE '' END
                                  || strftime(DATE '1970-01-01' + e.ekey, '%Y-%m-%d') END AS key,
       to_timestamp(e.t) AS occurred_at,
       CASE
         WHEN ($types::VARCHAR[])[e.type + 1] IN ('received', 'routed') THEN ($offices::VARCHAR[])[c.district + 1]
         WHEN ($types::VARCHAR[])[e.type + 1] IN ('accepted', 'not_accepted', 'extended', 'replied')
           THEN ($departments::VARCHAR[])[c.district * $fieldCount + c.field + 1]
         WHEN ($types::VARCHAR[])[e.type + 1] IN ('rated', 'pressed', 'review_requested', 're_review_requested') THEN 'petitioner'
         WHEN ($types::VARCHAR[])[e.type + 1] = 'review_opinion' THEN ($cityDepartments::VARCHAR[])[c.field + 1]
         WHEN ($types::VARCHAR[])[e.type + 1] IN ('re_review_opinion', 'hearing_started', 'hearing_ended') THEN $cityGovernment
       END AS actor,
       CASE WHEN e.due >= 0 THEN DATE '1970-01-01' + e.due END AS due_date,
       CAST(CASE ($types::VARCHAR[])[e.type + 1]
         WHEN 'received' THEN json_object('receivedBy', 'petition-office', 'organ', ($offices::VARCHAR[])[c.district + 1])
         WHEN 'routed' THEN json_object('mode', 'forward',
                                        'toOrgan', ($departments::VARCHAR[])[c.district * $fieldCount + CASE e.code WHEN 1 THEN $disciplineField WHEN 2 THEN $politicalLegalField ELSE c.field END + 1],
                                        'toKind', (['organ', 'discipline-inspection', 'political-legal'])[e.code + 1], 'late', e.late = 1)
         WHEN 'accepted' THEN json_object('organ', ($departments::VARCHAR[])[c.district * $fieldCount + c.field + 1])
         WHEN 'not_accepted' THEN json_object('organ', ($departments::VARCHAR[])[c.district * $fieldCount + c.field + 1],
                                              'reason', '不属于本机关职权范围，已告知向有权机关提出')
         WHEN 'extended' THEN json_object('days', e.code, 'reason', '情况复杂', 'approvedBy', '本机关负责人')
         WHEN 'replied' THEN json_object('outcome', (['supported', 'partly_supported', 'not_supported'])[e.code + 1], 'late', e.late = 1)
         WHEN 'rated' THEN json_object('level', (['satisfied', 'basically_satisfied', 'dissatisfied'])[e.code + 1])
         WHEN 'review_opinion' THEN json_object('outcome', (['upheld', 'changed'])[e.code + 1], 'late', e.late = 1)
         WHEN 're_review_opinion' THEN json_object('outcome', (['upheld', 'changed'])[e.code + 1], 'late', e.late = 1)
         WHEN 'closed' THEN json_object('reason', (['routed_out', 'not_accepted', 'reply_final', 'review_final', 'concluded'])[e.code + 1])
         WHEN 'pressed' THEN json_object('step', (['route', 'handle'])[e.code + 1],
                                         'organ', CASE WHEN e.code = 0 THEN ($offices::VARCHAR[])[c.district + 1] ELSE ($departments::VARCHAR[])[c.district * $fieldCount + c.field + 1] END,
                                         'note', NULL)
         WHEN 'route_overdue' THEN json_object('organ', ($offices::VARCHAR[])[c.district + 1])
         WHEN 'handle_overdue' THEN json_object('organ', ($departments::VARCHAR[])[c.district * $fieldCount + c.field + 1])
         WHEN 'review_overdue' THEN json_object('organ', ($cityDepartments::VARCHAR[])[c.field + 1])
         WHEN 're_review_overdue' THEN json_object('organ', $cityGovernment)
       END AS VARCHAR) AS detail
  FROM temp.main.gen_events e JOIN temp.main.gen_cases c USING (serial)`;

export { CASES_SELECT, EVENTS_SELECT };

const EXTENSION_DAYS = [15, 20, 30];
const CLOSE = { routed_out: 0, not_accepted: 1, reply_final: 2, review_final: 3, concluded: 4 } as const;

export async function generate(conn: DuckDBConnection, sink: BatchSink, options: GenerateOptions): Promise<GenerateSummary> {
  const started = Date.now();
  const random = mulberry32(options.seed);
  // Presses draw from a stream of their own, so the rest of the data is what the seed gave before them.
  const pressRandom = mulberry32(options.seed ^ 0x5bd1e995);
  const jurisdiction = options.jurisdiction ?? 'beijing';
  const batchSize = options.batchSize ?? 250_000;
  const fromDay = dayIndex(options.from);
  const toDay = dayIndex(options.to);
  if (toDay < fromDay) throw new RangeError(`--to ${options.to} is before --from ${options.from}`);
  if (!Number.isInteger(options.cases) || options.cases < 1) throw new RangeError('the number of cases must be a whole number ≥ 1');
  const asOf = Math.floor((options.asOf?.getTime() ?? (toDay + 1) * 86_400_000 - CHINA_OFFSET * 1000) / 1000);
  const deadlines = new Deadlines(jurisdiction);

  // ── the calendar of volume ───────────────────────────────────────────────────────────
  const places = generatorPlaces(jurisdiction);
  const { districts, streets } = places;
  const districtCum = cumulative(districts.map((d) => d.population10k));
  const streetsOf = districts.map((d) => streets.flatMap((s, i) => (s.parentCode === d.code ? [i] : [])));
  const baseFieldWeights = FIELD_LIST.map((f) => FIELD_WEIGHTS[f]);
  const labour = FIELD_LIST.indexOf('劳动社保');
  const fieldFactors = (day: number) => {
    const date = dateOfIndex(day);
    const year = Number(date.slice(0, 4));
    const festival = [SPRING_FESTIVAL[year], SPRING_FESTIVAL[year + 1]].filter(Boolean).map((d) => dayIndex(d as PlainDate));
    const beforeFestival = festival.some((f) => day < f && f - day <= SEASON.wageArrearsDays);
    return baseFieldWeights.map((w, i) => (i === labour && beforeFestival ? w * SEASON.wageArrearsFactor : w));
  };
  const dayFactor = (day: number) => {
    const date = dateOfIndex(day);
    const year = Number(date.slice(0, 4));
    const festival = SPRING_FESTIVAL[year] ? dayIndex(SPRING_FESTIVAL[year] as PlainDate) : NaN;
    let f = 1;
    if (day >= festival && day < festival + SEASON.festivalDays) f *= SEASON.festivalFactor;
    const md = date.slice(5);
    if (md >= SEASON.sessionsFrom && md <= SEASON.sessionsTo) f *= SEASON.sessionsFactor;
    const weekday = new Date(day * 86_400_000).getUTCDay();
    if (weekday === 0 || weekday === 6) f *= SEASON.weekendFactor;
    return f;
  };
  const days = toDay - fromDay + 1;
  const dayWeights = new Float64Array(days);
  let totalWeight = 0;
  for (let i = 0; i < days; i++) {
    const ff = fieldFactors(fromDay + i);
    dayWeights[i] = (dayFactor(fromDay + i) * ff.reduce((a, b) => a + b, 0)) / 100;
    totalWeight += dayWeights[i]!;
  }

  // ── labelled anomalies ───────────────────────────────────────────────────────────────
  const anomalies: Array<AnomalyLabel & { district: number; fieldIndex: number; fromDay: number; toDay: number }> = [];
  for (let a = 0; a < (options.anomalies ?? 0); a++) {
    const district = pick(districtCum, random());
    const fieldIndex = Math.floor(random() * 8);
    const length = 14 + Math.floor(random() * 29);
    const start = fromDay + Math.floor(random() * Math.max(1, days - length));
    const factor = Math.round((2 + random() * 2) * 10) / 10;
    anomalies.push({
      id: `A${a + 1}`,
      regionCode: districts[district]!.code,
      field: FIELD_LIST[fieldIndex]!,
      from: dateOfIndex(start),
      to: dateOfIndex(Math.min(toDay, start + length - 1)),
      factor,
      injectedCases: 0,
      district,
      fieldIndex,
      fromDay: start,
      toDay: Math.min(toDay, start + length - 1),
    });
  }

  // ── batches ──────────────────────────────────────────────────────────────────────────
  // Created afresh for every batch: DuckDB keeps a deleted row's storage until the table goes,
  // and emptying them with DELETE grew the process by about 370 MB per million cases.
  const createStaging = async () => {
    await conn.run(`CREATE OR REPLACE TEMP TABLE gen_cases (serial INTEGER, t INTEGER, channel INTEGER, district INTEGER, street INTEGER,
      field INTEGER, class INTEGER, size INTEGER, petitioner INTEGER, repeat BOOLEAN, skip BOOLEAN)`);
    await conn.run(`CREATE OR REPLACE TEMP TABLE gen_events (serial INTEGER, type INTEGER, t INTEGER, due INTEGER, late INTEGER,
      code INTEGER, ekey INTEGER)`);
  };
  await createStaging();
  const params = {
    prefix: options.prefix ?? 'G',
    jurisdiction,
    salt: `xinfang-generator-${options.seed}-`,
    channels: listValue(CHANNELS),
    districts: listValue(districts.map((d) => d.code)),
    offices: listValue(districts.map((d) => d.office)),
    streets: listValue(streets.map((s) => s.code)),
    fields: listValue([...FIELD_LIST]),
    // District by field: the department handling the field in the district, row by row.
    departments: listValue(districts.flatMap((d) => d.departments)),
    fieldCount: FIELD_LIST.length,
    disciplineField: FIELD_LIST.indexOf('纪检监察'),
    politicalLegalField: FIELD_LIST.indexOf('政法'),
    cityDepartments: listValue([...places.city.departments]),
    cityGovernment: places.city.government,
    classes: listValue([...PETITION_CLASS_CODES]),
    types: listValue([...CASE_EVENT_TYPES]),
  };
  let casesApp: DuckDBAppender = await conn.createAppender('gen_cases', 'main', 'temp');
  let eventsApp: DuckDBAppender = await conn.createAppender('gen_events', 'main', 'temp');
  let inBatch = 0;
  let batches = 0;
  let batchYear = -1;
  let serial = 0;
  let events = 0;
  const flush = async () => {
    if (!inBatch) return;
    casesApp.closeSync();
    eventsApp.closeSync();
    await sink.write(conn, batches, batchYear, params);
    batches++;
    inBatch = 0;
    await createStaging();
    casesApp = await conn.createAppender('gen_cases', 'main', 'temp');
    eventsApp = await conn.createAppender('gen_events', 'main', 'temp');
  };

  // Petitioners: a ring of recent ones, from which repeat petitions are drawn.
  const ring = new Int32Array(200_000);
  let petitioners = 0;
  const classCum = cumulative(CLASS_WEIGHTS.map(([, w]) => w));
  const offlineCum = cumulative(OFFLINE_CHANNELS.map(([, w]) => w));

  const emit = (s: number, type: CaseEventType, t: number, due = -1, late = -1, code = 0, ekey = -1): boolean => {
    if (t > asOf) return false;
    eventsApp.appendInteger(s);
    eventsApp.appendInteger(EVENT_INDEX[type]);
    eventsApp.appendInteger(t);
    eventsApp.appendInteger(due);
    eventsApp.appendInteger(late);
    eventsApp.appendInteger(code);
    eventsApp.appendInteger(ekey);
    eventsApp.endRow();
    events++;
    return true;
  };
  const within = (a: number, b: number) => a + Math.floor(random() * Math.max(1, b - a));
  const workTime = (day: number) => day * DAY - CHINA_OFFSET + Math.floor((8.5 + random() * 9) * 3600);
  /** 催办 on some days between a step's breach and its late completion (step code 0 route, 1 handle). */
  const presses = (s: number, step: 0 | 1, breach: number, done: number) => {
    if (pressRandom() >= (step === 0 ? LIFECYCLE.pressRoute : LIFECYCLE.pressHandle)) return;
    const first = chinaDay(breach) + 1;
    const days = Math.min(1 + Math.floor(pressRandom() * LIFECYCLE.maxPressDays), chinaDay(done) - first);
    for (let day = first; day < first + days; day++) {
      const t = day * DAY - CHINA_OFFSET + Math.floor((8 + pressRandom() * 12) * 3600);
      if (t < done) emit(s, 'pressed', t, -1, -1, step, day);
    }
  };

  /** One case's lifecycle, as the case workflow would have recorded it. */
  const lifecycle = (s: number, t0: number, cls: number, field: number) => {
    const d0 = chinaDay(t0);
    const route = deadlines.of(d0, 'route', d0);
    if (!emit(s, 'received', t0, route?.due ?? -1)) return;
    if (!route) return;
    const late = random() < LIFECYCLE.lateRoute;
    let tRouted: number;
    if (late) {
      if (!emit(s, 'route_overdue', route.breach, route.due)) return;
      tRouted = route.breach + within(DAY, 10 * DAY);
      presses(s, 0, route.breach, tRouted);
    } else tRouted = within(t0 + 3600, route.breach - 3600);
    const routedOut = PETITION_CLASS_CODES[cls] === 'accusation' ? 1 : FIELD_LIST[field] === '政法' ? 2 : 0;
    if (!emit(s, 'routed', tRouted, -1, late ? 1 : 0, routedOut)) return;
    if (routedOut) {
      emit(s, 'closed', tRouted, -1, -1, CLOSE.routed_out);
      return;
    }
    const tAccept = workTime(chinaDay(tRouted) + 1 + Math.floor(random() * 10));
    if (random() < LIFECYCLE.notAccepted) {
      if (emit(s, 'not_accepted', tAccept)) emit(s, 'closed', tAccept, -1, -1, CLOSE.not_accepted);
      return;
    }
    if (!emit(s, 'accepted', tAccept)) return;
    const dAccept = chinaDay(tAccept);
    let handle = deadlines.of(d0, 'handle', dAccept);
    if (!handle) return;
    if (random() < LIFECYCLE.extension) {
      // Extensions are granted in a few usual lengths (and so few distinct deadlines to compute).
      const days = EXTENSION_DAYS[Math.floor(random() * EXTENSION_DAYS.length)]!;
      const tExt = handle.breach - within(2 * DAY, 10 * DAY);
      const extended = deadlines.of(d0, 'handle', dAccept, days);
      if (!extended) return;
      if (!emit(s, 'extended', tExt, extended.due, -1, days)) return;
      handle = extended;
    }
    let tReply: number;
    const overdue = random() < LIFECYCLE.overdueReply;
    if (overdue) {
      if (!emit(s, 'handle_overdue', handle.breach, handle.due)) return;
      tReply = handle.breach + within(DAY, 25 * DAY);
      presses(s, 1, handle.breach, tReply);
    } else tReply = within(tAccept + 3 * DAY, handle.breach - 3600);
    const r = random();
    const outcome = r < LIFECYCLE.outcomes[0] ? 0 : r < LIFECYCLE.outcomes[0] + LIFECYCLE.outcomes[1] ? 1 : 2;
    if (!emit(s, 'replied', tReply, -1, overdue ? 1 : 0, outcome)) return;
    const dReply = chinaDay(tReply);
    let dissatisfied = false;
    if (random() < LIFECYCLE.rated) {
      // One draw, as for the two-level rating, so every later draw of the case stays the same.
      const draw = random();
      const level = draw < LIFECYCLE.ratingLevels[0] ? 0 : draw < LIFECYCLE.ratingLevels[1] ? 1 : 2;
      dissatisfied = level === 2;
      if (!emit(s, 'rated', tReply + within(DAY, 10 * DAY), -1, -1, level)) return;
    }
    const window = deadlines.of(d0, 'reviewRequest', dReply);
    if (!window) return;
    if (random() >= (dissatisfied ? LIFECYCLE.reviewIfDissatisfied : LIFECYCLE.review)) {
      emit(s, 'closed', window.breach, -1, -1, CLOSE.reply_final);
      return;
    }
    const tReq = within(tReply + DAY, window.breach - 3600);
    if (!emit(s, 'review_requested', tReq)) return;
    const review = deadlines.of(d0, 'review', chinaDay(tReq));
    if (!review) return;
    const reviewLate = random() < LIFECYCLE.overdueReview;
    let tOpinion: number;
    if (reviewLate) {
      if (!emit(s, 'review_overdue', review.breach, review.due)) return;
      tOpinion = review.breach + within(DAY, 15 * DAY);
    } else tOpinion = within(tReq + 3 * DAY, review.breach - 3600);
    if (!emit(s, 'review_opinion', tOpinion, -1, reviewLate ? 1 : 0, random() < LIFECYCLE.changedOnReview ? 1 : 0)) return;
    const reWindow = deadlines.of(d0, 'reReviewRequest', chinaDay(tOpinion));
    if (!reWindow) return;
    if (random() >= LIFECYCLE.reReview) {
      emit(s, 'closed', reWindow.breach, -1, -1, CLOSE.review_final);
      return;
    }
    const tReReq = within(tOpinion + DAY, reWindow.breach - 3600);
    if (!emit(s, 're_review_requested', tReReq)) return;
    const dReReq = chinaDay(tReReq);
    let reReview = deadlines.of(d0, 'reReview', dReReq);
    if (!reReview) return;
    if (random() < LIFECYCLE.hearing) {
      const hFrom = dReReq + 3 + Math.floor(random() * 8);
      const hTo = hFrom + 2 + Math.floor(random() * 8);
      if (hFrom * DAY >= reReview.breach) return;
      if (!emit(s, 'hearing_started', workTime(hFrom), -1, -1, 0, hFrom)) return;
      const suspended = deadlines.of(d0, 'reReview', dReReq, 0, [
        { from: dateOfIndex(hFrom), to: dateOfIndex(hTo), reason: 'hearing (听证)' },
      ]);
      if (!suspended) return;
      if (!emit(s, 'hearing_ended', workTime(hTo), suspended.due, -1, 0, hFrom)) return;
      reReview = suspended;
    }
    const reLate = random() < LIFECYCLE.overdueReReview;
    let tRe: number;
    if (reLate) {
      if (!emit(s, 're_review_overdue', reReview.breach, reReview.due)) return;
      tRe = reReview.breach + within(DAY, 15 * DAY);
    } else tRe = within(tReReq + 5 * DAY, reReview.breach - 3600);
    if (!emit(s, 're_review_opinion', tRe, -1, reLate ? 1 : 0, random() < LIFECYCLE.changedOnReview ? 1 : 0)) return;
    emit(s, 'closed', tRe, -1, -1, CLOSE.concluded);
  };

  let dayYear = 0;
  let daySessions = false;
  const addCase = async (day: number, district: number, field: number) => {
    const year = dayYear;
    if (inBatch >= batchSize || (batchYear !== -1 && year !== batchYear)) await flush();
    batchYear = year;
    serial++;
    let channel: number;
    const sessions = daySessions;
    const online = onlineShare(year);
    const u = random();
    if (u < online) channel = CHANNEL_INDEX.online;
    else {
      let c = OFFLINE_CHANNELS[pick(offlineCum, (u - online) / (1 - online))]![0];
      if (sessions && c !== 'visit' && random() < (SEASON.sessionsVisitFactor - 1) * 0.3) c = 'visit';
      channel = CHANNEL_INDEX[c];
    }
    const t =
      channel === CHANNEL_INDEX.online || channel === CHANNEL_INDEX.email
        ? day * DAY - CHINA_OFFSET + Math.floor(random() * DAY)
        : workTime(day);
    const cls = pick(classCum, random());
    const collective = random() < COLLECTIVE.share;
    const size = collective ? COLLECTIVE.minSize + Math.floor(-Math.log(1 - random()) * COLLECTIVE.meanExtra) : 1;
    const repeat = petitioners > 0 && random() < REPEAT_SHARE;
    let petitioner: number;
    if (repeat) petitioner = ring[Math.floor(random() * Math.min(petitioners, ring.length))]!;
    else {
      petitioner = petitioners;
      ring[petitioners % ring.length] = petitioners;
      petitioners++;
    }
    const skip = random() < SKIP_LEVEL_SHARE;
    const ds = streetsOf[district]!;
    const street = ds.length ? ds[Math.floor(random() * ds.length)]! : -1;
    casesApp.appendInteger(serial);
    casesApp.appendInteger(t);
    casesApp.appendInteger(channel);
    casesApp.appendInteger(district);
    casesApp.appendInteger(street);
    casesApp.appendInteger(field);
    casesApp.appendInteger(cls);
    casesApp.appendInteger(size);
    casesApp.appendInteger(petitioner);
    casesApp.appendBoolean(repeat);
    casesApp.appendBoolean(skip);
    casesApp.endRow();
    inBatch++;
    lifecycle(serial, t, cls, field);
  };

  let cumWeight = 0;
  let allocated = 0;
  for (let i = 0; i < days; i++) {
    const day = fromDay + i;
    const date = dateOfIndex(day);
    dayYear = Number(date.slice(0, 4));
    daySessions = date.slice(5) >= SEASON.sessionsFrom && date.slice(5) <= SEASON.sessionsTo;
    cumWeight += dayWeights[i]!;
    const target = Math.round((cumWeight / totalWeight) * options.cases);
    const count = target - allocated;
    allocated = target;
    const fieldCum = cumulative(fieldFactors(day));
    for (let k = 0; k < count; k++) await addCase(day, pick(districtCum, random()), pick(fieldCum, random()));
    for (const a of anomalies) {
      if (day < a.fromDay || day > a.toDay) continue;
      const districtShare = districts[a.district]!.population10k / districts.reduce((s, d) => s + d.population10k, 0);
      const fieldShare = fieldCum[a.fieldIndex]! - (a.fieldIndex ? fieldCum[a.fieldIndex - 1]! : 0);
      const expected = count * districtShare * fieldShare * (a.factor - 1);
      const extra = Math.floor(expected) + (random() < expected - Math.floor(expected) ? 1 : 0);
      for (let k = 0; k < extra; k++) await addCase(day, a.district, a.fieldIndex);
      a.injectedCases += extra;
    }
  }
  await flush();
  casesApp.closeSync();
  eventsApp.closeSync();
  await conn.run('DROP TABLE temp.main.gen_cases');
  await conn.run('DROP TABLE temp.main.gen_events');
  // The offices' records over the same days, from streams of their own: the cases stay as they were.
  const records = await generateRecords(conn, {
    jurisdiction,
    fromDay,
    toDay,
    asOf,
    seed: options.seed,
    feedbackDue: (day) => deadlines.of(day, 'recommendationFeedback', day),
  });
  await sink.writeRecords?.(conn, jurisdiction, params.prefix);
  await dropRecords(conn);
  return {
    cases: serial,
    events,
    batches,
    anomalies: anomalies.map(({ district: _d, fieldIndex: _f, fromDay: _a, toDay: _b, ...label }) => label),
    ...records,
    ms: Date.now() - started,
  };
}

/** Batches as Parquet: OUT/cases/year=YYYY/part-NNNNN.parquet and OUT/events/year=YYYY/..., and the records beside them. */
export function parquetSink(outDir: string): BatchSink {
  return {
    async write(conn, batch, year, params) {
      const name = `part-${String(batch).padStart(5, '0')}.parquet`;
      for (const [kind, select] of [
        ['cases', CASES_SELECT],
        ['events', EVENTS_SELECT],
      ] as const) {
        const dir = join(outDir, kind, `year=${year}`);
        mkdirSync(dir, { recursive: true });
        await conn.run(`COPY (${select}) TO $path (FORMAT parquet, COMPRESSION zstd)`, { ...pick$(select, params), path: join(dir, name) } as never);
      }
    },
    writeRecords: (conn, jurisdiction, prefix) => recordsToParquet(conn, outDir, jurisdiction, prefix),
  };
}

/** Batches and records straight into the store's tables (the demo data), with the given origin. */
export function storeSink(origin: 'demo' | 'import'): BatchSink {
  return {
    async write(conn, _batch, _year, params) {
      await conn.run(
        `INSERT INTO cases (case_id, received_at, channel, region_code, street_code, field, petition_class, collective_size, summary,
                            jurisdiction, petitioner_id, repeat_petition, skip_level, organ_code, received_date, origin)
         SELECT *, CAST(timezone('Asia/Shanghai', received_at) AS DATE), $origin FROM (${CASES_SELECT})
         ON CONFLICT DO NOTHING`,
        { ...pick$(CASES_SELECT, params), origin } as never,
      );
      await conn.run(
        `INSERT INTO case_events (event_id, case_id, event_type, occurred_at, actor, due_date, detail)
         SELECT case_id || '/' || event_type || CASE WHEN key IS NULL THEN '' ELSE '/' || key END,
                case_id, event_type, occurred_at, actor, due_date, CAST(detail AS JSON)
           FROM (${EVENTS_SELECT})
         ON CONFLICT DO NOTHING`,
        pick$(EVENTS_SELECT, params) as never,
      );
    },
    writeRecords: (conn, jurisdiction, prefix) => recordsToStore(conn, origin, jurisdiction, prefix),
  };
}

/** The parameters a statement names (DuckDB refuses unused ones). */
function pick$(sql: string, params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([k]) => new RegExp(`\\$${k}\\b`).test(sql)));
}

/** Generates into Parquet files under `outDir`, with labels.json and manifest.json beside them. */
export async function generateToParquet(outDir: string, options: GenerateOptions): Promise<GenerateSummary> {
  mkdirSync(outDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  try {
    const summary = await generate(conn, parquetSink(outDir), options);
    writeFileSync(join(outDir, 'labels.json'), `${JSON.stringify({ kind: 'injected surges', anomalies: summary.anomalies }, null, 2)}\n`);
    writeFileSync(
      join(outDir, 'manifest.json'),
      `${JSON.stringify({ generator: 'xinfang generate', options: { ...options, asOf: options.asOf?.toISOString() }, cases: summary.cases, events: summary.events, recommendations: summary.recommendations, disputes: summary.disputes, batches: summary.batches }, null, 2)}\n`,
    );
    return summary;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export { parsePlainDate, addDays };
