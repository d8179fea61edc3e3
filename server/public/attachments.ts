/**
 * The online petition's attachments, kept in DuckDB (open_attachments) as AES-256-GCM ciphertext
 * under the identity key ring: a scan of a letter or an ID card is as personal as the identity.
 * Base64 inside the cipher, since the ring's ciphers take text.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { IdentityKeyRing } from '../../analytics/identity-vault.js';
import type { AnalyticsStore } from '../../analytics/store.js';
import type { Attachment } from './submission.js';

export async function recordAttachments(conn: DuckDBConnection, ring: IdentityKeyRing, caseId: string, attachments: readonly Attachment[]): Promise<void> {
  for (const [seq, a] of attachments.entries()) {
    const sealed = ring.current.encrypt(a.content.toString('base64'));
    await conn.run(
      `INSERT INTO open_attachments (case_id, seq, file_name, content_type, size_bytes, sha256, key_id, iv, ciphertext, tag)
       VALUES ($caseId, $seq, $name, $type, $size, $sha, $key, from_hex($iv), from_hex($ct), from_hex($tag))`,
      { caseId, seq, name: a.fileName, type: a.contentType, size: a.content.length, sha: a.sha256, key: sealed.keyId, iv: sealed.iv.toString('hex'), ct: sealed.ciphertext.toString('hex'), tag: sealed.tag.toString('hex') },
    );
  }
}

const listed = z.object({ seq: z.number(), fileName: z.string(), contentType: z.string(), sizeBytes: z.number() });
export type ListedAttachment = z.infer<typeof listed>;

export function attachmentsOf(store: AnalyticsStore, caseId: string): Promise<ListedAttachment[]> {
  return store.all(listed, 'SELECT seq, file_name AS fileName, content_type AS contentType, size_bytes AS sizeBytes FROM open_attachments WHERE case_id = $caseId ORDER BY seq', { caseId });
}

const sealedRow = z.object({ fileName: z.string(), contentType: z.string(), sha256: z.string(), keyId: z.string(), iv: z.string(), ct: z.string(), tag: z.string() });

/** One attachment's content, decrypted and checked against the digest taken at submission; null when there is none. */
export async function attachmentContent(store: AnalyticsStore, ring: IdentityKeyRing, caseId: string, seq: number): Promise<{ fileName: string; contentType: string; content: Buffer } | null> {
  const [row] = await store.all(
    sealedRow,
    `SELECT file_name AS fileName, content_type AS contentType, sha256, key_id AS keyId, hex(iv) AS iv, hex(ciphertext) AS ct, hex(tag) AS tag
       FROM open_attachments WHERE case_id = $caseId AND seq = $seq`,
    { caseId, seq },
  );
  if (!row) return null;
  const base64 = ring.cipher(row.keyId).decrypt({ iv: Buffer.from(row.iv, 'hex'), ciphertext: Buffer.from(row.ct, 'hex'), tag: Buffer.from(row.tag, 'hex') });
  const content = Buffer.from(base64, 'base64');
  if (createHash('sha256').update(content).digest('hex') !== row.sha256) throw new Error(`attachment ${seq} of ${caseId} does not match the digest taken at submission; it was not sent`);
  return { fileName: row.fileName, contentType: row.contentType, content };
}
