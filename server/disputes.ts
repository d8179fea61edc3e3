/**
 * Screened disputes (矛盾纠纷排查化解) over HTTP: record one found by screening, record its
 * resolution once, list a region's year. Records kept by the office, without a workflow: the
 * store refuses what the record's state does not allow (a second resolution, a resolution
 * dated before the screening).
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { DisputeError, getDispute, listDisputes, recordDispute, resolveDispute } from '../analytics/dispute-log.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { FIELDS } from '../domain/case.js';
import { chinaDateOf } from '../rules/plain-date.js';
import { HttpError } from './http-error.js';
import { idSchema as id, requiredText as text } from './validation.js';

const regionRow = z.object({ code: z.string(), level: z.string(), parent_code: z.string().nullable() });

/** A region of the hierarchy kept in DuckDB (Beijing's at start-up, another's with its import). */
export async function regionNode(store: AnalyticsStore, code: string) {
  const [row] = await store.all(regionRow, 'SELECT code, level, parent_code FROM regions WHERE code = $1', [code]);
  return row ?? null;
}

const code = z.string().regex(/^[0-9A-Za-z]{1,32}$/, 'a region code such as 110105');

/** A China date, not after today. */
export const pastDate = (today: () => string) =>
  z.iso.date().refine((d) => d <= today(), { message: 'lies in the future (China time)' });

/** `?region=&year=&limit=`: region optional (all), year defaulting to this one (China time). */
export const yearQuery = (today: () => string) =>
  z
    .object({
      region: code.optional(),
      year: z.coerce.number().int().min(2000).max(2100).default(() => Number(today().slice(0, 4))),
      limit: z.coerce.number().int().min(1).max(5000).default(500),
    })
    .strict();

export function disputeRoutes(deps: { store: AnalyticsStore; jurisdiction: string; now: () => Date }): Router {
  const { store, jurisdiction } = deps;
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
      actor: text(80),
    })
    .strict();
  const resolveBody = z.object({ actor: text(80), date: pastDate(today).optional(), note: text(2000).optional() }).strict();
  const answer = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DisputeError) throw new HttpError(error.status, error.message);
      throw error;
    }
  };

  const router = Router();
  router.post('/api/disputes', async (req, res) => {
    const body = recordBody.parse(req.body);
    const district = await regionNode(store, body.regionCode);
    if (district?.level !== 'district') throw new HttpError(400, `regionCode: ${body.regionCode} is not a district of the region hierarchy`);
    if (body.streetCode) {
      const street = await regionNode(store, body.streetCode);
      if (street?.level !== 'street') throw new HttpError(400, `streetCode: ${body.streetCode} is not a street or township of the region hierarchy`);
      if (street.parent_code !== body.regionCode) {
        throw new HttpError(400, `streetCode: ${body.streetCode} lies in ${street.parent_code}, not in ${body.regionCode}`);
      }
    }
    const screenedDate = body.screenedDate ?? today();
    const disputeId = body.disputeId ?? `DS-${screenedDate.replaceAll('-', '')}-${randomBytes(4).toString('hex').toUpperCase()}`;
    await answer(() =>
      recordDispute(
        store,
        {
          disputeId,
          jurisdiction,
          regionCode: body.regionCode,
          screenedDate,
          recordedBy: body.actor,
          ...(body.streetCode ? { streetCode: body.streetCode } : {}),
          ...(body.field ? { field: body.field } : {}),
          ...(body.caseId ? { caseId: body.caseId } : {}),
          ...(body.summary ? { summary: body.summary } : {}),
        },
        'workflow',
      ),
    );
    res.status(201).location(`/api/disputes/${disputeId}`).json(await getDispute(store, disputeId));
  });

  router.get('/api/disputes', async (req, res) => {
    const q = yearQuery(today).parse(req.query);
    res.json({ region: q.region ?? null, year: q.year, ...(await listDisputes(store, { region: q.region ?? null, year: q.year, limit: q.limit })) });
  });

  router.get('/api/disputes/:id', async (req, res) => {
    const found = await getDispute(store, id.parse(req.params.id));
    if (!found) throw new HttpError(404, `no dispute ${req.params.id}`);
    res.json(found);
  });

  router.post('/api/disputes/:id/resolve', async (req, res) => {
    const disputeId = id.parse(req.params.id);
    const body = resolveBody.parse(req.body ?? {});
    const resolution = { actor: body.actor, date: body.date ?? today(), ...(body.note ? { note: body.note } : {}) };
    res.json(await answer(() => resolveDispute(store, disputeId, resolution)));
  });
  return router;
}
