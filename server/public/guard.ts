/**
 * Bounds on guessing a case's verification code: look-ups are rate-limited per client and per
 * case code, and a case code locks after a few wrong codes, for a while, whether or not a case of
 * that code exists (so the lock tells nothing). Lock-outs are kept in DuckDB: a restart does not
 * hand a guesser a fresh set of tries.
 */
import { z } from 'zod';
import type { AnalyticsStore } from '../../analytics/store.js';
import { RateLimiter, type RateLimit } from '../rate-limit.js';

export interface LookupLimits {
  /** Look-ups one client address may make. */
  client: RateLimit;
  /** Look-ups of one case code, from any client (a guesser spread over many addresses). */
  caseCode: RateLimit;
  /** Wrong codes in a row before the case code locks. */
  failuresBeforeLock: number;
  lockMs: number;
}

/** A petitioner who mistypes twice is not slowed; a guesser gets 5 tries per 15 minutes of a 2^59 space. */
export const DEFAULT_LOOKUP_LIMITS: LookupLimits = {
  client: { burst: 20, perMinute: 10 },
  caseCode: { burst: 10, perMinute: 5 },
  failuresBeforeLock: 5,
  lockMs: 15 * 60_000,
};

export type Admission = { ok: true } | { ok: false; why: 'rate' | 'locked'; retryMs: number };

const lockRow = z.object({ locked_until: z.string().nullable() });

export class LookupGuard {
  private readonly clients: RateLimiter;
  private readonly codes: RateLimiter;

  constructor(
    private readonly store: AnalyticsStore,
    private readonly limits: LookupLimits,
    private readonly now: () => Date,
  ) {
    this.clients = new RateLimiter(limits.client);
    this.codes = new RateLimiter(limits.caseCode);
  }

  /** Whether a look-up of `caseCode` from `client` may be tried now; charges the rate limits. */
  async admit(client: string, caseCode: string): Promise<Admission> {
    const at = this.now().getTime();
    const wait = Math.max(this.clients.take(`client:${client}`, at), this.codes.take(`case:${caseCode}`, at));
    if (wait > 0) return { ok: false, why: 'rate', retryMs: wait };
    const [row] = await this.store.all(lockRow, "SELECT strftime(timezone('UTC', locked_until), '%Y-%m-%dT%H:%M:%S.%gZ') AS locked_until FROM open_lockouts WHERE case_code = $code", { code: caseCode });
    const until = row?.locked_until ? Date.parse(row.locked_until) : 0;
    return until > at ? { ok: false, why: 'locked', retryMs: until - at } : { ok: true };
  }

  /** A wrong code (or an unknown case code): counted; the count locks the case code once it is reached. */
  async failed(caseCode: string): Promise<void> {
    const at = this.now();
    const forgetBefore = new Date(at.getTime() - this.limits.lockMs).toISOString();
    const lockUntil = new Date(at.getTime() + this.limits.lockMs).toISOString();
    await this.store.serially('open-lockouts', async () => {
      // Failures older than a lock's length are forgotten, and a lock that ended starts the count again.
      await this.store.run(
        `INSERT INTO open_lockouts AS l (case_code, failures, last_failure, locked_until) VALUES ($code, 1, $at::TIMESTAMPTZ, NULL)
         ON CONFLICT (case_code) DO UPDATE SET
           failures = CASE WHEN l.last_failure < $forget::TIMESTAMPTZ OR l.locked_until IS NOT NULL THEN 1 ELSE l.failures + 1 END,
           last_failure = excluded.last_failure,
           locked_until = NULL`,
        { code: caseCode, at: at.toISOString(), forget: forgetBefore },
      );
      await this.store.run('UPDATE open_lockouts SET locked_until = $until::TIMESTAMPTZ WHERE case_code = $code AND failures >= $max', {
        code: caseCode,
        until: lockUntil,
        max: this.limits.failuresBeforeLock,
      });
      // Bounded table: a code not tried for a day and not locked tells nothing any more.
      await this.store.run("DELETE FROM open_lockouts WHERE last_failure < $at::TIMESTAMPTZ - INTERVAL 1 DAY AND (locked_until IS NULL OR locked_until < $at::TIMESTAMPTZ)", { at: at.toISOString() });
    });
  }

  async succeeded(caseCode: string): Promise<void> {
    await this.store.serially('open-lockouts', () => this.store.run('DELETE FROM open_lockouts WHERE case_code = $code', { code: caseCode }));
  }
}
