/**
 * The representatives a collective case registered by staff names (推选代表, at most the pack's
 * representativesMax: 2022 Regulations art. 20(3)). They are personal data: sealed under the
 * identity key ring as the online petition's are (server/public/access.ts), opened only with
 * the petitioner's identity on a logged reveal.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { IdentityKeyRing } from './identity-vault.js';
import type { AnalyticsStore } from './store.js';

export async function recordRepresentatives(conn: DuckDBConnection, ring: IdentityKeyRing, caseId: string, names: readonly string[]): Promise<void> {
  if (!names.length) return;
  const sealed = ring.current.encrypt(JSON.stringify(names));
  await conn.run(
    `INSERT INTO case_representatives (case_id, key_id, iv, ciphertext, tag) VALUES ($caseId, $keyId, from_hex($iv), from_hex($ct), from_hex($tag))`,
    { caseId, keyId: sealed.keyId, iv: sealed.iv.toString('hex'), ct: sealed.ciphertext.toString('hex'), tag: sealed.tag.toString('hex') },
  );
}

const sealedRow = z.object({ key_id: z.string(), iv: z.string(), ct: z.string(), tag: z.string() });

export async function staffRepresentativesOf(store: AnalyticsStore, ring: IdentityKeyRing, caseId: string): Promise<string[]> {
  const [row] = await store.all(sealedRow, 'SELECT key_id, hex(iv) AS iv, hex(ciphertext) AS ct, hex(tag) AS tag FROM case_representatives WHERE case_id = $caseId', { caseId });
  if (!row) return [];
  const plain = ring.cipher(row.key_id).decrypt({ iv: Buffer.from(row.iv, 'hex'), ciphertext: Buffer.from(row.ct, 'hex'), tag: Buffer.from(row.tag, 'hex') });
  return z.array(z.string()).parse(JSON.parse(plain));
}

/** The representatives of a case whose workflow did not start. */
export async function forgetRepresentatives(store: AnalyticsStore, caseId: string): Promise<void> {
  await store.run('DELETE FROM case_representatives WHERE case_id = $caseId', { caseId });
}
