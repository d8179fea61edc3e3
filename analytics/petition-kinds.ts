/**
 * The petitioner's history that 初信初访, 重复信访 and 越级信访 are derived from
 * (rules/petition-kind.ts), and what was derived, with its reasons (migration 022). Intake
 * records its derivation before the case's workflow starts, so a petition registered a moment
 * ago is history to the next one before the workflow's first activity writes its case row.
 */
import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { RegionLevel } from '../domain/region-hierarchy.js';
import { derivePetitionKind, type Finding, type PetitionFacts, type PetitionKind, type PriorPetition } from '../rules/petition-kind.js';
import { organNamed } from './organ-match.js';
import { AnalyticsStore, type SqlParams } from './store.js';

type Db = AnalyticsStore | DuckDBConnection;

async function rows<T>(db: Db, schema: z.ZodType<T>, sql: string, params: SqlParams): Promise<T[]> {
  if (db instanceof AnalyticsStore) return db.all(schema, sql, params);
  return (await db.runAndReadAll(sql, params)).getRowObjectsJson().map((r) => schema.parse(r));
}

const ISO = (column: string) => `strftime(timezone('UTC', ${column}), '%Y-%m-%dT%H:%M:%S.%gZ')`;
const priorRow = z.object({ case_id: z.string(), received_at: z.string(), region_code: z.string(), field: z.string().nullable(), petitioner_id: z.string() });

/** Every petition of these petitioners: the case rows, and intake's records of cases whose row has not arrived yet. */
export async function petitionerHistory(db: Db, petitionerIds: readonly string[]): Promise<Map<string, PriorPetition[]>> {
  const history = new Map<string, PriorPetition[]>();
  if (!petitionerIds.length) return history;
  const found = await rows(
    db,
    priorRow,
    `SELECT case_id, ${ISO('received_at')} AS received_at, region_code, field, petitioner_id
       FROM cases WHERE list_contains($ids::VARCHAR[], petitioner_id)
     UNION ALL
     SELECT k.case_id, ${ISO('k.received_at')}, k.region_code, k.field, k.petitioner_id
       FROM petition_kinds k
      WHERE list_contains($ids::VARCHAR[], k.petitioner_id) AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.case_id = k.case_id)`,
    { ids: listValue([...new Set(petitionerIds)]) },
  );
  for (const r of found) {
    const list = history.get(r.petitioner_id) ?? [];
    list.push({ caseId: r.case_id, receivedAt: r.received_at, regionCode: r.region_code, field: r.field });
    history.set(r.petitioner_id, list);
  }
  return history;
}

const nodeRow = z.object({ key: z.string(), code: z.string(), level: z.enum(['city', 'district', 'street']), organ: z.boolean() });

/**
 * The region node of the organ each petition was brought to: a code of the region hierarchy
 * names its node; an organ of the registry (by code, name or alias) stands at its region's node.
 */
export async function nodesOf(db: Db, keys: readonly string[]): Promise<Map<string, { code: string; level: RegionLevel }>> {
  const nodes = new Map<string, { code: string; level: RegionLevel }>();
  if (!keys.length) return nodes;
  const found = await rows(
    db,
    nodeRow,
    `SELECT r.code AS key, r.code, r.level, false AS organ FROM regions r WHERE list_contains($keys::VARCHAR[], r.code)
     UNION ALL
     SELECT k.key, r.code, r.level, true AS organ
       FROM (SELECT unnest($keys::VARCHAR[]) AS key) k
       JOIN ${organNamed('o', 'k.key')}
       JOIN regions r ON r.code = o.region_code`,
    { keys: listValue([...new Set(keys)]) },
  );
  // A region's own code wins over an organ that happens to be named the same.
  for (const r of [...found].sort((a, b) => Number(b.organ) - Number(a.organ))) nodes.set(r.key, { code: r.code, level: r.level });
  return nodes;
}

export interface DerivedPetitionKind {
  caseId: string;
  petitionerId: string | null;
  receivedAt: string;
  regionCode: string;
  field: string | null;
  kind: PetitionKind;
}

