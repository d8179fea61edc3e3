/**
 * The CLI talks to the running system over its API: the server process owns the DuckDB
 * file (one writer at a time). It authenticates with an API token of its user, from
 * XINFANG_TOKEN (create one in the dashboard, through POST /api/v1/tokens, or with
 * `xinfang users token NAME` while the system is stopped).
 */
import { UsageError } from './command.js';

export const DEFAULT_URL = `http://127.0.0.1:${process.env.PORT ?? 3000}`;

export async function callApi(base: string, path: string, init?: { method: string; body?: unknown }): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(new URL(path, base), {
      method: init?.method ?? 'GET',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(process.env.XINFANG_TOKEN ? { authorization: `Bearer ${process.env.XINFANG_TOKEN}` } : {}),
      },
      ...(init?.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch (error) {
    throw new UsageError(`cannot reach Xinfang Watch at ${base} (${(error as Error).message}); is \`npm start\` running? (--url)`);
  }
  if (response.status === 401 && !process.env.XINFANG_TOKEN) {
    throw new UsageError(`the API at ${base} needs a login: set XINFANG_TOKEN to an API token (see \`xinfang users --help\`)`);
  }
  return { status: response.status, body: await response.json() };
}

/** Prints a successful body as JSON; turns an error answer into the one-line reason. */
export function printOrFail({ status, body }: { status: number; body: unknown }): number {
  if (status >= 400) {
    const { error, problems } = body as { error?: string; problems?: { at: string; problem: string }[] };
    const detail = problems?.map((p) => `${p.at}: ${p.problem}`).join('; ');
    throw new UsageError(detail ? `${error}: ${detail}` : (error ?? `HTTP ${status}`));
  }
  process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  return 0;
}
