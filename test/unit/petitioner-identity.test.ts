import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { recordIntake } from '../../analytics/case-log.js';
import { identityCipher, petitionerKeys } from '../../analytics/import/pseudonym.js';
import {
  identityKeyRing,
  loadIdentityKeyRing,
  maskedIdentity,
  revealIdentity,
  rotateIdentities,
  sealIdentity,
  UnknownIdentityKeyError,
} from '../../analytics/identity-vault.js';
import { AnalyticsStore } from '../../analytics/store.js';
import {
  canonicalIdentity,
  maskAddress,
  maskIdentity,
  maskName,
  maskOrganisationName,
  maskPhone,
  PERSONAL_FIELDS,
  personIdentity,
  petitionerIdentity,
} from '../../domain/petitioner.js';

// Check digits computed here by other formulations than the module's weighted sums: ISO 7064
// MOD 11-2 by its recurrence, and GB 32100's weights 3^i by Horner's rule.
function withIdCheck(first17: string): string {
  let p = 0;
  for (const c of first17) p = ((p + Number(c)) * 2) % 11;
  const v = (12 - p) % 11;
  return first17 + (v === 10 ? 'X' : String(v));
}
const CREDIT = '0123456789ABCDEFGHJKLMNPQRTUWXY';
function withCreditCheck(first17: string): string {
  let s = 0;
  for (let i = 16; i >= 0; i--) s = (s * 3 + CREDIT.indexOf(first17[i]!)) % 31;
  return first17 + CREDIT[(31 - s) % 31];
}
const otherDigit = (c: string) => (c === '0' ? '1' : '0');

