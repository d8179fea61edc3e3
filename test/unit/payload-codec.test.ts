/**
 * The payload codec on its own: what it seals, which keys open it, and what it refuses. The
 * integration test (test/integration/payload-codec.test.ts) shows it on a Temporal server.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { EncryptionCodec, loadPayloadKeys, parsePayloadKeys, type PayloadKey } from '../../workflows/payload-codec.js';

const SUMMARY = '拆迁补偿款至今未到位-unit-7f3a';
const key = (id: string): PayloadKey => ({ id, key: randomBytes(32) });
const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());
const contains = (payload: Payload, needle: string) => Buffer.from(payload.data ?? []).includes(Buffer.from(needle));
const original = () => defaultPayloadConverter.toPayload({ caseId: 'U-1', summary: SUMMARY });

describe('EncryptionCodec', () => {
  it('seals the whole payload under the current key and opens it to the same metadata and data', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const plain = original();
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!['encoding'])).toBe('binary/encrypted');
    expect(text(sealed!.metadata!['encryption-key-id'])).toBe('k1');
    expect(Object.keys(sealed!.metadata!).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(contains(sealed!, SUMMARY)).toBe(false);
    expect(contains(sealed!, 'json/plain')).toBe(false);

    const [opened] = await codec.decode([sealed!]);
    expect(text(opened!.metadata!['encoding'])).toBe('json/plain');
    expect(Buffer.from(opened!.data!)).toEqual(Buffer.from(plain.data!));
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ caseId: 'U-1', summary: SUMMARY });
  });

  it('uses a fresh IV for every payload, so equal payloads do not give equal ciphertext', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [a, b] = await codec.encode([original(), original()]);
    expect(Buffer.from(a!.data!).subarray(0, 12)).not.toEqual(Buffer.from(b!.data!).subarray(0, 12));
    expect(Buffer.from(a!.data!)).not.toEqual(Buffer.from(b!.data!));
  });

  it('after rotation, encrypts under the new current key and still opens payloads sealed under the old one', async () => {
    const old = key('2024');
    const [underOld] = await new EncryptionCodec([old]).encode([original()]);
    const rotated = new EncryptionCodec([key('2025'), old]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([underOld!]))[0]!)).toMatchObject({ summary: SUMMARY });
    const [underNew] = await rotated.encode([original()]);
    expect(text(underNew!.metadata!['encryption-key-id'])).toBe('2025');
  });

  it('refuses a payload under a key id not in the ring, naming the key id', async () => {
    const [sealed] = await new EncryptionCodec([key('retired-2023')]).encode([original()]);
    await expect(new EncryptionCodec([key('k1')]).decode([sealed!])).rejects.toThrow(/key id "retired-2023".*not in the payload key ring \(k1\)/);
  });

  it('refuses altered ciphertext, an altered tag, and another key under the same id', async () => {
    const ring = [key('k1')];
    const codec = new EncryptionCodec(ring);
    const [sealed] = await codec.encode([original()]);
    const altered = (at: number): Payload => {
      const data = Buffer.from(sealed!.data!);
      data[at]! ^= 0x01;
      return { metadata: sealed!.metadata!, data };
    };
    await expect(codec.decode([altered(20)])).rejects.toThrow(/key id "k1" failed authentication/);
    await expect(codec.decode([altered(sealed!.data!.length - 1)])).rejects.toThrow(/failed authentication/);
    await expect(new EncryptionCodec([key('k1')]).decode([sealed!])).rejects.toThrow(/failed authentication/);
    await expect(codec.decode([{ metadata: sealed!.metadata!, data: new Uint8Array(10) }])).rejects.toThrow(/truncated/);
  });

  it('passes through payloads that were never encrypted (histories from before encryption)', async () => {
    const plain = original();
    expect(await new EncryptionCodec([key('k1')]).decode([plain])).toEqual([plain]);
  });

  it('refuses a bad ring: empty, a short key, a duplicate id', () => {
    expect(() => new EncryptionCodec([])).toThrow(/empty/);
    expect(() => new EncryptionCodec([{ id: 'k1', key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => new EncryptionCodec([key('k1'), key('k1')])).toThrow(/twice/);
  });
});

describe('payload keys from the environment or the data directory', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'xinfang-payload-keys-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const hex = () => randomBytes(32).toString('hex');

  it('reads XINFANG_PAYLOAD_KEYS, first key current, and writes no key file', () => {
    const dir = tempDir();
    const [a, b] = [hex(), hex()];
    const keys = loadPayloadKeys(dir, { XINFANG_PAYLOAD_KEYS: ` k2:${a}, k1:${b.toUpperCase()} ` });
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0]!.key.toString('hex')).toBe(a);
    expect(new EncryptionCodec(keys).currentKeyId).toBe('k2');
    expect(() => statSync(join(dir, 'payload.key'))).toThrow();
  });

  it('names the variable and the entry when XINFANG_PAYLOAD_KEYS is wrong, without quoting key material', () => {
    const secret = hex();
    const load = (value: string) => () => loadPayloadKeys(tempDir(), { XINFANG_PAYLOAD_KEYS: value });
    expect(load('')).toThrow(/XINFANG_PAYLOAD_KEYS holds no key/);
    expect(load(secret)).toThrow(/XINFANG_PAYLOAD_KEYS: entry 1 must be keyId:64hex/);
    expect(load(`k1:${secret},k2:${secret.slice(2)}`)).toThrow(/XINFANG_PAYLOAD_KEYS: entry 2 \(key id "k2"\) must have 64 hex digits/);
    expect(load(`k1:${secret},k1:${hex()}`)).toThrow(/key id "k1" appears twice/);
    expect(load(`bad id:${secret}`)).toThrow(/entry 1/);
    const message = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return String(error);
      }
      return 'did not throw';
    };
    const shown = message(load(`k1:${secret}x`));
    expect(shown).toMatch(/entry 1 \(key id "k1"\)/);
    expect(shown).not.toContain(secret.slice(0, 16));
  });

  it('creates <data dir>/payload.key once (mode 0600) and reads the same key after', () => {
    const dir = join(tempDir(), 'nested');
    const first = loadPayloadKeys(dir, {});
    const file = join(dir, 'payload.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^k[0-9a-f]{8}:[0-9a-f]{64}\n$/);
    expect(loadPayloadKeys(dir, {})).toEqual(first);
    expect(parsePayloadKeys(`new:${hex()}\n${readFileSync(file, 'utf8')}`, file).map((k) => k.id)).toEqual(['new', first[0]!.id]);
  });
});

describe('the embedded dev server UI', () => {
  it('is off unless TEMPORAL_DEV_UI asks for it', () => {
    expect(loadConfig({}).temporal.dev.uiPort).toBeNull();
    expect(loadConfig({ TEMPORAL_DEV_UI: '1', TEMPORAL_DEV_UI_PORT: '9233' }).temporal.dev.uiPort).toBe(9233);
    expect(() => loadConfig({ TEMPORAL_DEV_UI: 'yes' })).toThrow(/TEMPORAL_DEV_UI/);
  });
});