/** Records derivations (`derivedBy`: 'intake' or the import batch) and says how many: a case that has one keeps it. */
export async function recordPetitionKinds(conn: DuckDBConnection, derived: readonly DerivedPetitionKind[], derivedBy: string, at: Date): Promise<number> {
  if (!derived.length) return 0;
  const result = await conn.run(
    `INSERT INTO petition_kinds (case_id, petitioner_id, received_at, region_code, field, derived_by, derived_at, kind)
     SELECT unnest($ids::VARCHAR[]), unnest($petitioners::VARCHAR[]), unnest($received::TIMESTAMPTZ[]), unnest($regions::VARCHAR[]),
            unnest($fields::VARCHAR[]), $by, $at::TIMESTAMPTZ, unnest($kinds::JSON[])
     ON CONFLICT DO NOTHING`,
    {
      ids: listValue(derived.map((d) => d.caseId)),
      petitioners: listValue(derived.map((d) => d.petitionerId)),
      received: listValue(derived.map((d) => d.receivedAt)),
      regions: listValue(derived.map((d) => d.regionCode)),
      fields: listValue(derived.map((d) => d.field)),
      by: derivedBy,
      at: at.toISOString(),
      kinds: listValue(derived.map((d) => JSON.stringify(d.kind))),
    },
  );
  return result.rowsChanged;
}

/**
 * Intake's derivation: the petitioner's history read and the result recorded one intake at a
 * time, since two petitions of one petitioner at once would each miss the other. `alongside`
 * writes what else intake keeps in the same transaction. Null when the case id has one already
 * (another intake of it got there first), and then nothing is written.
 */
export async function deriveAtIntake(
  store: AnalyticsStore,
  facts: PetitionFacts,
  at: Date,
  alongside: (conn: DuckDBConnection) => Promise<void> = async () => undefined,
): Promise<PetitionKind | null> {
  return store.serially('petition-kinds', async () => {
    const history = facts.petitionerId ? ((await petitionerHistory(store, [facts.petitionerId])).get(facts.petitionerId) ?? []) : [];
    const kind = derivePetitionKind(facts, history);
    const { caseId, petitionerId, receivedAt, regionCode, field } = facts;
    const recorded = await store.transaction(async (conn) => {
      if (!(await recordPetitionKinds(conn, [{ caseId, petitionerId, receivedAt, regionCode, field, kind }], 'intake', at))) return false;
      await alongside(conn);
      return true;
    });
    return recorded ? kind : null;
  });
}

/** Intake's derivation of a case whose workflow did not start: it never was a petition. */
export async function forgetPetitionKind(store: AnalyticsStore, caseId: string): Promise<void> {
  await store.run('DELETE FROM petition_kinds WHERE case_id = $caseId', { caseId });
}

/** What a case's page shows: the derivation and who made it, or the flags as the case's data gave them. */
export interface CasePetitionKind extends PetitionKind {
  /** 'intake', the import batch that derived it, or 'data': the flags came with the case (generated, or carried by an import). */
  derivedBy: string;
}

const finding = z.object({ value: z.boolean().nullable(), reason: z.string(), cite: z.string() });
const kindJson = z.object({ first: finding, repeat: finding, skipLevel: finding, sameMatterAs: z.string().nullable() });
const kindRow = z.object({ derived_by: z.string(), kind: z.string() });
const flagsRow = z.object({ repeat_petition: z.boolean().nullable(), skip_level: z.boolean().nullable(), origin: z.string(), import_batch: z.string().nullable() });

export async function petitionKindOf(store: AnalyticsStore, caseId: string): Promise<CasePetitionKind | null> {
  const [derived] = await store.all(kindRow, 'SELECT derived_by, CAST(kind AS VARCHAR) AS kind FROM petition_kinds WHERE case_id = $caseId', { caseId });
  if (derived) return { ...kindJson.parse(JSON.parse(derived.kind)), derivedBy: derived.derived_by };
  const [flags] = await store.all(flagsRow, 'SELECT repeat_petition, skip_level, origin, import_batch FROM cases WHERE case_id = $caseId', { caseId });
  if (!flags) return null;
  const source = flags.import_batch ? `import ${flags.import_batch}` : `${flags.origin} data`;
  const given = (value: boolean | null): Finding => ({ value, reason: value === null ? `not recorded in the ${source}` : `as the ${source} gave it`, cite: '' });
  const repeat = given(flags.repeat_petition);
  return { first: given(flags.repeat_petition === null ? null : !flags.repeat_petition), repeat, skipLevel: given(flags.skip_level), sameMatterAs: null, derivedBy: 'data' };
}
