/**
 * A petitioner's identity (信访人身份, DOMAIN §10): who brought a petition, as intake records it.
 * Leaking it is itself a punishable failure (2022 Regulations art. 46(5)), so it is encrypted
 * at rest (analytics/identity-vault.ts), analytics know the petitioner only by pseudonym, and
 * every answer shows the masked form unless a role with a reason reveals it.
 *
 * Validation messages never quote the value: they end up in logs and error answers.
 */
import { z } from 'zod';
import { parsePlainDate } from '../rules/plain-date.js';

// Bidirectional overrides can make a stored name display as another; control characters have
// no place in a name or an address.
const CONTROL = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

function text(max: number) {
  return z
    .string()
    .refine((s) => s.isWellFormed(), { message: 'must be well-formed Unicode (it holds a lone surrogate)', abort: true })
    .overwrite((s) => s.trim().replace(/\s+/g, ' '))
    .refine((s) => s.length > 0, 'must not be empty')
    .refine((s) => Array.from(s).length <= max, `must be at most ${max} characters`)
    .refine((s) => !CONTROL.test(s), 'must not contain control characters');
}

// Full-width digits and letters (１１０１…) are common in Chinese input; NFKC folds them.
function compact(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s\-()（）]/g, '').toUpperCase();
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999 check digit (ISO 7064 MOD 11-2) of the first 17 digits. */
function idCheckDigit(first17: string): string {
  const sum = Array.from(first17).reduce((s, c, i) => s + Number(c) * (ID_WEIGHTS[i] ?? 0), 0);
  return ID_CHECK[sum % 11] ?? '';
}

