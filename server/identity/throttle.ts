/**
 * Login throttling per user name and per client: after a few failures each further attempt
 * must wait twice as long as the one before (1 s, 2 s, 4 s … up to 15 minutes). The user name
 * is throttled whether or not it exists, so the throttle does not tell which names are real.
 */
export interface ThrottleOptions {
  /** Failures a user name may have before delays start. */
  freeFailures: number;
  /**
   * The same for a client address: higher, since an office's staff may share one address behind
   * its gateway, and one user's typos must not lock out the rest.
   */
  clientFreeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { freeFailures: 3, clientFreeFailures: 20, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000 };

/** The throttle's keys for one login attempt. */
export const throttleKeys = (username: string, client: string) => [`user:${username.toLowerCase()}`, `client:${client}`];

interface Failures {
  count: number;
  last: number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Milliseconds the caller must still wait before trying any of `keys`; 0 when it may try now. */
  waitMs(keys: readonly string[], now = Date.now()): number {
    return Math.max(0, ...keys.map((k) => this.readyAt(k) - now));
  }

  fail(keys: readonly string[], now = Date.now()): void {
    this.prune(now);
    for (const k of keys) {
      const f = this.failures.get(k);
      this.failures.set(k, { count: (f?.count ?? 0) + 1, last: now });
    }
  }

  succeed(keys: readonly string[]): void {
    for (const k of keys) this.failures.delete(k);
  }

  private delay(key: string, count: number): number {
    const over = count - (key.startsWith('client:') ? this.options.clientFreeFailures : this.options.freeFailures);
    return over < 0 ? 0 : Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** over);
  }

  private readyAt(key: string): number {
    const f = this.failures.get(key);
    return f ? f.last + this.delay(key, f.count) : 0;
  }

  // Bounded memory: an entry whose delay has long passed tells nothing any more.
  private prune(now: number): void {
    if (this.failures.size < 10_000) return;
    for (const [k, f] of this.failures) if (now - f.last > this.options.maxDelayMs * 2) this.failures.delete(k);
  }
}
