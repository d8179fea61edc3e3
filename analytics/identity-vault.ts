/**
 * Petitioners' identities at rest (DOMAIN §10): AES-256-GCM ciphertext in petitioner_identities,
 * keyed by the same pseudonym analytics tables carry, so nothing but this table can name anyone.
 * Encryption keys rotate through a key ring; the pseudonym key never does (repeat petitions
 * would stop linking).
 *
 * Keys: XINFANG_IDENTITY_KEYS=keyId:64hex,oldId:64hex (first encrypts, all decrypt). Unset, the
 * key derived from the pseudonym secret encrypts, as imports always have. That derived key stays
 * in every ring as a decrypt-only last entry: whoever holds the pseudonym secret can derive it
 * anyway, and imports keep writing under it.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import {
  canonicalIdentity,
  maskIdentity,
  petitionerIdentity,
  type MaskedIdentity,
  type PetitionerIdentity,
  type StoredIdentity,
} from '../domain/petitioner.js';
import { identityCipher, loadPetitionerKeys, type IdentityCipher, type PetitionerKeys } from './import/pseudonym.js';
import { AnalyticsStore } from './store.js';

export interface IdentityKeyRing {
  /** Encrypts every write; the others only decrypt rows not yet rotated. */
  readonly current: IdentityCipher;
  readonly pseudonym: (identity: string) => string;
  /** The cipher a row's key_id names; throws UnknownIdentityKeyError for an id not in the ring. */
  cipher(keyId: string): IdentityCipher;
}

export class UnknownIdentityKeyError extends Error {
  constructor(readonly keyId: string) {
    super(`identity key ${keyId} is not in the key ring (XINFANG_IDENTITY_KEYS); rows it encrypted cannot be read`);
  }
}

/** `ciphers[0]` encrypts; `pseudonymKeys` names petitioners and is independent of the ciphers. */
export function identityKeyRing(pseudonymKeys: PetitionerKeys, ciphers: readonly IdentityCipher[]): IdentityKeyRing {
  const [current] = ciphers;
  if (!current) throw new Error('an identity key ring needs at least one key');
  const byId = new Map<string, IdentityCipher>();
  for (const c of ciphers) {
    if (byId.has(c.keyId)) throw new Error(`identity key id ${c.keyId} appears twice in the key ring`);
    byId.set(c.keyId, c);
  }
  return {
    current,
    pseudonym: (identity) => pseudonymKeys.pseudonym(identity),
    cipher(keyId) {
      const c = byId.get(keyId);
      if (!c) throw new UnknownIdentityKeyError(keyId);
      return c;
    },
  };
}

const KEY_ENTRY = /^([A-Za-z0-9_-]{1,32}):([0-9a-fA-F]{64})$/;