const problems = (input: unknown) => {
  const r = petitionerIdentity.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const person = (fields: Record<string, unknown>) => ({ kind: 'person', name: '张三', ...fields });
const parse = (input: unknown) => petitionerIdentity.parse(input);

describe('petitioner identity validation', () => {
  it('takes 18-digit ID numbers whose GB 11643 check digit is right, in whatever width or case they were typed', () => {
    expect(withIdCheck('11010519491231002')).toBe('11010519491231002X'); // the classic example
    expect(parse(person({ idNumber: '11010519491231002X' }))).toMatchObject({ idNumber: '11010519491231002X' });
    expect(parse(person({ idNumber: ' 11010519491231002x ' }))).toMatchObject({ idNumber: '11010519491231002X' });
    expect(parse(person({ idNumber: '１１０１０５１９４９１２３１００２Ｘ' }))).toMatchObject({ idNumber: '11010519491231002X' });
    const born2000 = withIdCheck('44030820000229123'); // 29 February of a leap year
    expect(parse(person({ idNumber: born2000 }))).toMatchObject({ idNumber: born2000 });
  });

  it('names the check digit it expected, and refuses impossible birth dates and malformed numbers', () => {
    expect(problems(person({ idNumber: '110105194912310021' }))).toEqual(['idNumber: check digit should be X']);
    const good = withIdCheck('44030819900101123');
    const typo = good.slice(0, 17) + otherDigit(good[17]!);
    expect(problems(person({ idNumber: typo }))).toEqual([`idNumber: check digit should be ${good[17]}`]);
    expect(problems(person({ idNumber: withIdCheck('44030819990229123') }))).toEqual(['idNumber: birth date (characters 7-14) is not a real date']);
    expect(problems(person({ idNumber: withIdCheck('44030819901301123') }))).toEqual(['idNumber: birth date (characters 7-14) is not a real date']);
    expect(problems(person({ idNumber: '1101051949123100' }))).toEqual([
      'idNumber: must be 18 characters (17 digits and a check digit 0-9 or X), or a 15-digit first-generation number',
    ]);
    expect(problems(person({ idNumber: '1101051949123100X2' }))).toHaveLength(1);
  });

  it('converts a 15-digit first-generation number to the 18-digit one it became', () => {
    expect(parse(person({ idNumber: '110105491231002' }))).toMatchObject({ idNumber: '11010519491231002X' });
    expect(problems(person({ idNumber: '110105491331002' }))).toEqual(['idNumber: birth date (characters 7-12 of a 15-digit number) is not a real date']);
  });

  it('takes credit codes whose GB 32100 check character is right and names the right one otherwise', () => {
    expect(withCreditCheck('91350100M000100Y4')).toBe('91350100M000100Y43');
    const org = (creditCode: string) => ({ kind: 'organisation', name: '福州某某有限公司', creditCode });
    expect(parse(org('91350100m000100y43'))).toMatchObject({ creditCode: '91350100M000100Y43' });
    const another = withCreditCheck('91110108MA01ABCDE');
    expect(parse(org(another))).toMatchObject({ creditCode: another });
    expect(problems(org('91350100M000100Y44'))).toEqual(['creditCode: check character should be 3']);
    expect(problems(org('91350100M000I00Y43'))).toEqual([
      'creditCode: character 13 is not used in credit codes (digits and capital letters except I, O, Z, S, V)',
    ]);
    expect(problems(org('91350100M000100Y4'))).toEqual(['creditCode: must be 18 characters (统一社会信用代码)']);
  });

  it('takes mainland mobiles and landlines with area codes, stored in one form', () => {
    const phoneOf = (phone: string) => (parse(person({ phone })) as { phone?: string }).phone;
    expect(phoneOf('13812341234')).toBe('13812341234');
    expect(phoneOf('+86 138-1234-1234')).toBe('13812341234');
    expect(phoneOf('010-62345678')).toBe('010-62345678');
    expect(phoneOf('(0571) 8888 8888')).toBe('0571-88888888');
    expect(phoneOf('+86 10 6234 5678')).toBe('010-62345678');
    const message =
      'phone: must be a mainland mobile number (1[3-9] and 9 more digits) or a landline with its area code (010-62345678)';
    for (const bad of ['12345', '11812341234', '1381234123', '12345678', '010-0123456', '010-12345678', '4008123123']) {
      expect(problems(person({ phone: bad })), bad).toEqual([message]);
    }
  });

  it('trims text, bounds its length and refuses ill-formed Unicode and control characters', () => {
    expect(parse(person({ name: '  欧阳  娜娜 ', phone: '13812341234' }))).toMatchObject({ name: '欧阳 娜娜' });
    expect(problems(person({ name: '张\ud800', phone: '13812341234' }))).toEqual(['name: must be well-formed Unicode (it holds a lone surrogate)']);
    expect(problems(person({ name: '   ', phone: '13812341234' }))).toEqual(['name: must not be empty']);
    expect(problems(person({ name: '张'.repeat(51), phone: '13812341234' }))).toEqual(['name: must be at most 50 characters']);
    // 50 characters outside the BMP are 100 UTF-16 units and still within bounds.
    expect(problems(person({ name: '𠀀'.repeat(50), phone: '13812341234' }))).toEqual([]);
    expect(problems(person({ name: '张\u202e三', phone: '13812341234' }))).toEqual(['name: must not contain control characters']);
    expect(problems(person({ address: '北'.repeat(201) }))).toEqual(['address: must be at most 200 characters']);
  });

  it('wants more than a name from a person, a known kind, and no stray fields', () => {
    expect(problems({ kind: 'person', name: '张三' })).toEqual([
      ': a person needs idNumber, phone or address besides the name, so repeat petitions link to the right person',
    ]);
    expect(problems({ kind: 'robot', name: '张三' })).toEqual(["kind: must be 'person' or 'organisation'"]);
    expect(problems({ kind: 'organisation', name: '某公司', creditCode: '91350100M000100Y43', idNumber: '11010519491231002X' })).toHaveLength(1);
  });

  it('derives the pseudonym text from the ID number, else name and phone or address, or the credit code', () => {
    expect(canonicalIdentity(parse(person({ idNumber: '11010519491231002X', phone: '13812341234' })))).toBe('11010519491231002X');
    expect(canonicalIdentity(parse(person({ phone: '+86 13812341234', address: '北京市朝阳区' })))).toBe('张三 / 13812341234');
    expect(canonicalIdentity(parse(person({ address: '北京市朝阳区建国路88号' })))).toBe('张三 / 北京市朝阳区建国路88号');
    expect(canonicalIdentity(parse({ kind: 'organisation', name: '某公司', creditCode: '91350100M000100Y43' }))).toBe('91350100M000100Y43');
  });
});

describe('masking', () => {
  it('shows one character of a name, the first and last two of an organisation name', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('张')).toBe('*');
    expect(maskName('𠀀三')).toBe('𠀀*');
    expect(maskOrganisationName('北京某某科技有限公司')).toBe('北京******公司');
    expect(maskOrganisationName('某某公司')).toBe('某***');
  });

  it('keeps the first 3 and last 4 of a mobile, the area code and last 4 of a landline', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone('010-62345678')).toBe('010-****5678');
    expect(maskPhone('0571-8888888')).toBe('0571-***8888');
  });

  it('keeps an address up to its district when it reads as a chain of divisions, else its first 3 characters', () => {
    expect(maskAddress('北京市朝阳区建国路88号院3号楼')).toBe('北京市朝阳区****');
    expect(maskAddress('浙江省杭州市西湖区文三路90号')).toBe('浙江省杭州市西湖区****');
    expect(maskAddress('上海市浦东新区张江镇')).toBe('上海市浦东新区****');
    expect(maskAddress('广东省东莞市南城街道')).toBe('广东省东莞市****');
    expect(maskAddress('北京市金台小区3号')).toBe('北京市****');
    expect(maskAddress('望京花园东区3号楼')).toBe('望京花****');
    expect(maskAddress('北京')).toBe('北****');
  });

  it('masks every field of an identity and marks the result masked', () => {
    const zhang = parse(person({ idNumber: '11010519491231002X', phone: '13812341234', address: '北京市朝阳区建国路88号' }));
    expect(maskIdentity(zhang)).toEqual({
      kind: 'person',
      masked: true,
      name: '张*',
      idNumber: '110***********002X',
      phone: '138****1234',
      address: '北京市朝阳区****',
    });
    expect(maskIdentity(parse({ kind: 'organisation', name: '福州某某有限公司', creditCode: '91350100M000100Y43', contact: '李四' }))).toEqual({
      kind: 'organisation',
      masked: true,
      name: '福州****公司',
      creditCode: '91************0Y43',
      contact: '李*',
    });
    expect(maskIdentity({ kind: 'imported', text: '张三 / 11010519491231002X / 13812341234' })).toEqual({
      kind: 'imported',
      masked: true,
      text: '张* / 110***********002X / 138****1234',
    });
  });

  it('lists every identifying field for the audit', () => {
    expect([...PERSONAL_FIELDS].sort()).toEqual(['address', 'contact', 'creditCode', 'idNumber', 'name', 'phone', 'text']);
  });
});

