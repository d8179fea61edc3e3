/** Schemas shared by the API's routes. */
import { z } from 'zod';
import { regionCode } from '../analytics/metrics/request.js';
import { parsePlainDate } from '../rules/plain-date.js';

/** A case or accountability-case id: it becomes part of a Temporal workflow id. */
export const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, at most 64');

/** Non-empty text after trimming, at most `max` characters. */
export const requiredText = (max: number) => z.string().trim().min(1).max(max);

/** A node of the region hierarchy: the city, a district or a street (the metrics' own schema, so API and CLI agree). */
export { regionCode };

const FIRST_DATE = '2000-01-01';
const LAST_DATE = '2100-12-31';

/**
 * A date of the record. The calendar ISO format alone lets year 0000 through, which DuckDB
 * keeps as 0001-01-01 BC; nothing the office records lies outside these years, and the
 * calendars and packs cover none of them.
 */
export const boundedDate = z.iso
  .date()
  .refine((d) => d >= FIRST_DATE && d <= LAST_DATE, { message: `lies outside ${FIRST_DATE}..${LAST_DATE}` })
  .transform(parsePlainDate);

/** A China date, not after today. */
export const pastDate = (today: () => string) => boundedDate.refine((d) => d <= today(), { message: 'lies in the future (China time)' });

/** `?region=&year=&limit=`: region optional (the caller's own node), year defaulting to this one (China time). */
export const yearQuery = (today: () => string) =>
  z
    .object({
      region: regionCode.optional(),
      year: z.coerce.number().int().min(2000).max(2100).default(() => Number(today().slice(0, 4))),
      limit: z.coerce.number().int().min(1).max(5000).default(500),
    })
    .strict();
