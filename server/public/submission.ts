/**
 * 网上信访: the public form's body (multipart, with attachments), validated field by field so each
 * error is said beside its field, in the petitioner's language. Attachments are checked by what
 * their first bytes are, not by what the browser says they are.
 */
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { z } from 'zod';
import { FIELDS, type Field } from '../../domain/case.js';
import { petitionerIdentity, type PetitionerIdentity } from '../../domain/petitioner.js';

/** At most 3 files of at most 2 MiB each: enough for a letter's scan or photos, not for video. */
export const ATTACHMENT_LIMITS = { files: 3, bytesEach: 2 * 1024 * 1024 };
/** The whole body: the files and the form's text with room for multipart framing. */
export const BODY_LIMIT = ATTACHMENT_LIMITS.files * ATTACHMENT_LIMITS.bytesEach + 64 * 1024;
/** 2022 Regulations art. 20: a collective petition sends at most five representatives. */
export const MAX_REPRESENTATIVES = 5;

const MAGIC: { type: string; ext: string; bytes: number[] }[] = [
  { type: 'application/pdf', ext: 'pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { type: 'image/png', ext: 'png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', ext: 'jpg', bytes: [0xff, 0xd8, 0xff] },
];

/** The allowed type `content` is, by its magic bytes, or null. */
export function sniff(content: Uint8Array): string | null {
  return MAGIC.find((m) => m.bytes.every((b, i) => content[i] === b))?.type ?? null;
}

export interface Attachment {
  fileName: string;
  contentType: string;
  content: Buffer;
  sha256: string;
}

export interface Submission {
  matter: string;
  field: Field;
  district: string;
  street?: string;
  petitioner: PetitionerIdentity;
  collectiveSize: number;
  representatives: string[];
  accusation: boolean;
  attachments: Attachment[];
}

/** One problem, tied to the form control it is about; `zh` and `en` say it. */
export interface Problem {
  field: string;
  zh: string;
  en: string;
}

const TEXT_FIELDS = ['lang', 'matter', 'field', 'district', 'street', 'kind', 'name', 'idNumber', 'creditCode', 'contact', 'phone', 'address', 'collective', 'collectiveSize', 'accusation'] as const;
type TextField = (typeof TEXT_FIELDS)[number];
export type FormValues = Partial<Record<TextField, string>> & { representative?: string[] };

const CONTROL = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const matter = z
  .string()
  .trim()
  .refine((s) => s.isWellFormed() && !CONTROL.test(s.replace(/[\r\n\t]/g, ' ')), 'must not contain control characters')
  .refine((s) => Array.from(s).length >= 10, 'must say what the matter is, in at least 10 characters')
  .refine((s) => Array.from(s).length <= 2000, 'must be at most 2000 characters');

/** Reads the body, at most BODY_LIMIT bytes; null when it is larger (the caller answers 413). */
export async function readLimited(req: Request): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > BODY_LIMIT) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// What a file name may show on the petitioner's page: no path, no control or direction characters.
function cleanFileName(raw: string, ext: string): string {
  const base = raw.normalize('NFKC').split(/[\\/]/).pop() ?? '';
  const clean = Array.from(base.replace(new RegExp(CONTROL.source, 'gu'), '').trim()).slice(0, 100).join('');
  return clean || `attachment.${ext}`;
}

