/**
 * 初信初访, 重复信访 and 越级信访 of an import's cases, derived as intake derives them
 * (rules/petition-kind.ts) when the mapping names the petitioner and does not carry the flag:
 * a flag the source gives is the source's, kept as it came. skip_level reads where each case was
 * brought from the mapping's `receivedIn`. Every petition of the batch's petitioners in the
 * store is history, this batch's included, so one petitioner's rows in a file are ordered among
 * themselves and after the petitions already held.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { CHANNEL_CODES } from '../../domain/case.js';
import { derivePetitionKind, type Finding, type PetitionKind } from '../../rules/petition-kind.js';
import { nodesOf, petitionerHistory, recordPetitionKinds, type DerivedPetitionKind } from '../petition-kinds.js';
import type { Mapping } from './mapping.js';

export const PETITION_FLAGS = ['repeat_petition', 'skip_level'] as const;
export type PetitionFlag = (typeof PETITION_FLAGS)[number];

/** What the import report says of the flags. */
export interface PetitionKindsReport {
  /** Flags the import derived for the cases it brought in. */
  derived: PetitionFlag[];
  /** Flags the mapping took from the source, kept as they came. */
  carried: PetitionFlag[];
  /** The cases derived, and how many of them are repeat and skip-level petitions. */
  cases: number;
  repeat: number;
  skipLevel: number;
  /** Why nothing was derived, when nothing was. */
  note?: string;
}

const batchRow = z.object({
  case_id: z.string(),
  received_at: z.string(),
  channel: z.enum(CHANNEL_CODES),
  region_code: z.string(),
  field: z.string().nullable(),
  petitioner_id: z.string().nullable(),
  repeat_petition: z.boolean().nullable(),
  skip_level: z.boolean().nullable(),
});

/** A derivation whose carried flags say they are the source's, so the case's page tells the stored flag's reason. */
function withCarried(kind: PetitionKind, carried: readonly PetitionFlag[], row: z.infer<typeof batchRow>, batchId: string): PetitionKind {
  const given = (value: boolean | null): Finding => ({ value, reason: value === null ? `not given by the source (import ${batchId})` : `as the source gave it (import ${batchId})`, cite: '' });
  const repeat = carried.includes('repeat_petition') ? row.repeat_petition : undefined;
  return {
    ...kind,
    ...(repeat === undefined ? {} : { repeat: given(repeat), first: given(repeat === null ? null : !repeat), sameMatterAs: null }),
    ...(carried.includes('skip_level') ? { skipLevel: given(row.skip_level) } : {}),
  };
}

export async function derivePetitionKinds(
  conn: DuckDBConnection,
  batchId: string,
  mapping: Mapping | undefined,
  receivedIn: ReadonlyMap<string, string>,
  at: Date,
): Promise<PetitionKindsReport> {
  const none = (carried: PetitionFlag[], note: string): PetitionKindsReport => ({ derived: [], carried, cases: 0, repeat: 0, skipLevel: 0, note });
  if (!mapping) return none([], 'a file in the project schema carries its own flags: nothing derived');
  const carried = PETITION_FLAGS.filter((f) => mapping.columns[f] !== undefined);
  const derived = PETITION_FLAGS.filter((f) => mapping.columns[f] === undefined);
  if (!mapping.petitioner) return none(carried, 'the mapping names no petitioner (petitioner.from): nothing to derive from');
  if (!derived.length) return none(carried, 'the mapping carries both flags from the source');

  const reader = await conn.runAndReadAll(
    `SELECT case_id, strftime(timezone('UTC', received_at), '%Y-%m-%dT%H:%M:%S.%gZ') AS received_at, channel, region_code, field, petitioner_id,
            repeat_petition, skip_level
       FROM cases WHERE import_batch = $batch`,
    { batch: batchId },
  );
  const cases = reader.getRowObjectsJson().map((r) => batchRow.parse(r));
  const petitioners = cases.flatMap((c) => (c.petitioner_id ? [c.petitioner_id] : []));
  const history = await petitionerHistory(conn, petitioners);
  const nodes = await nodesOf(conn, [...new Set(receivedIn.values())]);
  const kinds: DerivedPetitionKind[] = cases.map((c) => {
    const where = receivedIn.get(c.case_id);
    const facts = { caseId: c.case_id, receivedAt: c.received_at, regionCode: c.region_code, field: c.field, petitionerId: c.petitioner_id };
    const kind = derivePetitionKind(
      { ...facts, channel: c.channel, sameClaimAs: null, broughtTo: (where !== undefined && nodes.get(where)) || null },
      c.petitioner_id ? (history.get(c.petitioner_id) ?? []) : [],
    );
    return { ...facts, kind: withCarried(kind, carried, c, batchId) };
  });

  await conn.run('CREATE OR REPLACE TEMP TABLE derived_kinds (case_id VARCHAR, repeat_petition BOOLEAN, skip_level BOOLEAN)');
  const appender = await conn.createAppender('derived_kinds', 'main', 'temp');
  const flag = (value: boolean | null) => (value === null ? appender.appendNull() : appender.appendBoolean(value));
  for (const { caseId, kind } of kinds) {
    appender.appendVarchar(caseId);
    flag(kind.repeat.value);
    flag(kind.skipLevel.value);
    appender.endRow();
  }
  appender.closeSync();
  // Column names from PETITION_FLAGS, never from input.
  await conn.run(`UPDATE cases SET ${derived.map((f) => `${f} = d.${f}`).join(', ')} FROM temp.main.derived_kinds d WHERE cases.case_id = d.case_id`);
  await conn.run('DROP TABLE temp.main.derived_kinds');
  await recordPetitionKinds(conn, kinds, batchId, at);
  return {
    derived,
    carried,
    cases: kinds.length,
    repeat: derived.includes('repeat_petition') ? kinds.filter((k) => k.kind.repeat.value).length : 0,
    skipLevel: derived.includes('skip_level') ? kinds.filter((k) => k.kind.skipLevel.value).length : 0,
  };
}
