/**
 * 阳光信访: the petitioner-facing site under /open. Server-rendered pages that work without
 * JavaScript; no session, no cookie and no route shared with the staff dashboard: it reads no
 * staff cookie, sets none, and the petitioner proves a case is theirs with its verification code.
 */
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { eventsOfCase } from '../../analytics/case-log.js';
import { sealIdentity, type IdentityKeyRing } from '../../analytics/identity-vault.js';
import { deriveAtIntake } from '../../analytics/petition-kinds.js';
import type { AnalyticsStore } from '../../analytics/store.js';
import { jurisdictionData, receivingOffice } from '../../domain/jurisdiction-data.js';
import { refusalIn } from '../../domain/refusals.js';
import { caseDeadline } from '../../rules/case-rules.js';
import { chinaDateOf, dateInZone } from '../../rules/plain-date.js';
import { CASE_WORKFLOW_ID_PREFIX, caseStateQuery, petitionCaseWorkflow, pressUpdate, rateUpdate, RATING_LEVELS, type CaseState, type PetitionCaseInput } from '../../workflows/petition-case.js';
import { RateLimiter, type RateLimit } from '../rate-limit.js';
import { mintId, queryOrNull, refusalOf, startOnce } from '../workflow-routes.js';
import { attachmentContent, attachmentsOf, recordAttachments } from './attachments.js';
import { CasePasses, hashCode, mintVerificationCode, recordAccess, representativesOf, verifyAccess } from './access.js';
import { renderCase } from './case-view.js';
import { lookupForm, receiptPage, submitForm, type Place } from './forms.js';
import { DEFAULT_LOOKUP_LIMITS, LookupGuard, type LookupLimits } from './guard.js';
import { html } from './html.js';
import { langOf, page, say, type Lang } from './layout.js';
import { parseSubmission, readLimited, type Submission } from './submission.js';

export { OPEN_PREFIX } from './layout.js';

export interface OpenSiteDeps {
  store: AnalyticsStore;
  temporal: Client;
  taskQueue: string;
  jurisdiction: string;
  identityKeys: IdentityKeyRing;
  now?: () => Date;
  lookupLimits?: LookupLimits;
  /** Petitions one client may submit: a few, then a handful an hour. */
  submitRate?: RateLimit;
}

const ASSETS = fileURLToPath(new URL('../../web/public-site/', import.meta.url));
const TEMPORAL_DEADLINE_MS = 10_000;
/** How long a look-up's pass lets the page's forms act: a visit, not a login. */
const PASS_TTL_MS = 30 * 60_000;

// Stricter than the dashboard's: nothing but this origin's own stylesheet, script and form targets.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'";

