/**
 * End-to-end encryption of Temporal payloads (workflow inputs and results, activity arguments,
 * updates, queries, schedule actions): the Temporal server, its database and its UI only ever
 * see ciphertext, so a petition's summary is readable only where the key is.
 *
 * Keys come from XINFANG_PAYLOAD_KEYS (`keyId:64hex,keyId:64hex,...`, first one current), or
 * from `<data dir>/payload.key` (one `keyId:64hex` a line, first one current), created with a
 * random key (mode 0600) when absent. Every key of the ring decrypts, so a new current key can
 * be put in front without losing the histories of cases that run for months.
 *
 * The codec runs in the client and worker processes, never in the workflow sandbox, so
 * node:crypto is available.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { METADATA_ENCODING_KEY, ValueError, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
// The package is CommonJS: its namespaces come through the default export only.
import proto from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
export const PAYLOAD_KEYS_ENV = 'XINFANG_PAYLOAD_KEYS';

export interface PayloadKey {
  id: string;
  /** 32 bytes: AES-256. */
  key: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const ProtoPayload = proto.temporal.api.common.v1.Payload;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class EncryptionCodec implements PayloadCodec {
  readonly currentKeyId: string;
  private readonly current: Buffer;
  private readonly ring: ReadonlyMap<string, Buffer>;

  /** `keys[0]` encrypts; every key decrypts. */
  constructor(keys: readonly PayloadKey[]) {
    const [first] = keys;
    if (!first) throw new Error('the payload key ring is empty');
    const ring = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id)) throw new Error(`payload key id "${id}" must be 1-64 of A-Z a-z 0-9 . _ -`);
      if (key.length !== 32) throw new Error(`payload key "${id}" must be 32 bytes, not ${key.length}`);
      if (ring.has(id)) throw new Error(`payload key id "${id}" appears twice`);
      ring.set(id, key);
    }
    this.ring = ring;
    this.currentKeyId = first.id;
    this.current = first.key;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // The whole payload, its metadata (the JSON encoding, type hints) included, is sealed:
      // plain protobuf bytes rather than the SDK sample's length-delimited form, so a codec
      // server in another language reads them with a stock Payload parser.
      const plain = ProtoPayload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current, iv);
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING), [METADATA_KEY_ID]: utf8.encode(this.currentKeyId) },
        data: sealed,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      // Histories written before encryption was turned on (cases open for months) still replay.
      if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[METADATA_KEY_ID];
      if (!idBytes) throw new ValueError(`an encrypted payload carries no ${METADATA_KEY_ID}`);
      const keyId = fromUtf8.decode(idBytes);
      const key = this.ring.get(keyId);
      if (!key) {
        throw new ValueError(
          `payload encrypted under key id "${keyId}", which is not in the payload key ring (${[...this.ring.keys()].join(', ')}); ` +
            `add that key to ${PAYLOAD_KEYS_ENV} or payload.key`,
        );
      }
      const data = payload.data ?? new Uint8Array();
      if (data.length < IV_BYTES + TAG_BYTES) throw new ValueError(`encrypted payload under key id "${keyId}" is truncated`);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch (error) {
        throw new ValueError(`encrypted payload under key id "${keyId}" failed authentication: altered, or sealed with another key of that id`, error);
      }
      return ProtoPayload.decode(plain);
    });
  }
}

/** What every Temporal client and worker of the system is given. */
export function encryptingDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec] };
}

/**
 * Parses `keyId:64hex` entries (comma- or newline-separated, first one current). `source`
 * names the variable or file in errors, which never quote key material.
 */
export function parsePayloadKeys(text: string, source: string): PayloadKey[] {
  const entries = text.split(/[,\n]/).map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length === 0) throw new Error(`${source} holds no key; expected keyId:64hex[,keyId:64hex...]`);
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    const hex = colon < 0 ? '' : entry.slice(colon + 1);
    const where = `${source}: entry ${i + 1}`;
    if (!KEY_ID.test(id)) throw new Error(`${where} must be keyId:64hex, with a key id of 1-64 of A-Z a-z 0-9 . _ -`);
    if (!HEX_KEY.test(hex)) throw new Error(`${where} (key id "${id}") must have 64 hex digits (32 bytes) after the colon`);
    if (seen.has(id)) throw new Error(`${where}: key id "${id}" appears twice`);
    seen.add(id);
    return { id, key: Buffer.from(hex, 'hex') };
  });
}

/** The key ring from the environment, or from the data directory's key file (created when absent). */
export function loadPayloadKeys(dataDir: string, env: NodeJS.ProcessEnv = process.env): PayloadKey[] {
  const fromEnv = env[PAYLOAD_KEYS_ENV];
  if (fromEnv !== undefined) return parsePayloadKeys(fromEnv, PAYLOAD_KEYS_ENV);
  const file = join(dataDir, 'payload.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    // A random id, not one derived from the key, so the id reveals nothing about it.
    writeFileSync(file, `k${randomBytes(4).toString('hex')}:${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return parsePayloadKeys(readFileSync(file, 'utf8'), file);
}
