/**
 * The generator's draws and day numbers, shared by the cases (generate.ts) and the office's
 * records (records.ts): one seeded PRNG per stream, so every machine draws the same data.
 */
import type { PlainDate } from '../../rules/plain-date.js';

/** Small seeded PRNG (mulberry32): fast, and identical on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function cumulative(weights: readonly number[]): Float64Array {
  const total = weights.reduce((a, b) => a + b, 0);
  const out = new Float64Array(weights.length);
  let acc = 0;
  weights.forEach((w, i) => (out[i] = acc += w / total));
  return out;
}

export function pick(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u < cum[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Days since 1970-01-01 of a calendar date, and back: integers are cheap to memoise and store. */
export const dayIndex = (d: PlainDate) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
export const dateOfIndex = (i: number) => new Date(i * 86_400_000).toISOString().slice(0, 10) as PlainDate;
