import { generateToParquet } from '../../analytics/generator/generate.js';
import { parsePlainDate, type PlainDate } from '../../rules/plain-date.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const usage = `usage: xinfang generate --cases N --from YYYY-MM-DD --to YYYY-MM-DD --seed S --out DIR [--anomalies K] [--batch N] [--prefix P]
Writes realistic, deterministic petition data as Parquet: DIR/cases/year=YYYY/part-*.parquet and
DIR/events/year=YYYY/part-*.parquet in the project's schema, the petition offices' recommendations
(DIR/recommendations/) and screened disputes (DIR/disputes/) over the same days (xinfang import DIR
loads them all), with DIR/labels.json (the injected anomalies) and DIR/manifest.json. Calibration
and sources: analytics/generator/calibration.ts.`;

export const command: Command = {
  summary: 'generate realistic petition cases, their lifecycle events, recommendations and screened disputes as Parquet',
  usage,
  async run(args) {
    const { values } = parse(args);
    const int = (name: string, text: string | undefined, min: number) => {
      if (text === undefined) return undefined;
      if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, not "${text}"`);
      return Number(text);
    };
    const date = (name: string, text: string | undefined): PlainDate => {
      if (!text) throw new UsageError(`--${name} is required`);
      try {
        return parsePlainDate(text);
      } catch (error) {
        throw new UsageError(`--${name}: ${(error as Error).message}`);
      }
    };
    const cases = int('cases', values.cases, 1);
    if (cases === undefined) throw new UsageError('--cases is required');
    if (!values.out) throw new UsageError('--out is required');
    const from = date('from', values.from);
    const to = date('to', values.to);
    if (to < from) throw new UsageError(`--to ${to} is before --from ${from}`);
    const seed = int('seed', values.seed ?? '42', 0)!;
    const summary = await generateToParquet(values.out, {
      cases,
      from,
      to,
      seed,
      anomalies: int('anomalies', values.anomalies, 0) ?? 0,
      ...(values.batch ? { batchSize: int('batch', values.batch, 1000)! } : {}),
      ...(values.prefix ? { prefix: values.prefix } : {}),
    });
    const perSecond = Math.round(summary.cases / (summary.ms / 1000));
    process.stdout.write(
      `generated ${summary.cases} cases and ${summary.events} events in ${summary.batches} batches, ${summary.ms} ms (${perSecond} cases/s)\n` +
        `and ${summary.recommendations} recommendations and ${summary.disputes} screened disputes\n` +
        `anomalies: ${summary.anomalies.length ? summary.anomalies.map((a) => `${a.id} ${a.regionCode} ${a.field} ${a.from}..${a.to} ×${a.factor} (+${a.injectedCases})`).join('; ') : 'none'}\n` +
        `written to ${values.out}\n`,
    );
    return 0;
  },
};

function parse(args: string[]) {
  return parseOptions({
    args,
    strict: true,
    options: {
      cases: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      anomalies: { type: 'string' },
      batch: { type: 'string' },
      prefix: { type: 'string' },
    },
  });
}
