import { readFileSync } from 'node:fs';
import {
  cliOptionName,
  DETECTOR_METHODS,
  DETECTORS,
  isDetectorMethod,
  type DetectorParams,
  type ParamValue,
} from '../../analytics/detectors/registry.js';
import { parseSeriesCsv, SeriesError } from '../../analytics/detectors/series.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const methodLines = DETECTOR_METHODS.map((method) => {
  const spec = DETECTORS[method];
  const params = spec.params
    .map((p) => {
      const value = [...(p.kind === 'choice' ? [] : [p.kind === 'integer' ? 'N' : 'X']), ...(p.choices ?? [])].join('|');
      return `--${cliOptionName(p)} ${value}${p.default !== undefined ? ` (${p.default})` : ''}`;
    })
    .join(' ');
  return `  ${method.padEnd(20)} ${params}`;
});

const usage = `usage: xinfang detect --method ${DETECTOR_METHODS.join('|')} --input series.csv --freq 52|12 [--from-t T] [parameters]
Parameters by method, with defaults (named as in R's surveillance control lists, kebab-case):
${methodLines.join('\n')}
Reads CSV t,date,count (date optional); writes CSV t,date,observed,upperbound,alarm for each
monitored point from --from-t (default: the first point with enough history); upperbound NaN
and alarm NA where the reference gives NA. glr-poisson's "cases" bound is the smallest count
that alarms (alarm when observed ≥ upperbound). Semantics of R's surveillance 1.20.3, known
slips of the reference included unless --variant published (analytics/detectors/, README).`;

/** Every method's parameter options; a method refuses those it does not take. */
const OPTION_NAMES = [...new Set(Object.values(DETECTORS).flatMap((spec) => spec.params.map(cliOptionName)))];

export const command: Command = {
  summary: `aberration detection on a count series (${DETECTOR_METHODS.join(', ')}), CSV out`,
  usage,
  async run(args) {
    const { values } = parseOptions({
      args,
      strict: true,
      options: {
        method: { type: 'string' },
        input: { type: 'string' },
        freq: { type: 'string' },
        'from-t': { type: 'string' },
        ...Object.fromEntries(OPTION_NAMES.map((name) => [name, { type: 'string' as const }])),
      },
    });
    const option = (name: string) => (values as Record<string, string | undefined>)[name];
    const method = option('method') ?? '';
    if (!isDetectorMethod(method)) {
      throw new UsageError(`--method must be one of ${DETECTOR_METHODS.join(', ')}${method ? `, not "${method}"` : ''}`);
    }
    const spec = DETECTORS[method];
    const input = option('input');
    if (!input) throw new UsageError('--input is required');
    const freq = option('freq');
    if (freq !== '52' && freq !== '12') throw new UsageError('--freq must be 52 or 12');

    const params: Record<string, ParamValue> = {};
    for (const cliName of OPTION_NAMES) {
      const text = option(cliName);
      if (text === undefined) continue;
      const p = spec.params.find((q) => cliOptionName(q) === cliName);
      if (!p) throw new UsageError(`--${cliName} does not apply to ${method}`);
      params[p.name] = p.kind === 'choice' || p.choices?.includes(text) ? text : toNumber(cliName, text);
    }
    const fromTText = option('from-t');
    const fromTGiven = fromTText === undefined ? undefined : toNumber('from-t', fromTText);
    if (fromTGiven !== undefined && !(Number.isInteger(fromTGiven) && fromTGiven >= 1)) {
      throw new UsageError(`--from-t must be a whole number ≥ 1, not "${fromTText}"`);
    }

    let text: string;
    try {
      text = readFileSync(input, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${input}: ${(error as Error).message}`);
    }
    const rows = withRangeErrors(() => {
      let series;
      try {
        series = parseSeriesCsv(text, Number(freq) as 52 | 12);
      } catch (error) {
        if (error instanceof SeriesError) throw new UsageError(`${input}: ${error.message}`);
        throw error;
      }
      const fromT = fromTGiven ?? spec.historyNeeded(series.freq, params as DetectorParams, series) + 1;
      if (series.count.length < fromT) throw new UsageError(`${input}: ${series.count.length} points; ${method} needs at least ${fromT}`);
      return { series, rows: spec.run(series, params, fromT) };
    });

    const out = ['t,date,observed,upperbound,alarm'];
    for (const row of rows.rows) {
      const date = rows.series.date?.[row.t - 1] ?? '';
      out.push(`${row.t},${date},${row.observed},${Number.isNaN(row.upperbound) ? 'NaN' : row.upperbound},${row.alarm === null ? 'NA' : row.alarm ? 1 : 0}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};

function toNumber(name: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, not "${text}"`);
  return value;
}

/** The detectors refuse impossible parameters or too little history with a RangeError. */
function withRangeErrors<T>(body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    throw error;
  }
}
