import { formatReport, expandPaths, hierarchyFor, runImport } from '../../analytics/import/run.js';
import { loadMapping, MappingError, type Mapping } from '../../analytics/import/mapping.js';
import { loadPetitionerKeys } from '../../analytics/import/pseudonym.js';
import { ImportFileError } from '../../analytics/import/readers.js';
import { AnalyticsStore } from '../../analytics/store.js';
import { loadConfig } from '../../server/config.js';
import { parseOptions, UsageError, type Command } from '../command.js';

const usage = `usage: xinfang import PATH... [--mapping FILE] [--regions FILE --jurisdiction NAME] [--db FILE] [--json]
Imports petition cases (and their events) from CSV/TSV, JSON lines, Parquet, Arrow IPC and .xlsx
files, or every such file under a directory. Without --mapping a file must use the project's
columns (see README, "Data"); with --mapping foreign data is renamed, parsed and normalised
(examples/ottawa-311/mapping.json). Rows that cannot be accepted go to the quarantine table
with file, line and reason. The import commits whole or not at all; importing the same file
again imports nothing twice. --db defaults to $DUCKDB_PATH (the running system's file: stop
it first, or upload through POST /api/v1/imports).`;

export const command: Command = {
  summary: 'import cases and events (CSV, JSON lines, Parquet, Arrow, .xlsx), with a mapping for foreign data',
  usage,
  async run(args) {
    const { values, positionals } = parse(args);
    if (!positionals.length) throw new UsageError('name at least one file or directory to import');
    if (values.jurisdiction && !values.regions) throw new UsageError('--jurisdiction goes with --regions');
    const config = loadConfig();
    let mapping: Mapping | undefined;
    try {
      mapping = values.mapping ? loadMapping(values.mapping) : undefined;
    } catch (error) {
      if (error instanceof MappingError) throw new UsageError(error.message);
      throw error;
    }
    let files: string[];
    let hierarchy;
    try {
      files = expandPaths(positionals);
      hierarchy = hierarchyFor(mapping, values.regions, values.jurisdiction);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const keys = loadPetitionerKeys(config.dataDir);
    const dbPath = values.db ?? config.duckdbPath;
    let store: AnalyticsStore;
    try {
      store = await AnalyticsStore.open(dbPath);
    } catch (error) {
      const message = (error as Error).message;
      if (/lock/i.test(message)) throw new UsageError(`${dbPath} is in use (is the system running?); upload through POST /api/v1/imports instead`);
      throw error;
    }
    try {
      const report = await runImport(
        store,
        files.map((path) => ({ path })),
        { ...(mapping ? { mapping } : {}), keys, hierarchy, actor: `cli:${process.env.USER ?? 'unknown'}` },
      );
      process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof ImportFileError) throw new UsageError(`${error.message} (nothing was imported)`);
      throw error;
    } finally {
      store.close();
    }
  },
};

function parse(args: string[]) {
  return parseOptions({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      mapping: { type: 'string' },
      regions: { type: 'string' },
      jurisdiction: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
}
