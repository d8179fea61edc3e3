import type { Refusal } from '../domain/refusals.js';

/** An error the API answers with its own status, a stable code and a message. */
export class HttpError extends Error {
  readonly code: string;
  constructor(
    readonly status: number,
    message: string,
    code?: string,
    /** Where the problem is: a field path, a parameter, or a header. */
    readonly at?: string,
    /** A workflow's coded refusal (domain/refusals.ts), so a client can say it in its user's language. */
    readonly refusal?: Refusal,
  ) {
    super(message);
    this.code = code ?? codeOfStatus(status);
  }
}

const CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  500: 'internal',
  503: 'unavailable',
};

export function codeOfStatus(status: number): string {
  return CODES[status] ?? (status >= 500 ? 'internal' : 'invalid_request');
}