describe('identity vault', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const openStore = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xinfang-identity-'));
    dirs.push(dir);
    const path = join(dir, 'xinfang.duckdb');
    return { path, store: await AnalyticsStore.open(path) };
  };
  const keys = petitionerKeys(Buffer.alloc(32, 5));
  const ringA = identityKeyRing(keys, [keys]);
  const keyB = identityCipher('B', randomBytes(32));
  const rows = (store: AnalyticsStore) =>
    store.all(z.object({ petitioner_id: z.string(), key_id: z.string() }), 'SELECT petitioner_id, key_id FROM petitioner_identities ORDER BY 1');

  const zhang = personIdentity.parse(person({ idNumber: '11010519491231002X', phone: '13812341234', address: '北京市朝阳区建国路88号' }));
  const org = parse({ kind: 'organisation', name: '福州某某有限公司', creditCode: '91350100M000100Y43', contact: '李四', phone: '0591-87654321' });

  it('seals and reveals in a database file, one row per petitioner, with the pseudonym an import of the ID column gives', async () => {
    const { path, store } = await openStore();
    const { petitionerId } = await sealIdentity(store, ringA, zhang);
    expect(petitionerId).toBe(keys.pseudonym('11010519491231002x'));
    expect(await revealIdentity(store, ringA, petitionerId)).toEqual(zhang);
    expect(await maskedIdentity(store, ringA, petitionerId)).toEqual(maskIdentity(zhang));

    // The same person under a typo'd name and a new phone: same pseudonym, the row refreshed.
    const again = await sealIdentity(store, ringA, { ...zhang, name: '张叁', phone: '13900001111' });
    expect(again.petitionerId).toBe(petitionerId);
    expect(await rows(store)).toEqual([{ petitioner_id: petitionerId, key_id: keys.keyId }]);
    expect(await revealIdentity(store, ringA, petitionerId)).toMatchObject({ name: '张叁', phone: '13900001111' });

    const { petitionerId: orgId } = await sealIdentity(store, ringA, org);
    expect(orgId).toBe(keys.pseudonym('91350100M000100Y43'));
    expect(await revealIdentity(store, ringA, orgId)).toEqual(org);
    expect(await revealIdentity(store, ringA, keys.pseudonym('nobody'))).toBeNull();
    expect(await maskedIdentity(store, ringA, keys.pseudonym('nobody'))).toBeNull();

    store.close();
    const reopened = await AnalyticsStore.open(path);
    expect(await revealIdentity(reopened, ringA, orgId)).toEqual(org);
    reopened.close();
  });

  it('seals one petitioner from many intakes at once without a write conflict', async () => {
    const { store } = await openStore();
    const phones = Array.from({ length: 20 }, (_, i) => `1381234${String(1000 + i)}`);
    const sealed = await Promise.all(phones.map((phone) => sealIdentity(store, ringA, { ...zhang, phone })));
    expect(new Set(sealed.map((r) => r.petitionerId)).size).toBe(1);
    expect(await rows(store)).toHaveLength(1);
    // The last intake queued is the identity kept.
    expect(await revealIdentity(store, ringA, sealed[0]!.petitionerId)).toMatchObject({ phone: phones.at(-1) });
    store.close();
  });

  it('seals inside the caller’s transaction and rolls back with it', async () => {
    const { store } = await openStore();
    await expect(
      store.transaction(async (conn) => {
        await sealIdentity(conn, ringA, zhang);
        throw new Error('intake failed');
      }),
    ).rejects.toThrow('intake failed');
    expect(await rows(store)).toEqual([]);
    await store.transaction((conn) => sealIdentity(conn, ringA, zhang));
    expect(await rows(store)).toHaveLength(1);
    store.close();
  });

  it('leaves no name, ID number or phone in any other table after sealing and registering a case', async () => {
    const { store } = await openStore();
    const { petitionerId } = await sealIdentity(store, ringA, zhang);
    const receivedAt = '2025-06-02T02:00:00Z';
    await recordIntake(
      store,
      { caseId: 'C-ID-1', jurisdiction: 'beijing', receivedAt, channel: 'visit', regionCode: '110105', field: '城乡建设', collectiveSize: 1, summary: '拆迁补偿', petitionerId },
      { caseId: 'C-ID-1', type: 'received', occurredAt: receivedAt, actor: 'intake' },
      'workflow',
    );
    const tables = await store.all(
      z.object({ schema: z.string(), name: z.string() }),
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_catalog = current_database() AND table_name <> 'petitioner_identities' ORDER BY 1, 2`,
    );
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['cases', 'case_events', 'case_facts']));
    const holding = async (needle: string) => {
      const found: string[] = [];
      for (const t of tables) {
        const ref = `"${t.schema}"."${t.name}"`;
        // A table's name stands for its whole row as a struct; cast to text, every column is searched.
        const [hit] = await store.all(z.object({ n: z.number() }), `SELECT count(*)::INTEGER AS n FROM ${ref} AS r WHERE contains(r::VARCHAR, $needle)`, {
          needle,
        });
        if (hit && hit.n > 0) found.push(t.name);
      }
      return found;
    };
    expect(await holding(petitionerId)).toEqual(expect.arrayContaining(['cases', 'case_facts'])); // the scan sees what is there
    for (const secret of [zhang.name, zhang.idNumber!, zhang.phone!, '建国路']) {
      expect(await holding(secret), secret).toEqual([]);
    }
    store.close();
  });

  it('refuses a row moved onto another petitioner', async () => {
    const { store } = await openStore();
    const { petitionerId } = await sealIdentity(store, ringA, zhang);
    const { petitionerId: orgId } = await sealIdentity(store, ringA, org);
    await store.run(
      `UPDATE petitioner_identities SET iv = o.iv, ciphertext = o.ciphertext, tag = o.tag
         FROM (SELECT iv, ciphertext, tag FROM petitioner_identities WHERE petitioner_id = $org) o WHERE petitioner_id = $zhang`,
      { org: orgId, zhang: petitionerId },
    );
    await expect(revealIdentity(store, ringA, petitionerId)).rejects.toThrow(`the identity stored for ${petitionerId} belongs to another pseudonym`);
    store.close();
  });

  it('reveals and masks what an import kept, written as the importer writes it', async () => {
    const { store } = await openStore();
    const text = '张三 / 11010519491231002X';
    const id = keys.pseudonym(text);
    const sealed = keys.encrypt(text);
    await store.run(
      `INSERT INTO petitioner_identities (petitioner_id, key_id, iv, ciphertext, tag) VALUES ($id, $key, from_hex($iv), from_hex($ct), from_hex($tag))`,
      { id, key: sealed.keyId, iv: sealed.iv.toString('hex'), ct: sealed.ciphertext.toString('hex'), tag: sealed.tag.toString('hex') },
    );
    expect(await revealIdentity(store, ringA, id)).toEqual({ kind: 'imported', text });
    expect(await maskedIdentity(store, ringA, id)).toEqual({ kind: 'imported', masked: true, text: '张* / 110***********002X' });
    store.close();
  });

  it('rotates every row to the current key in one go, after which the old key is not needed', async () => {
    const { store } = await openStore();
    const ids = [(await sealIdentity(store, ringA, zhang)).petitionerId, (await sealIdentity(store, ringA, org)).petitionerId].sort();
    const ringBA = identityKeyRing(keys, [keyB, keys]);
    expect(await revealIdentity(store, ringBA, ids[0]!)).not.toBeNull(); // old rows read before rotating

    expect(await rotateIdentities(store, ringBA)).toEqual({ rotated: 2, alreadyCurrent: 0 });
    expect(await rows(store)).toEqual(ids.map((petitioner_id) => ({ petitioner_id, key_id: 'B' })));
    const ringB = identityKeyRing(keys, [keyB]);
    for (const id of ids) expect(await revealIdentity(store, ringB, id)).toEqual(await revealIdentity(store, ringBA, id));
    expect(await revealIdentity(store, ringB, ids[0]!)).not.toBeNull();
    expect(await rotateIdentities(store, ringB)).toEqual({ rotated: 0, alreadyCurrent: 2 });

    // Under the old ring alone, B is unknown: the error names it, and a rotation changes nothing.
    await expect(revealIdentity(store, ringA, ids[0]!)).rejects.toThrow(UnknownIdentityKeyError);
    await expect(revealIdentity(store, ringA, ids[0]!)).rejects.toThrow('identity key B is not in the key ring');
    await expect(rotateIdentities(store, ringA)).rejects.toThrow('identity key B is not in the key ring');
    expect((await rows(store)).map((r) => r.key_id)).toEqual(['B', 'B']);

    // Another key under the id B does not pass for it.
    const impostor = identityKeyRing(keys, [identityCipher('B', randomBytes(32))]);
    await expect(revealIdentity(store, impostor, ids[0]!)).rejects.toThrow(`does not decrypt under key B`);
    store.close();
  });

  it('rotates rows sealed under two older keys and counts the ones already current', async () => {
    const { store } = await openStore();
    await sealIdentity(store, ringA, zhang);
    const ringBA = identityKeyRing(keys, [keyB, keys]);
    await sealIdentity(store, ringBA, org);
    const keyC = identityCipher('C', randomBytes(32));
    await sealIdentity(store, identityKeyRing(keys, [keyC]), parse(person({ name: '王五', phone: '13700001111' })));
    expect((await rows(store)).map((r) => r.key_id).sort()).toEqual([keys.keyId, 'B', 'C'].sort());
    expect(await rotateIdentities(store, identityKeyRing(keys, [keyC, keyB, keys]))).toEqual({ rotated: 2, alreadyCurrent: 1 });
    expect((await rows(store)).map((r) => r.key_id)).toEqual(['C', 'C', 'C']);
    store.close();
  });
});

describe('identity key ring from configuration', () => {
  const dataDir = join(tmpdir(), 'xinfang-identity-unused'); // the pseudonym key comes from the environment
  const secret = Buffer.alloc(32, 5);
  const derivedId = petitionerKeys(secret).keyId;
  const hexB = randomBytes(32).toString('hex');
  const hexOld = randomBytes(32).toString('hex');

  it('encrypts under the key derived from the pseudonym secret when no keys are configured', () => {
    const ring = loadIdentityKeyRing(dataDir, { XINFANG_PSEUDONYM_KEY: secret.toString('hex') });
    expect(ring.current.keyId).toBe(derivedId);
    expect(ring.pseudonym('11010519491231002X')).toBe(petitionerKeys(secret).pseudonym('11010519491231002X'));
  });

  it('encrypts under the first configured key, decrypts under the others and the derived key', () => {
    const ring = loadIdentityKeyRing(dataDir, { XINFANG_PSEUDONYM_KEY: secret.toString('hex'), XINFANG_IDENTITY_KEYS: ` k2026:${hexB} , k2025:${hexOld}` });
    expect(ring.current.keyId).toBe('k2026');
    expect(ring.cipher('k2025').keyId).toBe('k2025');
    expect(ring.cipher(derivedId).keyId).toBe(derivedId);
    expect(() => ring.cipher('k2024')).toThrow('identity key k2024 is not in the key ring');
    const sealed = ring.current.encrypt('张三');
    expect(ring.cipher('k2026').decrypt(sealed)).toBe('张三');
  });

  it('says which entry is wrong without echoing key material', () => {
    const load = (keysSetting: string) => () =>
      loadIdentityKeyRing(dataDir, { XINFANG_PSEUDONYM_KEY: secret.toString('hex'), XINFANG_IDENTITY_KEYS: keysSetting });
    expect(load(`k1:${hexB},k2:${hexOld.slice(2)}`)).toThrow(/^XINFANG_IDENTITY_KEYS entry 2 must be keyId:64 hex digits/);
    expect(load(`k1:${hexB},k2:${hexOld.slice(2)}`)).not.toThrow(hexOld.slice(2));
    expect(load(`k1:${hexB},k1:${hexOld}`)).toThrow('identity key id k1 appears twice');
    expect(load(`${derivedId}:${hexB}`)).toThrow(`key id ${derivedId} is the id of the key derived from the pseudonym secret`);
  });
});
