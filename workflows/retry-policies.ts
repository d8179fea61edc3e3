/**
 * How every activity a workflow calls is timed out and retried, named for the kind of work:
 * two workflows doing the same kind of work (writing their log, planning a due date) retry
 * alike. Replay does not compare these options (only commands and activity types), so a
 * change here is safe for workflows already running; it applies from their next attempt.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

/** Errors of the rules that will not fix themselves: a bad pack, an action the rules refuse, bad input to the deadline engine. */
const RULE_ERRORS = ['PackError', 'RuleViolation', 'RangeError'];

/**
 * Writing a workflow's events to DuckDB. No attempt limit: the log must end up complete, so an
 * outage of the store only delays it. From a second, doubling to a minute: a brief lock clears
 * at the first retry, and after a long outage the log catches up within a minute. 30 s for a
 * write of a few rows, with room for a busy machine.
 */
export const RECORDING: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
};

/**
 * Reading the rules in force from the packs (a ladder and who answers, a duty): local and in
 * memory, so 10 s is ample. A broken pack or refused rule fails the workflow at once and
 * visibly, for an operator to fix; anything else gets three attempts in all.
 */
export const PACK_PLANNING: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 3, nonRetryableErrorTypes: RULE_ERRORS },
};

/**
 * Computing a due date on China's calendar (a case's clocks, a recommendation's feedback, a
 * rectification). A date in a year whose holidays are not published yet waits, retrying with no
 * attempt limit, until an operator adds the year to the calendar override file; then the
 * workflow resumes by itself. From a minute, doubling to six hours: a fix is picked up within
 * hours at most, at a few workflow tasks a day per waiting workflow. Backoffs longer than the
 * minute of `localRetryThreshold` become durable timers, so the wait survives restarts. Rule
 * errors fail at once, as in PACK_PLANNING.
 */
export const DUE_DATE_PLANNING: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '1 minute',
  retry: { initialInterval: '1 minute', backoffCoefficient: 2, maximumInterval: '6 hours', nonRetryableErrorTypes: RULE_ERRORS },
};

/**
 * The early-warning scan: seconds on the largest dataset, 15 minutes leave room for a busy
 * machine. The scan writes in one transaction, so a retry finds its own earlier work; five
 * attempts within about three minutes ride out a restart of the store, and then the run fails
 * visibly (next week's Schedule, or a user, starts another). A bad request or a database
 * without regions (ScanError) fails at once.
 */
export const EARLY_WARNING_SCAN: ActivityOptions = {
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 5, nonRetryableErrorTypes: ['ScanError'] },
};

/**
 * The rollups' refresh: a second or two for a day's changes on 10M cases, 10 minutes leave
 * room for a busy machine. Five attempts within about three minutes, then it gives up: the
 * Schedule starts it every five minutes, and the dirty months wait for the next run (queries
 * stay exact meanwhile).
 */
export const ROLLUP_REFRESH: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 5 },
};

/**
 * Generating one report of a batch (workflows/report-batch.ts): the dataset, the document, its
 * rendering and the stored bytes. Seconds for HTML and Word, a Chromium launch for a PDF; 10
 * minutes leave room for the largest dataset on a busy machine. Four attempts within about
 * four minutes (30 s, 1 min, 2 min) ride out a Chromium that crashed or a busy store; a machine
 * without Chromium or its fonts (RenderingUnavailable) is retried alike, and once the attempts
 * are spent the item waits, failed, for a user's retry after the operator has installed them.
 * A request the schema or the metrics layer refuses fails at once.
 */
export const REPORT_GENERATION: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '2 minutes', maximumAttempts: 4, nonRetryableErrorTypes: ['InvalidReportRequest', 'MetricsError'] },
};
