/**
 * Cases over HTTP: register, list, read, and one route per business action of the case
 * workflow. Everything is confined to the caller's jurisdiction: a case outside it answers 404,
 * as one that does not exist. What the rules allow is decided by the workflow, whose refusal
 * (with its reason) comes back as 409.
 */
import { z } from 'zod';
import { CASE_STAGES, caseWhereabouts, eventsOfCase, listCases, type CaseEventRow } from '../analytics/case-log.js';
import { forgetRepresentatives, recordRepresentatives, staffRepresentativesOf } from '../analytics/case-representatives.js';
import { maskedIdentity, revealIdentity, sealIdentity, type IdentityKeyRing } from '../analytics/identity-vault.js';
import { deriveAtIntake, forgetPetitionKind, nodesOf, petitionKindOf, type CasePetitionKind } from '../analytics/petition-kinds.js';
import { CHANNEL_CODES, type CaseIntake } from '../domain/case.js';
import { receivingOffice } from '../domain/jurisdiction-data.js';
import { petitionerIdentity, type MaskedIdentity } from '../domain/petitioner.js';
import type { Principal } from '../domain/roles.js';
import { caseDeadline, casePlan, caseRules } from '../rules/case-rules.js';
import { chinaDateOf } from '../rules/plain-date.js';
import {
  CASE_WORKFLOW_ID_PREFIX,
  RATING_LEVELS,
  acceptUpdate,
  assignLeaderUpdate,
  caseStateQuery,
  endHearingUpdate,
  extendUpdate,
  petitionCaseWorkflow,
  rateUpdate,
  reReviewOpinionUpdate,
  replyUpdate,
  reportAssignedResultUpdate,
  requestReReviewUpdate,
  requestReviewUpdate,
  reviewOpinionUpdate,
  routeUpdate,
  startHearingUpdate,
  type CaseState,
  type PetitionCaseInput,
} from '../workflows/petition-case.js';
import type { Api } from './api.js';
import { HttpError } from './http-error.js';
import { findUser } from './identity/users.js';
import { representativesOf } from './public/access.js';
import { attachmentContent, attachmentsOf, type ListedAttachment } from './public/attachments.js';
import { caseScopeOf, confineRegion, organNamesOf, regionContains, regionNode, visibleTo } from './scope.js';
import { boundedDate, idSchema as caseId, regionCode, requiredText as text } from './validation.js';
import { action, actionRoutes, mintId, queryOrNull, startOnce, type WorkflowRouteDeps } from './workflow-routes.js';

// Bounded: year 0000 or 9999 passes the ISO format and would reach the workflow's calendars.
const date = boundedDate;
const opinion = z.object({ outcome: z.enum(['upheld', 'changed']), summary: text(2000).optional() }).strict();
const toOrgan = z.object({ toOrgan: text(80) }).strict();

const ACTIONS = [
  action(
    routeUpdate,
    z
      .object({
        mode: z.enum(['forward', 'assign', 'report']),
        toOrgan: text(80),
        toKind: z.enum(['competent', 'political-legal', 'discipline-inspection', 'party-government']).default('competent'),
        resultDue: date.optional(),
      })
      .strict(),
    'cases.act',
    'Route the case: forward (转送), assign (交办) or report upward (上报)',
  ),
  action(acceptUpdate, z.object({ accepted: z.boolean(), organ: text(80).optional(), reason: text(500).optional() }).strict(), 'cases.act', 'Accept (受理) or decline the case'),
  action(extendUpdate, z.object({ days: z.number().int().min(1).max(366), reason: text(500), approvedBy: text(80) }).strict(), 'cases.act', 'Extend the handling deadline (延期)'),
  action(replyUpdate, z.object({ outcome: z.enum(['supported', 'partly_supported', 'not_supported']), summary: text(2000).optional() }).strict(), 'cases.act', 'Reply with the handling opinion (答复)'),
  action(reportAssignedResultUpdate, z.object({}).strict(), 'cases.act', 'Report the result of an assigned case (交办结果)'),
  // A rating given on paper or by phone; the petitioner rates online on the public side.
  action(rateUpdate, z.object({ level: z.enum(RATING_LEVELS), comment: text(500).optional() }).strict(), 'cases.act', "Record the petitioner's rating (满意 / 基本满意 / 不满意)"),
  action(requestReviewUpdate, toOrgan, 'cases.act', 'Record a request for review (复查)'),
  action(reviewOpinionUpdate, opinion, 'cases.act', 'Record the review opinion'),
  action(requestReReviewUpdate, toOrgan, 'cases.act', 'Record a request for re-review (复核)'),
  action(startHearingUpdate, z.object({ date }).strict(), 'cases.act', 'A hearing (听证) starts: its days are not counted'),
  action(endHearingUpdate, z.object({ date }).strict(), 'cases.act', 'The hearing ends'),
  action(reReviewOpinionUpdate, opinion, 'cases.act', 'Record the re-review opinion'),
];

