import { CalendarCoverageError, chinaCalendar } from '../../rules/calendar.js';
import { clockFor, composePacks, composeRules, packInForce } from '../../rules/compose.js';
import { RuleViolation, clockDeadline, computeDeadline, type Deadline, type Suspension } from '../../rules/deadline.js';
import { policyLibrary } from '../../rules/library.js';
import { CASE_STEPS, PackError, type CaseStep } from '../../rules/pack.js';
import { parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const usage = `usage:
  xinfang deadline --from DATE --days N [--basis calendar|working]
  xinfang deadline --step STEP --from DATE (--pack ID | --jurisdiction NAME) [--received DATE]
                   [--extension DAYS] [--suspend FROM..TO[:reason]]...

Prints one JSON object: {"due", "basis", "rule", "explanation", ...}.
  --step       ${CASE_STEPS.join(', ')}
  --pack       one policy pack, in the version in force on --received (default --from)
  --jurisdiction  the packs a jurisdiction composes (rules/jurisdictions.json)
  --received   date the case was received: picks the rules in force then (default --from)
  --extension  days granted under the clock's extension rule
  --suspend    days not counted (e.g. a hearing during re-review), inclusive`;

export const command: Command = {
  summary: 'compute a legal due date with its explanation',
  usage,
  async run(args) {
    try {
      return deadline(args);
    } catch (error) {
      // What the rules or the calendar refuse is a problem with the request, not a crash.
      if (error instanceof RuleViolation || error instanceof CalendarCoverageError || error instanceof PackError || error instanceof RangeError) {
        throw new UsageError(error.message);
      }
      throw error;
    }
  },
};

function deadline(args: string[]): number {
  const { values } = parse(args);
  const date = (name: string, text: string | undefined): PlainDate => {
    if (!text) throw new UsageError(`--${name} is required`);
    try {
      return parsePlainDate(text);
    } catch (error) {
      throw new UsageError(`--${name}: ${(error as Error).message}`);
    }
  };
  const from = date('from', values.from);
  const calendar = chinaCalendar();
  let result: Deadline;
  if (values.days !== undefined) {
    if (values.step || values.pack || values.jurisdiction) throw new UsageError('--days goes without --step, --pack and --jurisdiction');
    const days = wholeNumber('days', values.days, 1);
    const basis = values.basis ?? 'calendar';
    if (basis !== 'calendar' && basis !== 'working') throw new UsageError(`--basis must be calendar or working, not "${basis}"`);
    result = computeDeadline({ start: from, days, basis, suspensions: suspensions(values.suspend) }, calendar);
    if (values.extension) throw new UsageError('--extension needs a pack rule (--step); with --days, add the days instead');
  } else {
    if (!values.step) throw new UsageError('give --days N, or --step with --pack or --jurisdiction');
    if (values.basis) throw new UsageError('--basis comes from the pack rule; it goes only with --days');
    if (!(CASE_STEPS as readonly string[]).includes(values.step)) {
      throw new UsageError(`--step must be one of ${CASE_STEPS.join(', ')}, not "${values.step}"`);
    }
    if (Boolean(values.pack) === Boolean(values.jurisdiction)) throw new UsageError('give exactly one of --pack and --jurisdiction');
    const received = values.received ? date('received', values.received) : from;
    const library = policyLibrary();
    let rules;
    if (values.pack) {
      if (!library.packs.has(values.pack)) {
        throw new UsageError(`unknown pack "${values.pack}"; packs: ${[...library.packs.keys()].join(', ')}`);
      }
      const pack = packInForce(library, values.pack, received);
      if (!pack) throw new UsageError(`pack ${values.pack} was not yet in force on ${received}`);
      rules = composePacks([pack], values.pack, received, { requireAll: false });
    } else {
      if (!library.jurisdictions[values.jurisdiction!]) {
        throw new UsageError(`unknown jurisdiction "${values.jurisdiction}"; known: ${Object.keys(library.jurisdictions).join(', ')}`);
      }
      rules = composeRules(library, values.jurisdiction!, received);
    }
    const clock = clockFor(rules, values.step as CaseStep);
    result = clockDeadline(clock, from, calendar, {
      ...(values.extension ? { extensionDays: wholeNumber('extension', values.extension, 1) } : {}),
      suspensions: suspensions(values.suspend),
    });
    process.stdout.write(`${JSON.stringify({ ...result, rule: { ...result.rule, ...clock.rule, provenance: clock.from } }, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`${JSON.stringify({ ...result, rule: { days: result.days, basis: result.basis } }, null, 2)}\n`);
  return 0;
}

function parse(args: string[]) {
  return parseOptions({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      from: { type: 'string' },
      days: { type: 'string' },
      basis: { type: 'string' },
      step: { type: 'string' },
      pack: { type: 'string' },
      jurisdiction: { type: 'string' },
      received: { type: 'string' },
      extension: { type: 'string' },
      suspend: { type: 'string', multiple: true },
    },
  });
}

function wholeNumber(name: string, text: string, min: number): number {
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not "${text}"`);
  return Number(text);
}

function suspensions(specs: string[] | undefined): Suspension[] {
  return (specs ?? []).map((spec) => {
    const m = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})(?::(.+))?$/.exec(spec);
    if (!m) throw new UsageError(`--suspend takes FROM..TO[:reason] with dates as YYYY-MM-DD, not "${spec}"`);
    try {
      return { from: parsePlainDate(m[1]!), to: parsePlainDate(m[2]!), reason: m[3] ?? 'suspended' };
    } catch (error) {
      throw new UsageError(`--suspend: ${(error as Error).message}`);
    }
  });
}
