/**
 * Screened disputes (矛盾纠纷排查化解) over HTTP: record one found by screening, record its
 * resolution once, list a region's year. Records kept by the office, without a workflow: the
 * store refuses what the record's state does not allow (a second resolution, a resolution
 * dated before the screening). A dispute outside the caller's jurisdiction answers 404, as
 * one that does not exist.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { DisputeError, getDispute, listDisputes, recordDispute, resolveDispute, type DisputeRow } from '../analytics/dispute-log.js';
import { FIELDS } from '../domain/case.js';
import type { Principal } from '../domain/roles.js';
import { chinaDateOf } from '../rules/plain-date.js';
import type { Api } from './api.js';
import { HttpError } from './http-error.js';
import { confineRegion, regionNode, visibleTo } from './scope.js';
import { idSchema as id, pastDate, regionCode as code, requiredText as text, yearQuery } from './validation.js';
import { actorOf, mintId, type RouteDeps } from './workflow-routes.js';

export type DisputeRouteDeps = RouteDeps;

/** GET /disputes: the year's disputes, totals and resolution rate. */
export type DisputeList = Awaited<ReturnType<typeof listDisputes>> & {
  region: string;
  year: number;
  resolutionRate: { numerator: number; denominator: number; rate: number | null; measure: 'dispute_resolution_rate' };
};

const idParams = z.object({ id }).strict();

export function disputeRoutes(api: Api, deps: DisputeRouteDeps): void {
  const { store, jurisdiction, audit } = deps;
  const today = () => chinaDateOf(deps.now());
  const recordBody = z
    .object({
      disputeId: id.optional(),
      regionCode: code,
      streetCode: code.optional(),
      field: z.enum(FIELDS).optional(),
      screenedDate: pastDate(today).optional(),
      caseId: id.optional(),
      summary: text(2000).optional(),
    })
    .strict();
  const resolveBody = z.object({ date: pastDate(today).optional(), note: text(2000).optional() }).strict();

  const visibleDispute = async (disputeId: string, p: Principal): Promise<DisputeRow | null> => {
    const row = await getDispute(store, disputeId);
    if (!row) return null;
    return (await visibleTo(store, p, { regionCode: row.region_code, streetCode: row.street_code })) ? row : null;
  };
  /** The store's refusal as the API's answer; the decision, taken or refused, goes to the audit log. */
  const decided = async <T>(req: Request, p: Principal, action: string, disputeId: string, status: number, work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      await audit.record(req, p, { action, outcome: 'ok', status, objectIds: [disputeId] });
      return result;
    } catch (error) {
      if (!(error instanceof DisputeError)) throw error;
      await audit.record(req, p, { action, outcome: 'denied', status: error.status, objectIds: [disputeId], detail: { refused: error.message } });
      throw new HttpError(error.status, error.message);
    }
  };

  api.add(
    { method: 'post', path: '/disputes', summary: 'Record a dispute found by screening (矛盾纠纷排查)', access: 'disputes.write', scope: 'region', body: recordBody, status: 201 },
    async ({ req, res, body, principal }) => {
      const district = await regionNode(store, body.regionCode);
      if (district?.level !== 'district') throw new HttpError(400, `regionCode: ${body.regionCode} is not a district of the region hierarchy`);
      if (body.streetCode) {
        const street = await regionNode(store, body.streetCode);
        if (street?.level !== 'street') throw new HttpError(400, `streetCode: ${body.streetCode} is not a street or township of the region hierarchy`);
        if (street.parent_code !== body.regionCode) {
          throw new HttpError(400, `streetCode: ${body.streetCode} lies in ${street.parent_code}, not in ${body.regionCode}`);
        }
      }
      // A street's office records its own street's disputes: the most specific node is confined.
      await confineRegion(store, principal, body.streetCode ?? body.regionCode);
      const screenedDate = body.screenedDate ?? today();
      const disputeId = body.disputeId ?? mintId('DS', screenedDate);
      await decided(req, principal, 'dispute.record', disputeId, 201, () =>
        recordDispute(
          store,
          {
            disputeId,
            jurisdiction,
            regionCode: body.regionCode,
            screenedDate,
            recordedBy: actorOf(principal),
            ...(body.streetCode ? { streetCode: body.streetCode } : {}),
            ...(body.field ? { field: body.field } : {}),
            ...(body.caseId ? { caseId: body.caseId } : {}),
            ...(body.summary ? { summary: body.summary } : {}),
          },
          'workflow',
        ),
      );
      res.location(`/api/v1/disputes/${disputeId}`);
      return getDispute(store, disputeId);
    },
  );

  api.add(
    { method: 'get', path: '/disputes', summary: "A year's screened disputes of a region (yours unless one under it is given), with totals", access: 'disputes.read', scope: 'region', query: yearQuery(today) },
    async ({ query, principal }) => {
      const region = await confineRegion(store, principal, query.region);
      const listed = await listDisputes(store, { region, year: query.year, limit: query.limit });
      const { resolved, screened } = listed.totals;
      // 矛盾纠纷排查化解率 as the metrics define it: of those screened in the year, the share resolved.
      const answer: DisputeList = { region, year: query.year, ...listed, resolutionRate: { numerator: resolved, denominator: screened, rate: screened ? resolved / screened : null, measure: 'dispute_resolution_rate' } };
      return answer;
    },
  );

  api.add({ method: 'get', path: '/disputes/:id', summary: 'A screened dispute and its resolution', access: 'disputes.read', scope: 'case', params: idParams }, async ({ params, principal }) => {
    const found = await visibleDispute(params.id, principal);
    if (!found) throw new HttpError(404, `no dispute ${params.id}`);
    return found;
  });

  api.add(
    { method: 'post', path: '/disputes/:id/resolve', summary: "Record the dispute's resolution, once", access: 'disputes.write', scope: 'case', params: idParams, body: resolveBody },
    async ({ req, params, body, principal }) => {
      if (!(await visibleDispute(params.id, principal))) throw new HttpError(404, `no dispute ${params.id}`);
      const resolution = { actor: actorOf(principal), date: body.date ?? today(), ...(body.note ? { note: body.note } : {}) };
      return decided(req, principal, 'dispute.resolve', params.id, 200, () => resolveDispute(store, params.id, resolution));
    },
  );
}