/**
 * 领导包案: the office names a leader whose region holds the case (the city's, the district's or
 * the street's); the workflow records the leader's user name and name.
 */
const leaderAction = (store: CaseRouteDeps['store'], whereIs: (id: string) => Promise<string | null>) =>
  action(assignLeaderUpdate, z.object({ leader: text(64) }).strict(), 'cases.act', 'Name the leader who owns the case (领导包案)', async ({ leader }, _principal, id) => {
    const user = await findUser(store, leader);
    if (!user || user.role !== 'leader' || user.disabled || !user.region_code) throw new HttpError(400, `${leader} is not a leader of the system`, undefined, 'leader');
    const where = await whereIs(id);
    if (!where || !(await regionContains(store, user.region_code, where))) throw new HttpError(400, `${leader} leads ${user.region_code}, which does not hold case ${id}`, undefined, 'leader');
    return { leader: user.username, leaderName: user.display_name };
  });

/** 初信初访, 重复信访 and 越级信访 are derived at intake (rules/petition-kind.ts): a clerk who types one is told so. */
const derived = (name: string) =>
  z.never({ error: `${name} is derived from the petitioner's earlier petitions and the level of the organ the petition is brought to, not typed` }).optional();

const intakeBody = z
  .object({
    caseId: caseId.optional(),
    receivedAt: z.iso.datetime({ offset: true }).optional(),
    channel: z.enum(CHANNEL_CODES),
    regionCode,
    streetCode: regionCode.optional(),
    field: z.string().trim().min(1).max(40).optional(),
    collectiveSize: z.number().int().min(1).max(10_000).default(1),
    summary: z.string().trim().max(2000).optional(),
    /** Unset: the petition office of the registering office's region (domain/jurisdiction-data.ts receivingOffice). */
    receivedBy: z
      .object({ organ: z.string().trim().min(1).max(80), kind: z.enum(['petition-office', 'organ']) })
      .strict()
      .optional(),
    litigationRelated: z.boolean().optional(),
    accusation: z.boolean().optional(),
    /** For an accusation: the accused organ's code, whose users never see the accuser. */
    accusedOrgan: text(40).optional(),
    anonymous: z.boolean().optional(),
    /** Who petitions: stored encrypted apart from analytics, which see only the pseudonym. */
    petitioner: petitionerIdentity.optional(),
    /** A claim the petitioner brought before: refused when that case was concluded on re-review. */
    sameClaimAs: caseId.optional(),
    /** A collective case's representatives (推选代表): at most the pack's representativesMax; sealed like the petitioner's identity. */
    representatives: z.array(text(50)).min(1).max(100).optional(),
    repeatPetition: derived('重复信访 (repeatPetition)'),
    skipLevel: derived('越级信访 (skipLevel)'),
    firstPetition: derived('初信初访 (firstPetition)'),
  })
  .strict();

