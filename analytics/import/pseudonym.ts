/**
 * Petitioner pseudonyms and identities (DOMAIN §10). A petitioner is known to analytics only by
 * a keyed hash (HMAC-SHA256) of their normalised identity, so repeat petitions link while no
 * name or ID number enters an analytics table; without the key the hash cannot be reversed by
 * trying names. Where an office keeps identities, they are encrypted with AES-256-GCM under a
 * key derived from the same secret and stored apart (petitioner_identities).
 *
 * The secret comes from XINFANG_PSEUDONYM_KEY (64 hex digits), or from
 * `<data dir>/pseudonym.key`, created with a random secret (mode 0600) when absent. The
 * pseudonym key never rotates (repeat petitions would stop linking); the encryption key may,
 * through the key ring in analytics/identity-vault.ts.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One AES-256-GCM key and the id stored beside what it encrypted, so a key ring can find it again. */
export interface IdentityCipher {
  keyId: string;
  encrypt(identity: string): { keyId: string; iv: Buffer; ciphertext: Buffer; tag: Buffer };
  decrypt(sealed: { iv: Uint8Array; ciphertext: Uint8Array; tag: Uint8Array }): string;
}

export interface PetitionerKeys extends IdentityCipher {
  /** Short id of the secret, stored beside each encrypted identity. */
  keyId: string;
  pseudonym(identity: string): string;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

export function petitionerKeys(secret: Buffer): PetitionerKeys {
  if (secret.length < 32) throw new Error('the pseudonym secret must be at least 32 bytes');
  const hmacKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'xinfang pseudonym v1', 32));
  const encKey = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'xinfang identity v1', 32));
  const keyId = createHash('sha256').update(secret).digest('hex').slice(0, 8);
  return {
    ...identityCipher(keyId, encKey),
    pseudonym(identity) {
      return `P${createHmac('sha256', hmacKey).update(normaliseIdentity(identity)).digest('hex').slice(0, 32)}`;
    },
  };
}

/** AES-256-GCM under `key` (32 bytes), a fresh 96-bit IV per message. */
export function identityCipher(keyId: string, key: Buffer): IdentityCipher {
  if (key.length !== 32) throw new Error(`identity key ${keyId} must be 32 bytes (AES-256)`);
  return {
    keyId,
    encrypt(identity) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(identity, 'utf8'), cipher.final()]);
      return { keyId, iv, ciphertext, tag: cipher.getAuthTag() };
    },
    decrypt(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
      decipher.setAuthTag(sealed.tag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
    },
  };
}

/** Same person, same pseudonym: whitespace and case (of Latin letters and ID-number X) do not matter. */
export function normaliseIdentity(identity: string): string {
  return identity.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase();
}

/** Keys from the environment or the data directory's key file (created when absent). */
export function loadPetitionerKeys(dataDir: string, env: NodeJS.ProcessEnv = process.env): PetitionerKeys {
  const fromEnv = env.XINFANG_PSEUDONYM_KEY;
  if (fromEnv !== undefined) {
    if (!HEX_KEY.test(fromEnv)) throw new Error('XINFANG_PSEUDONYM_KEY must be 64 hex digits (32 bytes)');
    return petitionerKeys(Buffer.from(fromEnv, 'hex'));
  }
  const file = join(dataDir, 'pseudonym.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!HEX_KEY.test(text)) throw new Error(`${file} must hold 64 hex digits`);
  return petitionerKeys(Buffer.from(text, 'hex'));
}
