/** Schemas shared by the API's routes. */
import { z } from 'zod';

/** A case or accountability-case id: it becomes part of a Temporal workflow id. */
export const idSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - and _, at most 64');

/** Non-empty text after trimming, at most `max` characters. */
export const requiredText = (max: number) => z.string().trim().min(1).max(max);