/** The ring from XINFANG_IDENTITY_KEYS and the pseudonym secret (loadPetitionerKeys). */
export function loadIdentityKeyRing(dataDir: string, env: NodeJS.ProcessEnv = process.env): IdentityKeyRing {
  const derived = loadPetitionerKeys(dataDir, env);
  const entries = (env.XINFANG_IDENTITY_KEYS ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
  const configured = entries.map((entry, i) => {
    const m = KEY_ENTRY.exec(entry);
    // The entry holds key material: say which one is wrong, never echo it.
    if (!m) throw new Error(`XINFANG_IDENTITY_KEYS entry ${i + 1} must be keyId:64 hex digits (a key id is up to 32 letters, digits, _ or -)`);
    const [, keyId = '', hex = ''] = m;
    if (keyId === derived.keyId) {
      throw new Error(`XINFANG_IDENTITY_KEYS entry ${i + 1}: key id ${keyId} is the id of the key derived from the pseudonym secret; choose another`);
    }
    return identityCipher(keyId, Buffer.from(hex, 'hex'));
  });
  return identityKeyRing(derived, [...configured, derived]);
}

/** A store or a connection inside the caller's transaction (to seal in the same one as intake). */
interface SqlTarget {
  run(sql: string, params: Record<string, DuckDBValue>): Promise<unknown>;
}

const sealedRow = z.object({
  petitioner_id: z.string(),
  key_id: z.string(),
  iv: z.string(),
  ciphertext: z.string(),
  tag: z.string(),
});
type SealedRow = z.infer<typeof sealedRow>;
const SELECT_SEALED = 'SELECT petitioner_id, key_id, hex(iv) AS iv, hex(ciphertext) AS ciphertext, hex(tag) AS tag FROM petitioner_identities';

function open(ring: IdentityKeyRing, row: SealedRow): string {
  const cipher = ring.cipher(row.key_id);
  try {
    return cipher.decrypt({ iv: Buffer.from(row.iv, 'hex'), ciphertext: Buffer.from(row.ciphertext, 'hex'), tag: Buffer.from(row.tag, 'hex') });
  } catch {
    throw new Error(`the identity of ${row.petitioner_id} does not decrypt under key ${row.key_id}: the key ring holds other material under that id, or the row was altered`);
  }
}

/**
 * Validates and encrypts `identity`, inserting it or replacing the one its petitioner had (a new
 * phone or address), and returns the pseudonym to record on the case.
 */
export async function sealIdentity(target: SqlTarget, ring: IdentityKeyRing, identity: PetitionerIdentity): Promise<{ petitionerId: string }> {
  // Parsed again: a type says nothing about whether the object went through the schema.
  const valid = petitionerIdentity.parse(identity);
  const petitionerId = ring.pseudonym(canonicalIdentity(valid));
  const sealed = ring.current.encrypt(JSON.stringify(valid));
  // Two intakes of one petitioner at once would upsert the same row and one would fail on
  // DuckDB's write conflict: on the store they queue; inside a caller's transaction it orders them.
  const write = () => target.run(
    `INSERT INTO petitioner_identities (petitioner_id, key_id, iv, ciphertext, tag)
     VALUES ($id, $key, from_hex($iv), from_hex($ct), from_hex($tag))
     ON CONFLICT (petitioner_id) DO UPDATE SET key_id = excluded.key_id, iv = excluded.iv, ciphertext = excluded.ciphertext, tag = excluded.tag`,
    { id: petitionerId, key: sealed.keyId, iv: sealed.iv.toString('hex'), ct: sealed.ciphertext.toString('hex'), tag: sealed.tag.toString('hex') },
  );
  await (target instanceof AnalyticsStore ? target.serially('identities', write) : write());
  return { petitionerId };
}

/**
 * The identity behind a pseudonym, or null when none was kept. Callers log the reveal; this only
 * decrypts. A row whose identity does not hash to its own petitioner_id was moved or altered and
 * is refused rather than shown as someone it is not.
 */
export async function revealIdentity(store: AnalyticsStore, ring: IdentityKeyRing, petitionerId: string): Promise<StoredIdentity | null> {
  const [row] = await store.all(sealedRow, `${SELECT_SEALED} WHERE petitioner_id = $id`, { id: petitionerId });
  if (!row) return null;
  const plaintext = open(ring, row);
  // Vault rows are JSON of a validated identity; an import keeps its joined columns as they came.
  let identity: StoredIdentity;
  let hashed: string;
  if (plaintext.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(plaintext);
    } catch {
      json = undefined; // fails the validation below, which says so without quoting the text
    }
    const parsed = petitionerIdentity.safeParse(json);
    if (!parsed.success) throw new Error(`the identity stored for ${petitionerId} no longer validates; it was not revealed`);
    identity = parsed.data;
    hashed = canonicalIdentity(parsed.data);
  } else {
    identity = { kind: 'imported', text: plaintext };
    hashed = plaintext;
  }
  if (ring.pseudonym(hashed) !== petitionerId) {
    throw new Error(`the identity stored for ${petitionerId} belongs to another pseudonym (row moved or altered); it was not revealed`);
  }
  return identity;
}

/** What an answer shows by default: the masked identity, or null when none was kept. */
export async function maskedIdentity(store: AnalyticsStore, ring: IdentityKeyRing, petitionerId: string): Promise<MaskedIdentity | null> {
  const identity = await revealIdentity(store, ring, petitionerId);
  return identity === null ? null : maskIdentity(identity);
}

/**
 * Re-encrypts under the ring's current key every row still under an older one, in one
 * transaction: a row whose key is missing fails the whole rotation and nothing changes.
 */
export async function rotateIdentities(store: AnalyticsStore, ring: IdentityKeyRing): Promise<{ rotated: number; alreadyCurrent: number }> {
  return store.transaction(async (conn) => {
    const counted = await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM petitioner_identities WHERE key_id = $current', {
      current: ring.current.keyId,
    });
    const [current] = counted.getRowObjectsJson().map((r) => z.object({ n: z.number() }).parse(r));
    const stale = (await conn.runAndReadAll(`${SELECT_SEALED} WHERE key_id <> $current`, { current: ring.current.keyId }))
      .getRowObjectsJson()
      .map((r) => sealedRow.parse(r));
    // Every row decrypts before anything is written, so a missing key fails before the staging starts.
    const resealed = stale.map((row) => ({ petitionerId: row.petitioner_id, sealed: ring.current.encrypt(open(ring, row)) }));
    // Staged through the Appender and applied by one UPDATE: one UPDATE per row took 6 s for 2 000 rows.
    await conn.run('CREATE OR REPLACE TEMP TABLE rotated_identities (petitioner_id VARCHAR, key_id VARCHAR, iv BLOB, ciphertext BLOB, tag BLOB)');
    const appender = await conn.createAppender('rotated_identities', 'main', 'temp');
    for (const { petitionerId, sealed } of resealed) {
      appender.appendVarchar(petitionerId);
      appender.appendVarchar(sealed.keyId);
      appender.appendBlob(sealed.iv);
      appender.appendBlob(sealed.ciphertext);
      appender.appendBlob(sealed.tag);
      appender.endRow();
    }
    appender.closeSync();
    await conn.run(
      `UPDATE petitioner_identities p SET key_id = r.key_id, iv = r.iv, ciphertext = r.ciphertext, tag = r.tag
         FROM temp.main.rotated_identities r WHERE p.petitioner_id = r.petitioner_id`,
    );
    await conn.run('DROP TABLE temp.main.rotated_identities');
    return { rotated: stale.length, alreadyCurrent: current?.n ?? 0 };
  });
}