// One name for the object's id in every path, as the action routes have it.
const caseParams = z.object({ id: caseId }).strict();
const revealBody = z.object({ reason: text(500) }).strict();
const attachmentParams = z.object({ id: caseId, seq: z.string().regex(/^\d{1,3}$/, 'the attachment number, 0 to 999').transform(Number) }).strict();
const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(20),
    /** A node within your jurisdiction (a district or a street); an organ's user narrows its organ's cases to it. */
    region: regionCode.optional(),
    /** true: only the cases with an owed step past its deadline today (China time); false: only the others. */
    overdue: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    stage: z.enum(CASE_STAGES).optional(),
    /** Only the cases whose next owed deadline falls within this many days, soonest first. */
    dueWithin: z
      .string()
      .regex(/^\d{1,2}$/, 'a whole number of days, 0 to 90')
      .transform(Number)
      .pipe(z.number().max(90))
      .optional(),
    /** A case code or petitioner pseudonym, or part of one. */
    q: z.string().trim().min(1).max(40).optional(),
    field: z.string().trim().min(1).max(40).optional(),
    /** An organ's code: the cases it holds or was routed. */
    organ: z.string().trim().min(1).max(40).optional(),
    /** `me`: the cases the logged-in leader owns (包案); a user name: that leader's. */
    leader: z.string().trim().min(1).max(64).optional(),
  })
  .strict()
  .refine((q) => !(q.overdue === true && q.dueWithin !== undefined), { message: 'overdue=true and dueWithin exclude each other: a late case is not due within days', path: ['dueWithin'] });

/** GET /cases/:id: the workflow's state (null for a generated or imported case), the masked petitioner, the event log. */
export interface CaseDetail {
  caseId: string;
  state: CaseState | null;
  petitioner: MaskedIdentity | null;
  petitionerWithheld?: string;
  /** 初信初访, 重复信访 and 越级信访 with their reasons; null while the case has neither a derivation nor a row. */
  petitionKind: CasePetitionKind | null;
  /** The files an online petition came with (网上信访), to download one by one. */
  attachments: ListedAttachment[];
  events: CaseEventRow[];
}

export interface CaseRouteDeps extends WorkflowRouteDeps {
  identityKeys: IdentityKeyRing;
}

/**
 * An accusation's accused organ never learns who accused it (2022 Regulations art. 46(5)): its
 * users get no identity, masked or revealed, whatever their role.
 */
const accusedReader = (state: CaseState | null, p: Principal) => state?.accusation === true && state.accusedOrgan !== undefined && p.organCode === state.accusedOrgan;