function isRealDate(yyyymmdd: string): boolean {
  try {
    parsePlainDate(`${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * 居民身份证号码 (GB 11643): 6 region digits, 8 birth-date digits, 3 sequence digits, check digit.
 * A 15-digit first-generation number (no check digit, 2-digit year) is accepted and converted to
 * its 18-digit form the way the 1999 re-issue did (19 before the year, check digit after), because
 * archived petitions still carry them and the same person must get the same pseudonym.
 */
export const idNumber = z.string().transform((raw, ctx) => {
  const id = compact(raw);
  if (/^\d{15}$/.test(id)) {
    if (!isRealDate(`19${id.slice(6, 12)}`)) {
      ctx.addIssue({ code: 'custom', message: 'birth date (characters 7-12 of a 15-digit number) is not a real date' });
      return z.NEVER;
    }
    const first17 = `${id.slice(0, 6)}19${id.slice(6)}`;
    return first17 + idCheckDigit(first17);
  }
  if (!/^\d{17}[\dX]$/.test(id)) {
    ctx.addIssue({ code: 'custom', message: 'must be 18 characters (17 digits and a check digit 0-9 or X), or a 15-digit first-generation number' });
    return z.NEVER;
  }
  if (!/^(18|19|20)\d{6}$/.test(id.slice(6, 14)) || !isRealDate(id.slice(6, 14))) {
    ctx.addIssue({ code: 'custom', message: 'birth date (characters 7-14) is not a real date' });
    return z.NEVER;
  }
  const expected = idCheckDigit(id.slice(0, 17));
  if (id[17] !== expected) {
    ctx.addIssue({ code: 'custom', message: `check digit should be ${expected}` });
    return z.NEVER;
  }
  return id;
});

// GB 32100-2015 leaves out I, O, Z, S and V, which read as 1, 0, 2, 5 and U.
const CREDIT_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100-2015 check character (ISO 7064 MOD 31-3 variant) of the first 17 characters. */
function creditCheckCharacter(first17: string): string {
  const sum = Array.from(first17).reduce((s, c, i) => s + CREDIT_CHARS.indexOf(c) * (CREDIT_WEIGHTS[i] ?? 0), 0);
  return CREDIT_CHARS[(31 - (sum % 31)) % 31] ?? '';
}

/** 统一社会信用代码 (GB 32100): 18 characters, the last a check character. */
export const creditCode = z.string().transform((raw, ctx) => {
  const code = compact(raw);
  if (code.length !== 18) {
    ctx.addIssue({ code: 'custom', message: 'must be 18 characters (统一社会信用代码)' });
    return z.NEVER;
  }
  const bad = Array.from(code).findIndex((c) => !CREDIT_CHARS.includes(c));
  if (bad >= 0) {
    ctx.addIssue({ code: 'custom', message: `character ${bad + 1} is not used in credit codes (digits and capital letters except I, O, Z, S, V)` });
    return z.NEVER;
  }
  const expected = creditCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) {
    ctx.addIssue({ code: 'custom', message: `check character should be ${expected}` });
    return z.NEVER;
  }
  return code;
});

/**
 * A mainland mobile number (1[3-9] and 9 digits, stored as 11 digits) or a landline with its area
 * code (stored as 010-62345678 / 0571-8888888). A +86 or 0086 prefix is dropped, restoring the
 * trunk 0 a landline loses abroad. Service numbers (12345, 400…) and extensions are refused: they
 * do not reach the petitioner.
 */
export const phone = z.string().transform((raw, ctx) => {
  let digits = compact(raw).replace(/^\+/, '');
  const international = /^(0086|86)(?=\d{10,12}$)/.exec(digits);
  if (international) {
    digits = digits.slice(international[0].length);
    if (!/^1[3-9]\d{9}$/.test(digits) && !digits.startsWith('0')) digits = `0${digits}`;
  }
  if (/^1[3-9]\d{9}$/.test(digits)) return digits;
  // Beijing (010) and the 02x cities have 3-digit area codes, everywhere else 4.
  const areaLength = /^0(10|2\d)/.test(digits) ? 3 : 4;
  const area = digits.slice(0, areaLength);
  const local = digits.slice(areaLength);
  if (/^0[1-9]\d{1,2}$/.test(area) && /^[2-9]\d{6,7}$/.test(local)) return `${area}-${local}`;
  ctx.addIssue({
    code: 'custom',
    message: 'must be a mainland mobile number (1[3-9] and 9 more digits) or a landline with its area code (010-62345678)',
  });
  return z.NEVER;
});

export const personIdentity = z
  .object({
    kind: z.literal('person'),
    name: text(50),
    idNumber: idNumber.optional(),
    phone: phone.optional(),
    address: text(200).optional(),
  })
  .strict()
  // The pseudonym derives from these (canonicalIdentity); a name alone would make every 张三 one petitioner.
  .refine((p) => p.idNumber !== undefined || p.phone !== undefined || p.address !== undefined, {
    message: 'a person needs idNumber, phone or address besides the name, so repeat petitions link to the right person',
  });

export const organisationIdentity = z
  .object({
    kind: z.literal('organisation'),
    name: text(100),
    creditCode,
    /** The person speaking for the organisation (联系人). */
    contact: text(50).optional(),
    phone: phone.optional(),
    address: text(200).optional(),
  })
  .strict();

/** What intake accepts: a person (自然人) or an organisation (法人或者其他组织). */
export const petitionerIdentity = z.discriminatedUnion('kind', [personIdentity, organisationIdentity], {
  error: "must be 'person' or 'organisation'",
});

export type PersonIdentity = z.infer<typeof personIdentity>;
export type OrganisationIdentity = z.infer<typeof organisationIdentity>;
export type PetitionerIdentity = z.infer<typeof petitionerIdentity>;

/**
 * An identity an import kept (mapping `petitioner.keepIdentity`): the mapped source columns joined
 * by ' / ', never validated, so its parts' meaning is unknown.
 */
export interface ImportedIdentity {
  kind: 'imported';
  text: string;
}

/** What the vault can hand back: what intake validated, or what an import kept. */
export type StoredIdentity = PetitionerIdentity | ImportedIdentity;

/** `masked: true` keeps a masked identity from being taken for a revealed one, by type and on the wire. */
export type MaskedIdentity = StoredIdentity & { masked: true };

type KeysOf<T> = T extends unknown ? keyof T : never;
export type PersonalField = Exclude<KeysOf<StoredIdentity>, 'kind'>;

// A Record, so adding a field to an identity without listing it here fails to compile.
const PERSONAL: Record<PersonalField, true> = {
  name: true,
  idNumber: true,
  phone: true,
  address: true,
  creditCode: true,
  contact: true,
  text: true,
};
/** Every field that identifies a petitioner: what the audit records as read on a reveal. */
export const PERSONAL_FIELDS = Object.keys(PERSONAL) as readonly PersonalField[];

/**
 * The text the pseudonym is the keyed hash of. An ID number alone for a person who gave one (a
 * typo'd name still links), else name and phone, else name and address; an organisation's credit
 * code. Parts are joined by ' / ' as an import joins its `petitioner.from` columns, so an import
 * mapping the same columns in the same order gives the same pseudonym.
 */
export function canonicalIdentity(identity: PetitionerIdentity): string {
  if (identity.kind === 'organisation') return identity.creditCode;
  if (identity.idNumber !== undefined) return identity.idNumber;
  const second = identity.phone ?? identity.address;
  if (second === undefined) throw new Error('a person needs idNumber, phone or address to be told apart');
  return `${identity.name} / ${second}`;
}

const stars = (n: number) => '*'.repeat(Math.max(n, 0));

/** 张三 → 张*, 欧阳娜娜 → 欧***: a compound surname is not kept whole, so every name shows one character. */
export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= 1) return '*';
  return chars[0] + stars(chars.length - 1);
}

/** 北京某某科技有限公司 → 北京******公司; a name of 4 characters or fewer would show whole, so masks like a person's. */
export function maskOrganisationName(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= 4) return maskName(name);
  return chars.slice(0, 2).join('') + stars(chars.length - 4) + chars.slice(-2).join('');
}

/** 13812341234 → 138****1234; a landline keeps its (public) area code: 010-****5678. */
export function maskPhone(phone: string): string {
  const dash = phone.indexOf('-');
  if (dash >= 0) {
    const local = phone.slice(dash + 1);
    return `${phone.slice(0, dash + 1)}${stars(local.length - 4)}${local.slice(-4)}`;
  }
  return phone.slice(0, 3) + stars(phone.length - 7) + phone.slice(-4);
}

/**
 * First 3 and last 4: 110***********002X. Showing the 6 region digits as well would leave only the
 * birth date unknown, and the check digit cuts its ~36 500 candidates to a few thousand, fewer once
 * the petitioner's age is known; hiding 3 more digits multiplies that by the districts of a city.
 */
export function maskIdNumber(id: string): string {
  return id.slice(0, 3) + stars(id.length - 7) + id.slice(-4);
}

/** 91350100M000100Y43 → 91************0Y43. */
export function maskCreditCode(code: string): string {
  return code.slice(0, 2) + stars(code.length - 6) + code.slice(-4);
}

const HAN = '\\p{Script=Han}';
const PROVINCE = new RegExp(`^(?:北京市|天津市|上海市|重庆市|${HAN}{2,5}?(?:省|自治区|特别行政区))`, 'u');
const PREFECTURE = new RegExp(`^${HAN}{1,4}?(?:市|自治州|地区|盟)`, 'u');
const COUNTY = new RegExp(`^${HAN}{1,4}?(?:区|县|旗|市)`, 'u');
// Names ending like a district that are a compound, campus or park: they locate a home.
const NOT_COUNTY = /(?:社区|小区|园区|校区|景区|街区|片区|厂区|矿区)$/u;

/**
 * Up to the district (北京市朝阳区****), read as a chain of province, prefecture and county names.
 * Only a chain of two or more is trusted: a lone "…区" at the start may be a residential compound
 * (望京花园东区), so then only the first 3 characters show, fewer than a 6-character cut that could
 * already name the compound.
 */
export function maskAddress(address: string): string {
  let rest = address;
  let kept = '';
  let segments = 0;
  for (const level of [PROVINCE, PREFECTURE, COUNTY]) {
    const m = level.exec(rest);
    if (!m || (level === COUNTY && NOT_COUNTY.test(m[0]))) continue;
    kept += m[0];
    rest = rest.slice(m[0].length);
    segments += 1;
  }
  if (segments < 2) {
    const chars = Array.from(address);
    kept = chars.slice(0, Math.min(3, chars.length - 1)).join('');
  }
  return `${kept}****`;
}

// An import's parts are unlabelled: each is masked as what it validates as, else as a name.
function maskImportedPart(part: string): string {
  const id = idNumber.safeParse(part);
  if (id.success) return maskIdNumber(id.data);
  const code = creditCode.safeParse(part);
  if (code.success) return maskCreditCode(code.data);
  const tel = phone.safeParse(part);
  if (tel.success) return maskPhone(tel.data);
  return maskName(part);
}

/** The form every answer shows unless the identity is revealed. */
export function maskIdentity(identity: StoredIdentity): MaskedIdentity {
  switch (identity.kind) {
    case 'person':
      return {
        kind: 'person',
        masked: true,
        name: maskName(identity.name),
        ...(identity.idNumber !== undefined && { idNumber: maskIdNumber(identity.idNumber) }),
        ...(identity.phone !== undefined && { phone: maskPhone(identity.phone) }),
        ...(identity.address !== undefined && { address: maskAddress(identity.address) }),
      };
    case 'organisation':
      return {
        kind: 'organisation',
        masked: true,
        name: maskOrganisationName(identity.name),
        creditCode: maskCreditCode(identity.creditCode),
        ...(identity.contact !== undefined && { contact: maskName(identity.contact) }),
        ...(identity.phone !== undefined && { phone: maskPhone(identity.phone) }),
        ...(identity.address !== undefined && { address: maskAddress(identity.address) }),
      };
    case 'imported':
      return { kind: 'imported', masked: true, text: identity.text.split(' / ').map(maskImportedPart).join(' / ') };
  }
}
