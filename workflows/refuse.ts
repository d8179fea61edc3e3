import { ApplicationFailure } from '@temporalio/common';
import { REFUSAL_FAILURE, refusalIn, type RefusalCode, type Refusal } from '../domain/refusals.js';

/**
 * Refuses an update in its validator (the reason reaches the caller and nothing changes) with
 * a refusal of domain/refusals.ts: the message is its English text, the details carry the code
 * and parameters so the dashboard can say it in the user's language.
 */
export function refuseFor<C extends RefusalCode>(code: C, params: Refusal<C>['params']): never {
  const refusal = { code, params } as Refusal;
  throw ApplicationFailure.create({ type: REFUSAL_FAILURE, message: refusalIn(refusal, 'en'), details: [refusal], nonRetryable: true });
}
