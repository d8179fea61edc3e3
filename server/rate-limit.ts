/**
 * A token bucket per caller for the routes that cost real work (metrics over the whole case
 * history, the annual dataset, the index, scans, imports, the audit chain's check): a user or a
 * script may burst, then gets `perMinute`; past that, 429 with the seconds to wait.
 */
export interface RateLimit {
  burst: number;
  perMinute: number;
}

/** Generous for a person at the dashboard (a page asks about ten of these); a runaway script meets it. */
export const DEFAULT_EXPENSIVE_LIMIT: RateLimit = { burst: 120, perMinute: 240 };

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly limit: RateLimit) {}

  /** 0 when `key` may go ahead (and is charged one), else the milliseconds until it may. */
  take(key: string, now = Date.now()): number {
    const rate = this.limit.perMinute / 60_000;
    const held = this.buckets.get(key);
    const tokens = Math.min(this.limit.burst, (held ? held.tokens + (now - held.at) * rate : this.limit.burst));
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.ceil((1 - tokens) / rate);
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 10_000) this.forgetFull(now);
    return 0;
  }

  // Bounded memory: a bucket that has refilled tells nothing.
  private forgetFull(now: number): void {
    const rate = this.limit.perMinute / 60_000;
    for (const [key, b] of this.buckets) if (b.tokens + (now - b.at) * rate >= this.limit.burst) this.buckets.delete(key);
  }
}
