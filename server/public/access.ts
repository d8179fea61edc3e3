/**
 * How a petitioner proves a case is theirs without an account: the case code and a verification
 * code shown once at submission, stored only as an Argon2id hash (as staff passwords are). A
 * look-up that succeeds grants a short-lived signed pass, carried by the page's forms (rate,
 * press), so the code itself is neither re-sent nor written into the page.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { IdentityKeyRing } from '../../analytics/identity-vault.js';
import type { AnalyticsStore } from '../../analytics/store.js';
import { checkPassword, hashPassword } from '../identity/passwords.js';

// No I, L, O, 0 or 1: read aloud or copied by hand they are confused.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 12; // 31^12 ≈ 2^59: with five tries per lock-out, out of reach of guessing

/** A fresh verification code, grouped for reading: `K7QM-2XWD-9HPA`. */
export function mintVerificationCode(): string {
  const chars = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]);
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** What was typed, as it was minted: case, spaces and dashes do not matter. */
export const normaliseCode = (typed: string) => typed.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();

/** The slow hash kept of a code: made before the transaction that stores it, which it would hold open. */
export const hashCode = (code: string) => hashPassword(normaliseCode(code));

/** Stores the hash of the case's code, and the sealed representatives of a collective petition. */
export async function recordAccess(conn: DuckDBConnection, ring: IdentityKeyRing, caseId: string, hash: string, issuedAt: Date, representatives: readonly string[]): Promise<void> {
  const sealed = representatives.length ? ring.current.encrypt(JSON.stringify(representatives)) : null;
  await conn.run(
    `INSERT INTO open_access (case_id, code_hash, issued_at, reps_key_id, reps_iv, reps_ciphertext, reps_tag)
     VALUES ($caseId, $hash, $issuedAt::TIMESTAMPTZ, $keyId, from_hex($iv), from_hex($ct), from_hex($tag))`,
    {
      caseId,
      hash,
      issuedAt: issuedAt.toISOString(),
      keyId: sealed?.keyId ?? null,
      iv: sealed?.iv.toString('hex') ?? null,
      ct: sealed?.ciphertext.toString('hex') ?? null,
      tag: sealed?.tag.toString('hex') ?? null,
    },
  );
}

const hashRow = z.object({ code_hash: z.string() });

/**
 * True when `code` is the case's verification code. A case code with no access row spends the
 * same Argon2 work on a dummy hash, so an unknown case and a wrong code take the same time.
 */
export async function verifyAccess(store: AnalyticsStore, caseId: string, code: string): Promise<boolean> {
  const [row] = await store.all(hashRow, 'SELECT code_hash FROM open_access WHERE case_id = $caseId', { caseId });
  return checkPassword(row?.code_hash ?? null, normaliseCode(code));
}

const sealedReps = z.object({ key_id: z.string(), iv: z.string(), ct: z.string(), tag: z.string() });

/** The representatives the petition named, for the petitioner's own page. */
export async function representativesOf(store: AnalyticsStore, ring: IdentityKeyRing, caseId: string): Promise<string[]> {
  const [row] = await store.all(
    sealedReps,
    `SELECT reps_key_id AS key_id, hex(reps_iv) AS iv, hex(reps_ciphertext) AS ct, hex(reps_tag) AS tag
       FROM open_access WHERE case_id = $caseId AND reps_key_id IS NOT NULL`,
    { caseId },
  );
  if (!row) return [];
  const plain = ring.cipher(row.key_id).decrypt({ iv: Buffer.from(row.iv, 'hex'), ciphertext: Buffer.from(row.ct, 'hex'), tag: Buffer.from(row.tag, 'hex') });
  return z.array(z.string()).parse(JSON.parse(plain));
}

/** Signed, expiring passes to one case, from a key that lives as long as the process. */
export class CasePasses {
  private readonly key = randomBytes(32);

  constructor(private readonly ttlMs: number) {}

  issue(caseId: string, now: number): string {
    const until = now + this.ttlMs;
    return `${caseId}.${until}.${this.sign(caseId, until)}`;
  }

  /** The case the pass opens, or null when it is forged, malformed or expired. */
  open(pass: string, now: number): string | null {
    const m = /^([A-Z0-9-]{1,40})\.(\d{13})\.([A-Za-z0-9_-]{43})$/.exec(pass);
    if (!m) return null;
    const [, caseId = '', until = '', mac = ''] = m;
    const expected = Buffer.from(this.sign(caseId, Number(until)));
    if (!timingSafeEqual(expected, Buffer.from(mac)) || Number(until) < now) return null;
    return caseId;
  }

  private sign(caseId: string, until: number): string {
    return createHmac('sha256', this.key).update(`${caseId}.${until}`).digest('base64url');
  }
}
