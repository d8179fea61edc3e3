import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { ensureRollups } from './metrics/rollups.js';

export type SqlParams = Record<string, DuckDBValue> | DuckDBValue[];

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const MIGRATION_FILE = /^(\d{3})_[a-z0-9_]+\.sql$/;
const migrationRow = z.object({ version: z.number() });

/**
 * The analytics database: one DuckDB instance per process. DuckDB lets a single process
 * write a database file, so the process that opens the store owns it (see README,
 * "Who writes DuckDB"); everything else reads through this process's API.
 */
export class AnalyticsStore {
  private readonly lanes = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly path: string,
  ) {}

  /** Opens (creating if needed) the database at `path`, or `:memory:`, and migrates it. */
  static async open(path: string): Promise<AnalyticsStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const instance = await DuckDBInstance.create(path);
    const store = new AnalyticsStore(instance, path);
    await store.migrate();
    await store.transaction(ensureRollups);
    return store;
  }

  /** Runs a query and validates every row against `row`, so callers get typed, checked data. */
  async all<T>(row: z.ZodType<T>, sql: string, params: SqlParams = []): Promise<T[]> {
    return this.withConnection(async (conn) => {
      const reader = await conn.runAndReadAll(sql, params);
      return reader.getRowObjectsJson().map((r) => row.parse(r));
    });
  }

  async run(sql: string, params: SqlParams = []): Promise<void> {
    await this.withConnection((conn) => conn.run(sql, params));
  }

  /** Runs `work` in one transaction: it commits whole or not at all. */
  async transaction<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.withConnection(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        const result = await work(conn);
        await conn.run('COMMIT');
        return result;
      } catch (error) {
        await conn.run('ROLLBACK');
        throw error;
      }
    });
  }

  /**
   * Runs `work` on a connection of its own, closed when it is done: for work whose session
   * state (temporary views, settings) must be seen by no other, or that may be interrupted
   * (`conn.interrupt()`) without stopping anyone else's statement.
   */
  session<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.withConnection(work);
  }

  /**
   * Runs `work` after every earlier piece of work queued in the same lane of this store. DuckDB's
   * concurrency is optimistic: two transactions writing the same row conflict and one fails, so
   * writers of a shared row (the audit chain's head, a petitioner's identity) queue instead.
   * One process owns the file, so an in-process queue orders every such writer.
   */
  serially<T>(lane: string, work: () => Promise<T>): Promise<T> {
    const done = (this.lanes.get(lane) ?? Promise.resolve()).then(work);
    // A failed piece must not stop the ones queued after it; its caller sees the error.
    this.lanes.set(lane, done.catch(() => undefined));
    return done;
  }

  close(): void {
    this.instance.closeSync();
  }

  private async withConnection<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.instance.connect();
    try {
      return await work(conn);
    } finally {
      conn.closeSync();
    }
  }

  private async migrate(): Promise<void> {
    await this.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)`);
    const applied = new Set(
      (await this.all(migrationRow, 'SELECT version FROM schema_migrations')).map((r) => r.version),
    );
    const seen = new Map<number, string>();
    for (const file of readdirSync(MIGRATIONS_DIR).sort()) {
      const m = MIGRATION_FILE.exec(file);
      if (!m) throw new Error(`analytics/migrations/${file}: migration files are named NNN_name.sql`);
      const version = Number(m[1]);
      const twin = seen.get(version);
      if (twin) throw new Error(`analytics/migrations: ${twin} and ${file} share version ${version}; renumber one`);
      seen.set(version, file);
      if (applied.has(version)) continue;
      const sql = readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8');
      await this.transaction(async (conn) => {
        await conn.run(sql);
        await conn.run('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, file]);
      });
    }
  }
}
