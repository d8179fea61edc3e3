import type { CaseEvent, CaseIntake, Channel } from '../domain/case.js';
import { BEIJING_DISTRICTS } from '../domain/regions.js';
import { caseDeadline } from '../rules/case-rules.js';
import { addDays, chinaDateOf, parsePlainDate, startOfChinaDay } from '../rules/plain-date.js';

/**
 * A small, deterministic demo history for the dashboard on first start: about 180 cases a
 * month over the 36 months before the anchor month. Shapes, not calibrated figures (the
 * realistic generator is the data issue's): district volume follows population, the channel
 * mix moves toward online, and volume rises before Spring Festival (wage arrears) and in
 * March (the national sessions, a sensitive period).
 */
export interface DemoOptions {
  /** First month not covered, YYYY-MM; the demo ends the month before. */
  anchorMonth: string;
  jurisdiction: string;
  months?: number;
  seed?: number;
}

const FIELDS = ['城乡建设', '劳动社保', '国土资源', '农村农业', '卫生健康', '教育', '生态环境', '政法', '民政'];
const FIELD_WEIGHTS = [26, 20, 14, 8, 8, 7, 6, 6, 5];
const MONTH_FACTOR = [1.25, 1.1, 1.15, 0.95, 0.95, 0.9, 0.9, 0.9, 1.0, 0.95, 1.0, 1.15];
const BASE_PER_MONTH = 180;

export function* demoHistory(options: DemoOptions): Generator<{ intake: CaseIntake; events: CaseEvent[] }> {
  const random = mulberry32(options.seed ?? 42);
  const months = options.months ?? 36;
  const anchor = parsePlainDate(`${options.anchorMonth}-01`);
  const districtWeights = BEIJING_DISTRICTS.map((d) => d.population10k);
  let serial = 0;
  for (let m = months; m >= 1; m--) {
    const monthStart = shiftMonths(anchor, -m);
    const monthIndex = Number(monthStart.slice(5, 7)) - 1;
    const daysInMonth = Number(addDays(shiftMonths(monthStart, 1), -1).slice(8, 10));
    const progress = (months - m) / months;
    const count = Math.round(BASE_PER_MONTH * (MONTH_FACTOR[monthIndex] ?? 1) * (0.9 + 0.2 * random()));
    for (let i = 0; i < count; i++) {
      serial++;
      const day = addDays(monthStart, Math.floor(random() * daysInMonth));
      const receivedAt = new Date(startOfChinaDay(day).getTime() + (8 + random() * 10) * 3_600_000);
      const channel = pickChannel(random(), progress);
      const intake: CaseIntake = {
        caseId: `DEMO-${monthStart.slice(0, 7).replace('-', '')}-${String(serial).padStart(6, '0')}`,
        jurisdiction: options.jurisdiction,
        receivedAt: receivedAt.toISOString(),
        channel,
        regionCode: BEIJING_DISTRICTS[pickWeighted(random(), districtWeights)]!.code,
        field: FIELDS[pickWeighted(random(), FIELD_WEIGHTS)]!,
        collectiveSize: random() < 0.04 ? 5 + Math.floor(random() * 30) : 1,
      };
      yield { intake, events: lifecycle(intake, random) };
    }
  }
}

/** Received, then routed; about 6% are routed after the clock has run out. */
function lifecycle(intake: CaseIntake, random: () => number): CaseEvent[] {
  const { caseId } = intake;
  const receivedDate = chinaDateOf(new Date(intake.receivedAt));
  const deadline = caseDeadline({ jurisdiction: intake.jurisdiction, receivedDate, step: 'route', start: receivedDate });
  const received: CaseEvent = { caseId, type: 'received', occurredAt: intake.receivedAt, dueDate: deadline.due };
  const late = random() < 0.06;
  // Routed on a day before the breach, or up to ten days after it.
  const breachAt = Date.parse(deadline.breachAt);
  const receivedAt = Date.parse(intake.receivedAt);
  const routedAt = new Date(
    late ? breachAt + (1 + random() * 10) * 86_400_000 : receivedAt + random() * (breachAt - receivedAt - 3_600_000),
  ).toISOString();
  const routed: CaseEvent = { caseId, type: 'routed', occurredAt: routedAt, actor: 'demo', detail: { mode: 'forward', late } };
  if (!late) return [received, routed];
  const overdue: CaseEvent = {
    caseId,
    type: 'route_overdue',
    occurredAt: deadline.breachAt,
    dueDate: deadline.due,
  };
  return [received, overdue, routed];
}

/** Online share grows from about 40% to 60% over the period; the rest split by habit. */
function pickChannel(u: number, progress: number): Channel {
  const online = 0.4 + 0.2 * progress;
  if (u < online) return 'online';
  const rest = (u - online) / (1 - online);
  if (rest < 0.45) return 'phone';
  if (rest < 0.75) return 'visit';
  if (rest < 0.97) return 'letter';
  return 'email';
}

function pickWeighted(u: number, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]! / total;
    if (u < acc) return i;
  }
  return weights.length - 1;
}

function shiftMonths(firstOfMonth: string, delta: number) {
  const y = Number(firstOfMonth.slice(0, 4));
  const m = Number(firstOfMonth.slice(5, 7)) - 1 + delta;
  const date = new Date(Date.UTC(y, m, 1));
  return parsePlainDate(date.toISOString().slice(0, 10));
}

/** Small seeded PRNG so the demo is identical on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
