import type { PlainDate } from '../../rules/plain-date.js';
import type { Level } from './config.js';
import type { Severity } from './severity.js';

export const ALERT_KINDS = ['count-aberration', 'collective-growth', 'petitioner-escalation', 'organ-rate-rise', 'organ-presses', 'space-time-cluster'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** What a signal found in one week, before de-duplication against earlier weeks' alerts. */
export interface AlertCandidate {
  kind: AlertKind;
  method: string;
  level: Level;
  regionCode: string;
  field: string | null;
  channel: string | null;
  petitionClass: string | null;
  /** An organ, a petitioner's pseudonym, the districts of a cluster: what the alert is about beyond its region. */
  subject: string | null;
  /** Monday of the week. */
  week: PlainDate;
  observed: number | null;
  expected: number | null;
  upperbound: number | null;
  pValue: number | null;
  /** The signal's own severity, before any sensitive period. */
  baseSeverity: Severity;
  detail: Record<string, unknown>;
}

/** Per-signal bookkeeping a scan reports. */
export interface SignalStats {
  /** Series (or matters, organs, petitioners, fields) looked at. */
  scanned: number;
  /** Those too sparse (or too short) to test, by reason. */
  skipped: number;
  skippedBy?: Record<string, number>;
  ms: number;
  notes?: string[];
}

export interface SignalResult {
  candidates: AlertCandidate[];
  stats: SignalStats;
}

/**
 * Two weeks' candidates with the same key are the same alert (if close enough in time): the
 * method counts for count series, where two detectors on one series are two opinions, and is
 * constant for the other kinds.
 */
export function dedupKey(c: Pick<AlertCandidate, 'kind' | 'method' | 'level' | 'regionCode' | 'field' | 'channel' | 'petitionClass' | 'subject'>): string {
  const subject = c.kind === 'space-time-cluster' ? '' : (c.subject ?? '');
  return [c.kind, c.method, c.level, c.regionCode, c.field ?? '*', c.channel ?? '*', c.petitionClass ?? '*', subject].join('|');
}
