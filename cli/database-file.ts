import { AnalyticsStore } from '../analytics/store.js';
import { UsageError } from './command.js';

/** Opens the database file a `--db` command reads; the running system holds its lock, and the caller is told to go through it instead. */
export async function openDatabaseFile(path: string): Promise<AnalyticsStore> {
  try {
    return await AnalyticsStore.open(path);
  } catch (error) {
    if (/lock/i.test((error as Error).message)) throw new UsageError(`${path} is in use (is the system running? then leave out --db)`);
    throw error;
  }
}
