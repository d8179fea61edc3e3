import { readFileSync } from 'node:fs';
import { cusum } from '../../analytics/detectors/cusum.js';
import { earsC, earsHistoryNeeded, type DetectionRow, type EarsMethod } from '../../analytics/detectors/ears.js';
import { parseSeriesCsv, SeriesError } from '../../analytics/detectors/series.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const EARS: Record<string, EarsMethod> = { 'ears-c1': 'C1', 'ears-c2': 'C2', 'ears-c3': 'C3' };
const METHODS = [...Object.keys(EARS), 'cusum'];

const usage = `usage: xinfang detect --method ears-c1|ears-c2|ears-c3|cusum --input series.csv --freq 52|12 [--from-t T]
  EARS:  [--alpha A] [--baseline B] [--min-sigma S] [--variant reference|published]
  CUSUM: [--k K] [--h H] [--m M]   (m: expected count; default the mean before --from-t;
                                    --from-t defaults to one year of history, freq + 1)
Reads CSV t,date,count (date optional); writes CSV t,date,observed,upperbound,alarm for each
monitored point. Semantics of R's surveillance 1.20.3 earsC and cusum (analytics/detectors/).
Farrington and GLR arrive with the rest of the early-warning work.`;

export const command: Command = {
  summary: 'aberration detection on a count series (EARS C1/C2/C3, CUSUM), CSV out',
  usage,
  async run(args) {
    const { values } = parse(args);
    if (!METHODS.includes(values.method ?? '')) {
      throw new UsageError(`--method must be one of ${METHODS.join(', ')}${values.method ? `, not "${values.method}"` : ''}`);
    }
    if (!values.input) throw new UsageError('--input is required');
    if (values.freq !== '52' && values.freq !== '12') throw new UsageError('--freq must be 52 or 12');
    const number = (name: string, text: string | undefined) => {
      if (text === undefined) return undefined;
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, not "${text}"`);
      return value;
    };
    const variant = values.variant ?? 'reference';
    if (variant !== 'reference' && variant !== 'published') throw new UsageError('--variant must be reference or published');
    let text: string;
    try {
      text = readFileSync(values.input, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${values.input}: ${(error as Error).message}`);
    }
    let series;
    try {
      series = parseSeriesCsv(text, Number(values.freq) as 52 | 12);
    } catch (error) {
      if (error instanceof SeriesError) throw new UsageError(`${values.input}: ${error.message}`);
      throw error;
    }
    const baseline = number('baseline', values.baseline);
    const ears = EARS[values.method!];
    const fromT = number('from-t', values['from-t']) ?? (ears ? earsHistoryNeeded(ears, baseline) : Number(values.freq)) + 1;
    if (series.count.length < fromT) throw new UsageError(`${values.input}: ${series.count.length} points; ${values.method} needs at least ${fromT}`);
    let rows: DetectionRow[];
    try {
      rows = ears
        ? earsC(series.count, {
            method: ears,
            fromT,
            variant,
            ...(baseline !== undefined ? { baseline } : {}),
            ...(values.alpha !== undefined ? { alpha: number('alpha', values.alpha)! } : {}),
            ...(values['min-sigma'] !== undefined ? { minSigma: number('min-sigma', values['min-sigma'])! } : {}),
          })
        : cusum(series.count, {
            fromT,
            ...(values.k !== undefined ? { k: number('k', values.k)! } : {}),
            ...(values.h !== undefined ? { h: number('h', values.h)! } : {}),
            ...(values.m !== undefined ? { m: number('m', values.m)! } : {}),
          });
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    const out = ['t,date,observed,upperbound,alarm'];
    for (const row of rows) {
      const date = series.date?.[row.t - 1] ?? '';
      out.push(`${row.t},${date},${row.observed},${Number.isNaN(row.upperbound) ? 'NaN' : row.upperbound},${row.alarm === null ? 'NA' : row.alarm ? 1 : 0}`);
    }
    process.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};

function parse(args: string[]) {
  return parseOptions({
    args,
    strict: true,
    options: {
      method: { type: 'string' },
      input: { type: 'string' },
      freq: { type: 'string' },
      'from-t': { type: 'string' },
      alpha: { type: 'string' },
      baseline: { type: 'string' },
      'min-sigma': { type: 'string' },
      variant: { type: 'string' },
      k: { type: 'string' },
      h: { type: 'string' },
      m: { type: 'string' },
    },
  });
}