export function caseRoutes(api: Api, deps: CaseRouteDeps): void {
  const { store, temporal, taskQueue, jurisdiction, audit, identityKeys, now } = deps;
  const handle = (id: string) => temporal.workflow.getHandle(CASE_WORKFLOW_ID_PREFIX + id);
  const state = (id: string) => queryOrNull(handle(id), caseStateQuery);

  /** Whether `p` registers at a level above the case's region (the city's office for a district's case). */
  const aboveCase = async (p: Principal, caseRegion: string) =>
    p.regionCode !== null && p.regionCode !== caseRegion && (await regionContains(store, p.regionCode, caseRegion));

  /** The case's state and DuckDB row when `p` may see it; null otherwise (the caller answers 404). */
  const visibleCase = async (id: string, p: Principal) => {
    const [workflow, row] = await Promise.all([state(id), caseWhereabouts(store, id)]);
    if (!workflow && !row) return null;
    const organs = [row?.organ_code, workflow?.responsibleOrgan, workflow?.routing?.toOrgan];
    const where = { regionCode: row?.region_code ?? workflow?.regionCode ?? null, streetCode: row?.street_code ?? workflow?.streetCode ?? null, organs };
    return (await visibleTo(store, p, where)) ? { state: workflow, row } : null;
  };

  api.add({ method: 'post', path: '/cases', summary: 'Register a case (登记): its workflow starts', access: 'cases.register', scope: 'region', body: intakeBody, status: 201 }, async ({ req, res, body, principal }) => {
    const { receivedBy, litigationRelated, accusation, accusedOrgan, anonymous, sameClaimAs, petitioner, representatives = [], ...fields } = body;
    if (petitioner && anonymous) throw new HttpError(400, 'an anonymous petition names no petitioner', undefined, 'petitioner');
    if (representatives.length && !petitioner) throw new HttpError(400, 'representatives come with the petitioner, with whom they are revealed: name the petitioner', undefined, 'representatives');
    // A street's office registers the cases of its street: the street is what must lie in its jurisdiction.
    await confineRegion(store, principal, fields.streetCode ?? fields.regionCode);
    const region = await regionNode(store, fields.regionCode);
    if (region?.level !== 'district') throw new HttpError(400, `${fields.regionCode} is not a district of the region hierarchy`, undefined, 'regionCode');
    if (fields.streetCode) {
      const street = await regionNode(store, fields.streetCode);
      if (street?.level !== 'street' || street.parent_code !== fields.regionCode) {
        throw new HttpError(400, `${fields.streetCode} is not a street or township of ${fields.regionCode}`, undefined, 'streetCode');
      }
    }
    if (accusedOrgan && !accusation) throw new HttpError(400, 'accusedOrgan is for an accusation (accusation: true)', undefined, 'accusedOrgan');
    // 2022 art. 22(2) sends an accusation to discipline inspection and its litigation rule a claim
    // in litigation to the political-legal organs: a case flagged both could be routed nowhere.
    if (accusation && litigationRelated) {
      throw new HttpError(400, 'a case is either an accusation (检举控告, routed to discipline inspection) or litigation-related (涉法涉诉, routed to the political-legal organs), not both: register the accusation and the claim as two cases', undefined, 'accusation');
    }
    const receivedAt = fields.receivedAt ? new Date(fields.receivedAt) : now();
    if (receivedAt.getTime() > now().getTime() + 60_000) throw new HttpError(400, 'lies in the future', undefined, 'receivedAt');
    const receivedDate = chinaDateOf(receivedAt);
    try {
      // The first clock is what the workflow computes first: a day no pack or calendar covers is refused here, not there.
      caseDeadline({ jurisdiction, receivedDate, step: 'route', start: receivedDate });
    } catch (error) {
      throw new HttpError(400, `cannot be registered on ${receivedDate}: ${(error as Error).message}`, undefined, 'receivedAt');
    }
    if (sameClaimAs) {
      const prior = await visibleCase(sameClaimAs, principal);
      if (!prior?.state) throw new HttpError(400, `no case ${sameClaimAs}`, undefined, 'sameClaimAs');
      const { routing } = casePlan(jurisdiction, receivedDate);
      const concluded = routing['concluded-after-re-review'];
      if (prior.state.closeReason === 'concluded' && concluded) {
        throw new HttpError(409, `not taken: the same claim was concluded on re-review in case ${sameClaimAs} (${concluded.cite})`);
      }
      // 第十九条第三款: while the accepting organ is within its handling deadline, a level above it does not take the claim again.
      const withinDeadline = routing['accepted-within-deadline'];
      const due = prior.state.deadlines.handle?.due;
      if (withinDeadline && prior.state.stage === 'handling' && due && due >= receivedDate && (await aboveCase(principal, prior.state.regionCode))) {
        throw new HttpError(
          409,
          `not taken: case ${sameClaimAs} was accepted by ${prior.state.responsibleOrgan} and is within its deadline (due ${due}); a higher level does not take it again (${withinDeadline.cite})`,
        );
      }
    }
    if (accusedOrgan && !(await organNamesOf(store, accusedOrgan)).length) throw new HttpError(400, `${accusedOrgan} is not an organ of the registry`, undefined, 'accusedOrgan');
    if (representatives.length) {
      // 2022 art. 20(3): several petitioners with one matter choose representatives, at most as many as the pack says.
      if (fields.collectiveSize < 2) throw new HttpError(400, 'representatives are for a collective case: give collectiveSize, the number of petitioners (2 or more)', undefined, 'representatives');
      if (representatives.length > fields.collectiveSize) throw new HttpError(400, `${representatives.length} representatives for ${fields.collectiveSize} petitioners`, undefined, 'representatives');
      const most = caseRules(jurisdiction, receivedDate).thresholds.representativesMax;
      if (most && representatives.length > most.rule.value) {
        throw new HttpError(400, `at most ${most.rule.value} representatives (${most.from.titleZh} ${most.from.article ?? ''} [${most.from.pack}])`, undefined, 'representatives');
      }
    }
    // Before the identity is sealed: a refused duplicate must leave the vault as it was. A case
    // the store holds without a workflow (imported, generated) is registered as well.
    if (fields.caseId && ((await state(fields.caseId)) || (await caseWhereabouts(store, fields.caseId)))) throw new HttpError(409, `case ${fields.caseId} is already registered`);
    // Sealed before the workflow starts: the workflow and its history carry only the pseudonym.
    const petitionerId = petitioner ? (await sealIdentity(store, identityKeys, petitioner)).petitionerId : null;
    const newCaseId = fields.caseId ?? mintId('XF', receivedDate);
    // Brought to the organ named as receiving it when the registry knows it, else to the registering
    // office's node (a street's office is more exact than the district's petition office it defaults to).
    const offices = [...(receivedBy ? [receivedBy.organ] : []), ...(principal.regionCode ? [principal.regionCode] : [])];
    const nodes = await nodesOf(store, offices);
    const broughtTo = offices.map((o) => nodes.get(o)).find((n) => n !== undefined) ?? null;
    const facts = { caseId: newCaseId, receivedAt: receivedAt.toISOString(), channel: fields.channel, regionCode: fields.regionCode, field: fields.field ?? null, petitionerId, sameClaimAs: sameClaimAs ?? null, broughtTo };
    const kind = await deriveAtIntake(store, facts, now(), (conn) => recordRepresentatives(conn, identityKeys, newCaseId, representatives));
    if (!kind) throw new HttpError(409, `case ${newCaseId} is already registered`);
    const intake: CaseIntake = {
      ...fields,
      ...(petitionerId ? { petitionerId } : {}),
      ...(kind.repeat.value === null ? {} : { repeatPetition: kind.repeat.value }),
      ...(kind.skipLevel.value === null ? {} : { skipLevel: kind.skipLevel.value }),
      jurisdiction,
      caseId: newCaseId,
      receivedAt: facts.receivedAt,
    };
    const input: PetitionCaseInput = {
      intake,
      receivedBy: receivedBy ?? receivingOffice(jurisdiction, principal.regionCode ?? fields.regionCode),
      ...(litigationRelated ? { litigationRelated } : {}),
      ...(accusation ? { accusation } : {}),
      ...(accusedOrgan ? { accusedOrgan } : {}),
      ...(anonymous ? { anonymous } : {}),
    };
    const workflowId = CASE_WORKFLOW_ID_PREFIX + intake.caseId;
    try {
      await startOnce(() => temporal.workflow.start(petitionCaseWorkflow, { workflowId, taskQueue, args: [input] }), `case ${intake.caseId} is already registered`);
    } catch (error) {
      // No case without its workflow: nor its derivation, which would be history to the next petition.
      await forgetPetitionKind(store, intake.caseId);
      await forgetRepresentatives(store, intake.caseId);
      throw error;
    }
    await audit.record(req, principal, { action: 'case.register', outcome: 'ok', status: 201, objectIds: [intake.caseId] });
    res.location(`/api/v1/cases/${intake.caseId}`);
    return { caseId: intake.caseId, workflowId, petitionKind: kind };
  });

  api.add(
    {
      method: 'get',
      path: '/cases',
      summary: 'Cases of your jurisdiction, most recently received first (overdue=true: longest late first), and how many match in all',
      access: 'cases.read',
      scope: 'region',
      query: listQuery,
    },
    async ({ query, principal }) =>
      listCases(store, {
        limit: query.limit,
        today: chinaDateOf(now()),
        scope: await caseScopeOf(store, principal, query.region),
        ...(query.overdue === undefined ? {} : { overdue: query.overdue }),
        ...(query.stage ? { stage: query.stage } : {}),
        ...(query.dueWithin !== undefined ? { dueWithin: query.dueWithin } : {}),
        ...(query.q ? { search: query.q } : {}),
        ...(query.field ? { field: query.field } : {}),
        ...(query.organ ? { organ: query.organ } : {}),
        ...(query.leader ? { leader: query.leader === 'me' ? principal.username : query.leader } : {}),
      }),
  );

  api.add({ method: 'get', path: '/cases/:id', summary: "A case's state, deadlines and events; the petitioner masked", access: 'cases.read', scope: 'case', params: caseParams }, async ({ req, params, principal }) => {
    const found = await visibleCase(params.id, principal);
    if (!found) throw new HttpError(404, `no case ${params.id}`);
    const events = await eventsOfCase(store, params.id);
    const where = found.row;
    const withheld = accusedReader(found.state, principal);
    const petitioner = where?.petitioner_id && !withheld ? await maskedIdentity(store, identityKeys, where.petitioner_id) : null;
    await audit.record(req, principal, { action: 'case.read', outcome: 'ok', status: 200, objectIds: [params.id, ...(where?.petitioner_id ? [where.petitioner_id] : [])] });
    // An online petition's files are the petitioner's material: the accused organ of an accusation gets none (art. 46(5)).
    const attachments = withheld ? [] : await attachmentsOf(store, params.id);
    const detail: CaseDetail = {
      caseId: params.id,
      state: found.state,
      petitioner,
      ...(withheld ? { petitionerWithheld: 'an accusation against your organ: who brought it is not shown' } : {}),
      // Its reasons name the petitioner's other cases: the accused organ does not get them either.
      petitionKind: withheld ? null : await petitionKindOf(store, params.id),
      attachments,
      events,
    };
    return detail;
  });

  api.add(
    { method: 'post', path: '/cases/:id/petitioner/reveal', summary: "Reveal the petitioner's identity, giving a reason (logged)", access: 'identity.reveal', scope: 'case', params: caseParams, body: revealBody },
    async ({ req, params, body, principal }) => {
      const found = await visibleCase(params.id, principal);
      if (!found) throw new HttpError(404, `no case ${params.id}`);
      const where = found.row;
      if (accusedReader(found.state, principal)) {
        await audit.record(req, principal, { action: 'identity.reveal', outcome: 'denied', status: 403, objectIds: [params.id], reason: body.reason });
        throw new HttpError(403, 'an accusation against your organ: who brought it is not yours to know (2022 Regulations art. 46(5))');
      }
      const identity = where?.petitioner_id ? await revealIdentity(store, identityKeys, where.petitioner_id) : null;
      if (!identity || !where?.petitioner_id) throw new HttpError(404, `case ${params.id} names no petitioner`);
      const fields = Object.keys(identity).filter((k) => k !== 'kind');
      // A collective case's representatives (2022 art. 20(3)), named online or at intake, are personal data revealed with the petitioner.
      const representatives = [...(await representativesOf(store, identityKeys, params.id)), ...(await staffRepresentativesOf(store, identityKeys, params.id))];
      await audit.record(req, principal, {
        action: 'identity.reveal',
        outcome: 'ok',
        status: 200,
        objectIds: [params.id, where.petitioner_id],
        personalFields: representatives.length ? [...fields, 'representatives'] : fields,
        reason: body.reason,
      });
      return { caseId: params.id, petitionerId: where.petitioner_id, petitioner: identity, representatives };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/cases/:id/attachments/:seq',
      summary: "One file an online petition came with, as the petitioner sent it (checked against its digest)",
      access: 'cases.read',
      scope: 'case',
      params: attachmentParams,
    },
    async ({ req, res, params, principal }) => {
      const found = await visibleCase(params.id, principal);
      const file = found && !accusedReader(found.state, principal) ? await attachmentContent(store, identityKeys, params.id, params.seq) : null;
      if (!file) throw new HttpError(404, `case ${params.id} has no attachment ${params.seq}`);
      await audit.record(req, principal, { action: 'case.attachment_read', outcome: 'ok', status: 200, objectIds: [params.id], detail: { seq: params.seq, fileName: file.fileName } });
      res
        .status(200)
        .type(file.contentType)
        // Always a download: a file from the public is never rendered in the staff origin.
        .set('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .send(file.content);
      return undefined;
    },
  );

  actionRoutes(api, {
    temporal,
    audit,
    path: '/cases',
    noun: 'case',
    workflowIdPrefix: CASE_WORKFLOW_ID_PREFIX,
    registeredWith: caseStateQuery,
    actions: [
      ...ACTIONS,
      leaderAction(store, async (id) => {
        const s = await state(id);
        return s ? (s.streetCode ?? s.regionCode) : null;
      }),
    ],
    visible: async (id, p) => (await visibleCase(id, p)) !== null,
    closedReason: async (id) => {
      const s = await state(id);
      return s ? `case ${s.caseId} is closed (${s.closeReason ?? 'unknown reason'})` : null;
    },
  });
}
