import { exportCases } from '../../analytics/export/export.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { loadConfig } from '../../server/config.js';
import { parsePlainDate } from '../../rules/plain-date.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const usage = `usage: xinfang export --format parquet|csv --out DIR [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--region CODE]
                      [--field 领域] [--origin workflow|demo|import] [--db FILE]
Writes DIR/cases.<format> and DIR/events.<format> in the project's schema (xinfang import reads
them back). Petitioners appear only as their pseudonym; identities are never exported.
--region matches a district or, by prefix, its streets.`;

export const command: Command = {
  summary: 'export cases and events as Parquet or CSV, without petitioner identities',
  usage,
  async run(args) {
    const { values } = parse(args);
    if (values.format !== 'parquet' && values.format !== 'csv') throw new UsageError('--format must be parquet or csv');
    if (!values.out) throw new UsageError('--out is required');
    for (const name of ['from', 'to'] as const) {
      const v = values[name];
      if (v !== undefined) {
        try {
          parsePlainDate(v);
        } catch (error) {
          throw new UsageError(`--${name}: ${(error as Error).message}`);
        }
      }
    }
    if (values.region !== undefined && !/^[A-Za-z0-9_-]{1,32}$/.test(values.region)) throw new UsageError('--region must be a region code');
    if (values.origin !== undefined && !['workflow', 'demo', 'import'].includes(values.origin)) {
      throw new UsageError('--origin must be workflow, demo or import');
    }
    const dbPath = values.db ?? loadConfig().duckdbPath;
    let store: AnalyticsStore;
    try {
      store = await AnalyticsStore.open(dbPath);
    } catch (error) {
      if (/lock/i.test((error as Error).message)) throw new UsageError(`${dbPath} is in use (is the system running?)`);
      throw error;
    }
    try {
      const result = await exportCases(store, values.format, values.out, {
        ...(values.from ? { from: values.from } : {}),
        ...(values.to ? { to: values.to } : {}),
        ...(values.region ? { region: values.region } : {}),
        ...(values.field ? { field: values.field } : {}),
        ...(values.origin ? { origin: values.origin } : {}),
      });
      process.stdout.write(`exported ${result.cases} cases and ${result.events} events to ${result.files.join(', ')}\n`);
      return 0;
    } finally {
      store.close();
    }
  },
};

function parse(args: string[]) {
  return parseOptions({
    args,
    strict: true,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      region: { type: 'string' },
      field: { type: 'string' },
      origin: { type: 'string' },
      db: { type: 'string' },
    },
  });
}
