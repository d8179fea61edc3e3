/**
 * Every error the API answers is JSON `{ error: MESSAGE, code: CODE, problems?: [{ at, problem }] }`
 * with a stable code; nothing of a stack trace, SQL or file path reaches a client (it goes to
 * the log).
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { z } from 'zod';
import { toWire, type WireRefusal } from '../domain/refusals.js';
import { codeOfStatus, HttpError } from './http-error.js';

export interface ApiError {
  code: string;
  message: string;
  problems?: { at: string; problem: string }[];
  refusal?: WireRefusal;
}

export function sendError(res: Response, status: number, error: ApiError): void {
  const { message, ...rest } = error;
  res.status(status).json({ error: message, ...rest });
}

/** body-parser's errors carry a `type`; each is the client's fault and gets its own status. */
const PARSER_ERRORS: Record<string, { status: number; code: string; message: (e: { limit?: number; charset?: string; encoding?: string }) => string }> = {
  'entity.too.large': { status: 413, code: 'payload_too_large', message: (e) => `the request body is larger than this route takes (${e.limit ?? '?'} bytes)` },
  'charset.unsupported': { status: 415, code: 'unsupported_media_type', message: (e) => `charset ${e.charset ?? ''} is not supported; send UTF-8` },
  'encoding.unsupported': { status: 415, code: 'unsupported_media_type', message: (e) => `content-encoding ${e.encoding ?? ''} is not supported` },
  'entity.parse.failed': { status: 400, code: 'malformed_json', message: () => 'the request body is not valid JSON' },
  'entity.verify.failed': { status: 400, code: 'invalid_request', message: () => 'the request body was refused' },
  'request.aborted': { status: 400, code: 'invalid_request', message: () => 'the request was aborted' },
  'request.size.invalid': { status: 400, code: 'invalid_request', message: () => 'the request body does not match its content-length' },
  'stream.encoding.set': { status: 500, code: 'internal', message: () => 'internal error' },
};

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** A Temporal call that failed because the service could not be reached (not a refusal by a workflow). */
export function temporalUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown; name?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED) return true;
  }
  return false;
}

export function errorHandler(log: (line: string) => void = (l) => console.error(l)): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, _next) => {
    if (res.headersSent) return;
    if (error instanceof z.ZodError) {
      sendError(res, 400, {
        code: 'invalid_request',
        message: 'invalid request',
        problems: error.issues.map((i) => ({ at: i.path.join('.') || '(body)', problem: i.message })),
      });
      return;
    }
    if (error instanceof HttpError) {
      sendError(res, error.status, {
        code: error.code,
        message: error.message,
        ...(error.at ? { problems: [{ at: error.at, problem: error.message }] } : {}),
        ...(error.refusal ? { refusal: toWire(error.refusal) } : {}),
      });
      return;
    }
    const typed = error as { type?: unknown; status?: unknown; limit?: number; charset?: string; encoding?: string };
    const parser = typeof typed.type === 'string' && Object.hasOwn(PARSER_ERRORS, typed.type) ? PARSER_ERRORS[typed.type] : undefined;
    if (parser && parser.status < 500) {
      sendError(res, parser.status, { code: parser.code, message: parser.message(typed) });
      return;
    }
    // Express's router refuses a path it cannot percent-decode with a 400 of its own; zlib's
    // errors on a bad gzip body carry 400 too. Any other 4xx an underlying layer set is kept.
    if (typeof typed.status === 'number' && typed.status >= 400 && typed.status < 500) {
      const message = error instanceof URIError || /decode/i.test(String((error as Error).message)) ? 'the path holds an invalid percent-encoding' : 'the request could not be read';
      sendError(res, typed.status, { code: codeOfStatus(typed.status), message });
      return;
    }
    if (temporalUnavailable(error)) {
      log(`[xinfang] ${req.method} ${req.originalUrl}: Temporal unavailable: ${(error as Error).message}`);
      sendError(res, 503, { code: 'unavailable', message: 'the workflow service (Temporal) is not answering: case actions are refused and nothing was changed; read-only figures still answer' });
      return;
    }
    if (error instanceof URIError) {
      sendError(res, 400, { code: 'invalid_request', message: 'the request holds an invalid percent-encoding' });
      return;
    }
    log(`[xinfang] ${req.method} ${req.originalUrl}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    sendError(res, 500, { code: 'internal', message: 'internal error; see the server log' });
  };
}