/** The form as the petitioner filled it (text fields only: files are never echoed back), and its problems. */
export async function parseSubmission(body: Buffer, contentType: string): Promise<{ values: FormValues; problems: Problem[]; submission?: Submission }> {
  let form: FormData;
  try {
    form = await new Response(new Blob([new Uint8Array(body)]), { headers: { 'content-type': contentType } }).formData();
  } catch {
    return { values: {}, problems: [{ field: 'form', zh: '表单数据无法读取，请重新提交', en: 'the form data could not be read; submit it again' }] };
  }
  const problems: Problem[] = [];
  const values: FormValues = {};
  const files: File[] = [];
  for (const [key, value] of form.entries()) {
    if (key === 'attachment') {
      if (typeof value !== 'string' && value.size > 0) files.push(value);
    } else if (key === 'representative') {
      if (typeof value === 'string') (values.representative ??= []).push(value);
    } else if ((TEXT_FIELDS as readonly string[]).includes(key) && typeof value === 'string') {
      if (values[key as TextField] !== undefined) problems.push({ field: key, zh: `${key} 重复出现`, en: `${key} is given twice` });
      values[key as TextField] = value;
    } else problems.push({ field: 'form', zh: `表单没有 ${key.slice(0, 40)} 这一项`, en: `the form has no field ${key.slice(0, 40)}` });
  }
  const blank = (k: TextField) => (values[k] ?? '').trim() === '';

  const matterParsed = matter.safeParse(values.matter ?? '');
  if (!matterParsed.success) problems.push({ field: 'matter', zh: '请写明信访事项，10 至 2000 字', en: `the matter ${matterParsed.error.issues[0]?.message ?? 'is invalid'}` });
  const field = FIELDS.find((f) => f === values.field);
  if (!field) problems.push({ field: 'field', zh: '请选择事项所属领域', en: 'choose the field the matter belongs to' });
  const district = /^\d{6}$/.test(values.district ?? '') ? values.district : undefined;
  if (!district) problems.push({ field: 'district', zh: '请选择事项发生地所在的区', en: 'choose the district where the matter arose' });
  const street = blank('street') ? undefined : /^\d{9}$/.test(values.street ?? '') ? values.street : null;
  if (street === null) problems.push({ field: 'street', zh: '街道（乡镇）代码有误', en: 'the street or township is not one of the list' });

  // The identity goes through the staff intake's schema, so the same person validates the same way.
  const kind = values.kind === 'organisation' ? 'organisation' : values.kind === 'person' ? 'person' : undefined;
  let petitioner: PetitionerIdentity | undefined;
  if (!kind) problems.push({ field: 'kind', zh: '请选择以个人还是单位名义提出', en: 'choose whether you petition as a person or an organisation' });
  else {
    const keys = kind === 'person' ? (['name', 'idNumber', 'phone', 'address'] as const) : (['name', 'creditCode', 'contact', 'phone', 'address'] as const);
    const identity: Record<string, string> = { kind };
    for (const k of keys) if (!blank(k)) identity[k] = values[k] ?? '';
    const parsed = petitionerIdentity.safeParse(identity);
    if (parsed.success) petitioner = parsed.data;
    else {
      for (const issue of parsed.error.issues) {
        const at = typeof issue.path[0] === 'string' ? issue.path[0] : kind === 'person' ? 'idNumber' : 'name';
        problems.push({ field: at, zh: IDENTITY_ZH[at] ?? '身份信息有误', en: `${at}: ${issue.message}` });
      }
    }
  }

  const collective = values.collective === 'yes';
  const representatives = (values.representative ?? []).map((r) => r.normalize('NFKC').trim().replace(/\s+/g, ' ')).filter((r) => r !== '');
  let collectiveSize = 1;
  if (collective) {
    const n = Number(values.collectiveSize);
    if (!/^\d{1,5}$/.test(values.collectiveSize ?? '') || n < 2) problems.push({ field: 'collectiveSize', zh: '联名信访请填写人数（2 人以上的整数）', en: 'a collective petition gives how many people join it (a whole number, 2 or more)' });
    else collectiveSize = n;
    if (representatives.length > MAX_REPRESENTATIVES) {
      problems.push({ field: 'representative', zh: `代表人数不得超过 ${MAX_REPRESENTATIVES} 人（《信访工作条例》第二十条）`, en: `at most ${MAX_REPRESENTATIVES} representatives (2022 Regulations art. 20)` });
    }
    if (representatives.some((r) => Array.from(r).length > 50 || CONTROL.test(r))) problems.push({ field: 'representative', zh: '代表姓名不超过 50 字', en: "a representative's name is at most 50 characters, without control characters" });
  } else if (representatives.length || !blank('collectiveSize')) {
    problems.push({ field: 'collective', zh: '只有联名信访才填写人数和代表', en: 'the number of people and representatives are for a collective petition: tick it' });
  }
  if (!blank('accusation') && values.accusation !== 'yes') problems.push({ field: 'accusation', zh: '检举控告选项有误', en: 'accusation is yes or absent' });

  const attachments: Attachment[] = [];
  if (files.length > ATTACHMENT_LIMITS.files) {
    problems.push({ field: 'attachment', zh: `附件最多 ${ATTACHMENT_LIMITS.files} 个`, en: `at most ${ATTACHMENT_LIMITS.files} attachments` });
  }
  for (const file of files.slice(0, ATTACHMENT_LIMITS.files)) {
    const content = Buffer.from(await file.arrayBuffer());
    const type = sniff(content);
    const shown = cleanFileName(file.name, 'bin').slice(0, 40);
    if (content.length > ATTACHMENT_LIMITS.bytesEach) {
      problems.push({ field: 'attachment', zh: `附件“${shown}”超过 2 MB`, en: `attachment "${shown}" is larger than 2 MB` });
    } else if (!type) {
      problems.push({ field: 'attachment', zh: `附件“${shown}”不是 PDF、PNG 或 JPEG 文件`, en: `attachment "${shown}" is not a PDF, PNG or JPEG file` });
    } else {
      const ext = MAGIC.find((m) => m.type === type)?.ext ?? 'bin';
      attachments.push({ fileName: cleanFileName(file.name, ext), contentType: type, content, sha256: createHash('sha256').update(content).digest('hex') });
    }
  }

  if (problems.length || !matterParsed.success || !field || !district || street === null || !petitioner) return { values, problems };
  return {
    values,
    problems,
    submission: {
      matter: matterParsed.data,
      field,
      district,
      ...(street ? { street } : {}),
      petitioner,
      collectiveSize,
      representatives,
      accusation: values.accusation === 'yes',
      attachments,
    },
  };
}

const IDENTITY_ZH: Record<string, string> = {
  name: '请填写姓名或单位名称（不超过规定字数，不含控制字符）',
  idNumber: '身份证号码有误：应为 18 位（末位校验码正确）或 15 位；个人须至少填写身份证号码、电话或地址之一',
  creditCode: '统一社会信用代码有误：应为 18 位，末位校验码正确',
  contact: '联系人姓名有误',
  phone: '电话号码有误：应为手机号码或带区号的固定电话',
  address: '地址有误（不超过 200 字）',
};