/** A page's error, shown in the page's language with the status it deserves. */
class PageError extends Error {
  constructor(
    readonly status: number,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

const langQuery = z.object({ lang: z.enum(['zh', 'en']).optional() }).strict();
const lookupBody = z.object({ lang: z.enum(['zh', 'en']).optional(), caseCode: z.string().max(100), verificationCode: z.string().max(100) }).strict();
const passBody = z.object({ lang: z.enum(['zh', 'en']).optional(), pass: z.string().max(200) }).strict();
const comment = z.string().max(2000).optional();
const rateBody = passBody.extend({ level: z.enum(RATING_LEVELS).optional(), comment }).strict();
const pressBody = passBody.extend({ note: comment }).strict();
const attachmentBody = passBody.extend({ seq: z.string().regex(/^\d{1,2}$/).transform(Number) }).strict();
const CONTROL = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const placeRow = z.object({ code: z.string(), parent: z.string().nullable(), level: z.string(), nameZh: z.string().nullable(), nameEn: z.string().nullable() });
const organRow = z.object({ code: z.string(), name: z.string() });

const hostOf = (origin: string) => {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
};

export function openSite(deps: OpenSiteDeps): express.Router {
  const { store, temporal, taskQueue, jurisdiction, identityKeys } = deps;
  // The receipt's time is the jurisdiction's (its data's zone); its clocks stay China's (chinaDateOf).
  const zone = jurisdictionData(jurisdiction).timeZone;
  const now = deps.now ?? (() => new Date());
  const guard = new LookupGuard(store, deps.lookupLimits ?? DEFAULT_LOOKUP_LIMITS, now);
  const submits = new RateLimiter(deps.submitRate ?? { burst: 5, perMinute: 10 / 60 });
  const passes = new CasePasses(PASS_TTL_MS);
  const router = express.Router();
  const withTemporal = <T>(work: () => Promise<T>) => temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, work);
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 12 });

  router.use((req, res, next) => {
    res.set({ 'content-security-policy': CSP, 'cache-control': 'no-store', 'x-robots-tag': 'noindex' });
    // A form posted from another site is refused: the pages' forms post only to their own origin.
    const origin = req.headers.origin;
    if (req.method === 'POST' && origin && origin !== 'null' && hostOf(origin) !== req.headers.host) {
      throw new PageError(403, '请从本网站的页面提交', 'submit from this site’s own pages');
    }
    next();
  });
  router.use('/assets', express.static(ASSETS, { fallthrough: false, index: false, maxAge: '1h' }));

  const places = () =>
    store.all(placeRow, "SELECT code, parent_code AS parent, level, name_zh AS nameZh, name_en AS nameEn FROM regions WHERE level IN ('district', 'street') ORDER BY code");
  const send = (res: Response, status: number, lang: Lang, title: string, body: ReturnType<typeof html>, path?: string) =>
    res.status(status).type('html').send(page({ lang, title, body, ...(path ? { path } : {}) }));
  const queryLang = (req: Request) => {
    const q = langQuery.safeParse(req.query);
    if (!q.success) throw new PageError(400, '网址中有无法识别的参数', `the address has a parameter this page does not take (${q.error.issues[0]?.message ?? ''})`);
    return langOf(q.data.lang);
  };

  router.get('/', async (req, res) => {
    const lang = queryLang(req);
    send(res, 200, lang, say(lang)('网上信访', 'Submit a petition online'), submitForm(lang, await places()), '/');
  });

  router.post('/submit', async (req, res) => {
    const type = req.headers['content-type'] ?? '';
    if (!type.startsWith('multipart/form-data')) throw new PageError(415, '请通过网页表单提交', 'submit through the form (multipart/form-data)');
    const client = req.ip ?? 'unknown';
    const body = await readLimited(req);
    if (!body) throw new PageError(413, '提交的内容过大：附件最多 3 个，每个不超过 2 MB', 'the submission is too large: at most 3 attachments of 2 MB each');
    const parsed = await parseSubmission(body, type);
    const lang = langOf(parsed.values.lang);
    const t = say(lang);
    const allPlaces = await places();
    const sub = parsed.submission;
    const problems = [...parsed.problems];
    if (sub) {
      const district = allPlaces.find((p) => p.code === sub.district && p.level === 'district');
      if (!district) problems.push({ field: 'district', zh: '请从列表中选择区', en: 'choose a district of the list' });
      if (sub.street && !allPlaces.some((p) => p.code === sub.street && p.parent === sub.district)) {
        problems.push({ field: 'street', zh: '所选街道（乡镇）不在所选的区内', en: 'the street or township is not in the district chosen' });
      }
    }
    if (!sub || problems.length) {
      send(res, 400, lang, t('网上信访', 'Submit a petition online'), submitForm(lang, allPlaces, parsed.values, problems), '/');
      return;
    }
    // Charged only for a petition that would be registered: a petitioner correcting a form is not slowed.
    const wait = submits.take(client, now().getTime());
    if (wait > 0) throw new PageError(429, `提交过于频繁，请 ${Math.ceil(wait / 60_000)} 分钟后再试`, `too many petitions from here; try again in ${Math.ceil(wait / 60_000)} minutes`);
    const registered = await register(sub);
    const place = [sub.district, sub.street].map((c) => allPlaces.find((p) => p.code === c)).filter((p) => p !== undefined).map((p) => (lang === 'en' ? (p.nameEn ?? p.nameZh) : p.nameZh)).join(' ');
    send(res, 201, lang, t('信访事项回执', 'Receipt'), receiptPage(lang, { ...registered, field: sub.field, place, attachments: sub.attachments.length }));
  });

  /** Registers the case as POST /api/v1/cases does, on the `online` channel, and keeps its code's hash and attachments. */
  async function register(sub: Submission): Promise<{ caseId: string; code: string; receivedAt: string }> {
    const receivedAt = now();
    const receivedDate = chinaDateOf(receivedAt);
    try {
      caseDeadline({ jurisdiction, receivedDate, step: 'route', start: receivedDate });
    } catch {
      throw new PageError(503, '今日暂不能受理网上信访，请改日提交或来信来访', 'online petitions cannot be registered today; try another day, or write or visit');
    }
    const caseId = mintId('XF', receivedDate);
    const code = mintVerificationCode();
    const hash = await hashCode(code);
    const { petitionerId } = await sealIdentity(store, identityKeys, sub.petitioner);
    // 初信初访 or 重复信访 from the petitioner's history, as staff intake derives it (rules/petition-kind.ts); online is no visit, so never 越级.
    const facts = { caseId, receivedAt: receivedAt.toISOString(), channel: 'online' as const, regionCode: sub.district, field: sub.field, petitionerId, sameClaimAs: null, broughtTo: null };
    const kind = await deriveAtIntake(store, facts, receivedAt, async (conn) => {
      await recordAccess(conn, identityKeys, caseId, hash, receivedAt, sub.representatives);
      await recordAttachments(conn, identityKeys, caseId, sub.attachments);
    });
    if (!kind) throw new Error(`case id ${caseId} was minted twice`);
    const input: PetitionCaseInput = {
      intake: {
        caseId,
        jurisdiction,
        receivedAt: receivedAt.toISOString(),
        channel: 'online',
        regionCode: sub.district,
        ...(sub.street ? { streetCode: sub.street } : {}),
        field: sub.field,
        collectiveSize: sub.collectiveSize,
        summary: sub.matter,
        petitionerId,
        ...(kind.repeat.value === null ? {} : { repeatPetition: kind.repeat.value }),
        ...(kind.skipLevel.value === null ? {} : { skipLevel: kind.skipLevel.value }),
      },
      // Online, the petition reaches the petition office of the district it names (阳光信访 routes it there).
      receivedBy: receivingOffice(jurisdiction, sub.district),
      ...(sub.accusation ? { accusation: true } : {}),
    };
    try {
      await withTemporal(() => startOnce(() => temporal.workflow.start(petitionCaseWorkflow, { workflowId: CASE_WORKFLOW_ID_PREFIX + caseId, taskQueue, args: [input] }), `case ${caseId} is already registered`));
    } catch (error) {
      // No case without its workflow: the code would open nothing.
      await store.transaction(async (conn) => {
        await conn.run('DELETE FROM open_attachments WHERE case_id = $caseId', { caseId });
        await conn.run('DELETE FROM open_access WHERE case_id = $caseId', { caseId });
        await conn.run('DELETE FROM petition_kinds WHERE case_id = $caseId', { caseId });
      });
      console.error(`[xinfang] open petition ${caseId} not registered: ${error instanceof Error ? error.message : String(error)}`);
      throw new PageError(503, '系统暂时无法登记，请稍后再试；本次提交未被登记', 'the system cannot register petitions just now; try again later (this one was not registered)');
    }
    return { caseId, code, receivedAt: `${dateInZone(receivedAt, zone)} ${receivedAt.toLocaleTimeString('zh-CN', { timeZone: zone, hour12: false })}` };
  }

  router.get('/lookup', (req, res) => {
    const lang = queryLang(req);
    send(res, 200, lang, say(lang)('查询办理情况', 'Look up your case'), lookupForm(lang), '/lookup');
  });

  router.post('/lookup', form, async (req, res) => {
    const parsed = lookupBody.safeParse(req.body);
    const lang = langOf(parsed.success ? parsed.data.lang : (req.body as Record<string, unknown> | undefined)?.['lang']);
    const t = say(lang);
    const title = t('查询办理情况', 'Look up your case');
    if (!parsed.success) {
      send(res, 400, lang, title, lookupForm(lang, {}, { field: 'caseCode', zh: '请填写信访事项编号和查询码', en: 'give the case code and the verification code' }), '/lookup');
      return;
    }
    const caseCode = parsed.data.caseCode.normalize('NFKC').trim().toUpperCase();
    if (!/^[A-Z0-9-]{4,40}$/.test(caseCode)) {
      send(res, 400, lang, title, lookupForm(lang, {}, { field: 'caseCode', zh: '信访事项编号由字母、数字和连字符组成，如 XF-20261203-1A2B3C4D', en: 'a case code is letters, digits and dashes, such as XF-20261203-1A2B3C4D' }), '/lookup');
      return;
    }
    const admission = await guard.admit(req.ip ?? 'unknown', caseCode);
    if (!admission.ok) {
      const minutes = Math.max(1, Math.ceil(admission.retryMs / 60_000));
      const refusal =
        admission.why === 'locked'
          ? t(`该编号连续多次查询码错误，已暂停查询，请 ${minutes} 分钟后再试`, `too many wrong codes for this case code: look-ups are paused; try again in ${minutes} minutes`)
          : t(`查询过于频繁，请 ${minutes} 分钟后再试`, `too many look-ups; try again in ${minutes} minutes`);
      res.set('retry-after', String(Math.ceil(admission.retryMs / 1000)));
      send(res, 429, lang, title, lookupForm(lang, { caseCode }, undefined, refusal), '/lookup');
      return;
    }
    if (!(await verifyAccess(store, caseCode, parsed.data.verificationCode))) {
      await guard.failed(caseCode);
      // One answer for a wrong code and for a case code that names no case.
      send(res, 403, lang, title, lookupForm(lang, { caseCode }, undefined, t('信访事项编号或查询码不正确', 'the case code or the verification code is wrong')), '/lookup');
      return;
    }
    await guard.succeeded(caseCode);
    await sendCase(res, lang, caseCode, passes.issue(caseCode, now().getTime()));
  });

  /** The pass's case, or a page telling the petitioner to look it up again. */
  const passCase = (pass: string) => {
    const caseId = passes.open(pass, now().getTime());
    if (!caseId) throw new PageError(403, '页面已过期，请重新查询', 'this page has expired; look the case up again');
    return caseId;
  };

  async function sendCase(res: Response, lang: Lang, caseId: string, pass: string, verdict?: { ok: boolean; text: string }) {
    const t = say(lang);
    const state = await withTemporal(() => queryOrNull(temporal.workflow.getHandle(CASE_WORKFLOW_ID_PREFIX + caseId), caseStateQuery));
    if (!state) throw new PageError(503, '事项正在登记，请稍后再查询', 'the case is still being registered; look again in a moment');
    const [events, organs, where, representatives, attachments] = await Promise.all([
      eventsOfCase(store, caseId),
      store.all(organRow, 'SELECT code, name_zh AS name FROM organs WHERE jurisdiction = $jurisdiction', { jurisdiction }),
      store.all(placeRow, 'SELECT code, parent_code AS parent, level, name_zh AS nameZh, name_en AS nameEn FROM regions WHERE code IN ($a, $b) ORDER BY code', { a: state.regionCode, b: state.streetCode ?? state.regionCode }),
      representativesOf(store, identityKeys, caseId),
      attachmentsOf(store, caseId),
    ]);
    const placeName = where.map((p: Place) => (lang === 'en' ? (p.nameEn ?? p.nameZh) : p.nameZh)).join(' ');
    const body = renderCase(lang, { state, events, organNames: new Map(organs.map((o) => [o.code, o.name])), placeName, representatives, attachments, pass, ...(verdict ? { verdict } : {}) });
    // Reached by POST: the language switch re-posts the pass, the page's only key.
    const other: Lang = lang === 'en' ? 'zh' : 'en';
    const switcher = html`<form method="post" action="/open/case" class="inline"><input type="hidden" name="pass" value="${pass}"><input type="hidden" name="lang" value="${other}"><button type="submit" class="link" lang="${other === 'en' ? 'en' : 'zh-CN'}">${other === 'en' ? 'English' : '中文'}</button></form>`;
    res.status(200).type('html').send(page({ lang, title: t('我的信访事项', 'My case'), body, switcher }));
  }

  router.post('/case', form, async (req, res) => {
    const parsed = passBody.safeParse(req.body);
    if (!parsed.success) throw new PageError(400, '请重新查询', 'look the case up again');
    const lang = langOf(parsed.data.lang);
    await sendCase(res, lang, passCase(parsed.data.pass), parsed.data.pass);
  });

  /** Sends an update as the petitioner and shows the case with the workflow's verdict. */
  async function act(res: Response, lang: Lang, pass: string, run: (caseId: string) => Promise<CaseState>, done: string) {
    const caseId = passCase(pass);
    let verdict: { ok: boolean; text: string };
    try {
      await withTemporal(() => run(caseId));
      verdict = { ok: true, text: done };
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const refusal = refusalOf(error.cause);
        verdict = { ok: false, text: refusal ? refusalIn(refusal, lang) : say(lang)(`未能办理：${error.cause?.message ?? ''}`, `refused: ${error.cause?.message ?? error.message}`) };
      } else if (error instanceof WorkflowNotFoundError) {
        verdict = { ok: false, text: say(lang)('事项已办结，不能再进行此项操作', 'the case is closed; this can no longer be done') };
      } else throw error;
    }
    await sendCase(res, lang, caseId, pass, verdict);
  }

  /** The optional text of a rating or press, or what is wrong with it (said on the case page, as the workflow's verdicts are). */
  const note = (lang: Lang, raw: string | undefined): { text?: string; problem?: string } => {
    const text = raw?.trim();
    if (!text) return {};
    if (Array.from(text).length > 500 || CONTROL.test(text.replace(/[\r\n\t]/g, ' ')) || !text.isWellFormed()) {
      return { problem: say(lang)('说明不超过 500 字，且不含控制字符', 'the text is at most 500 characters, without control characters') };
    }
    return { text };
  };

  router.post('/case/rate', form, async (req, res) => {
    const parsed = rateBody.safeParse(req.body);
    if (!parsed.success) throw new PageError(400, '评价表单有误，请重新查询后评价', 'the rating form is malformed; look the case up again');
    const { pass, level } = parsed.data;
    const lang = langOf(parsed.data.lang);
    const t = say(lang);
    const { text, problem } = note(lang, parsed.data.comment);
    if (!level || problem) {
      await sendCase(res, lang, passCase(pass), pass, { ok: false, text: problem ?? t('请选择满意、基本满意或不满意', 'choose satisfied, basically satisfied or dissatisfied') });
      return;
    }
    await act(res, lang, pass, (caseId) => temporal.workflow.getHandle(CASE_WORKFLOW_ID_PREFIX + caseId).executeUpdate(rateUpdate, { args: [{ level, ...(text ? { comment: text } : {}) }] }), t('评价已提交，谢谢。', 'Your rating was recorded. Thank you.'));
  });

  router.post('/case/press', form, async (req, res) => {
    const parsed = pressBody.safeParse(req.body);
    if (!parsed.success) throw new PageError(400, '催办表单有误，请重新查询后催办', 'the press form is malformed; look the case up again');
    const { pass } = parsed.data;
    const lang = langOf(parsed.data.lang);
    const t = say(lang);
    const { text, problem } = note(lang, parsed.data.note);
    if (problem) {
      await sendCase(res, lang, passCase(pass), pass, { ok: false, text: problem });
      return;
    }
    await act(res, lang, pass, (caseId) => temporal.workflow.getHandle(CASE_WORKFLOW_ID_PREFIX + caseId).executeUpdate(pressUpdate, { args: [text ? { note: text } : {}] }), t('催办已记录，将转负责的机关督办。', 'Your press was recorded and sent to the organ that owes the step.'));
  });

  // The petitioner's own copy of what was sent. Never shown inline: the type is what the bytes were, but a download is safer still.
  router.post('/case/attachment', form, async (req, res) => {
    const parsed = attachmentBody.safeParse(req.body);
    if (!parsed.success) throw new PageError(400, '请重新查询后下载', 'look the case up again to download');
    const file = await attachmentContent(store, identityKeys, passCase(parsed.data.pass), parsed.data.seq);
    if (!file) throw new PageError(404, '没有这个附件', 'no such attachment');
    res.set({ 'content-type': file.contentType, 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`, 'x-content-type-options': 'nosniff' });
    res.send(file.content);
  });

  router.use((req) => {
    throw new PageError(404, '没有这个页面', `no page ${req.method} ${req.path}`);
  });

  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const lang = langOf((req.body as Record<string, unknown> | undefined)?.['lang'] ?? req.query['lang']);
    const t = say(lang);
    const status = error instanceof PageError ? error.status : typeof (error as { status?: unknown }).status === 'number' ? ((error as { status: number }).status) : 500;
    if (!(error instanceof PageError) && status >= 500) console.error(`[xinfang] open site ${req.method} ${req.path}: ${error instanceof Error ? error.stack : String(error)}`);
    const message = error instanceof PageError ? error[lang] : status === 413 ? t('提交的内容过大', 'the request is too large') : status < 500 ? t('请求有误', 'the request is malformed') : t('系统暂时出现问题，请稍后再试', 'something went wrong; try again later');
    const back = html`<p class="notice refused" role="alert" id="page-error">${message}</p><p><a href="/open${lang === 'en' ? '?lang=en' : ''}">${t('返回首页', 'Back to the start')}</a> · <a href="/open/lookup${lang === 'en' ? '?lang=en' : ''}">${t('查询办理情况', 'Look up a case')}</a></p>`;
    res.status(status).type('html').send(page({ lang, title: t('无法办理', 'Not possible'), body: back }));
  });
  return router;
}
