/**
 * What the route files share about workflows: minting ids, starting a workflow once, reading a
 * workflow's state or nothing, and the action routes (one route per workflow update, the body
 * validated against the update's argument type, the acting user recorded from the login).
 */
import { randomBytes } from 'node:crypto';
import {
  QueryNotRegisteredError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure, type QueryDefinition, type UpdateDefinition } from '@temporalio/common';
import { isRefusalCode, REFUSAL_FAILURE, type Refusal } from '../domain/refusals.js';
import { z } from 'zod';
import { scopeLabel, type Permission, type Principal } from '../domain/roles.js';
import type { AnalyticsStore } from '../analytics/store.js';
import type { PlainDate } from '../rules/plain-date.js';
import type { Api } from './api.js';
import type { Auditor } from './audit.js';
import { HttpError } from './http-error.js';
import { idSchema } from './validation.js';

/** What every route module of the office's records is given. */
export interface RouteDeps {
  store: AnalyticsStore;
  /** Whose policy packs govern what the routes record. */
  jurisdiction: string;
  audit: Auditor;
  now: () => Date;
}

/** …and those whose records are workflows. */
export interface WorkflowRouteDeps extends RouteDeps {
  temporal: Client;
  taskQueue: string;
}

/** `PREFIX-YYYYMMDD-HEX`: readable by day, unguessable within it. */
export function mintId(prefix: string, day: PlainDate, bytes = 4): string {
  return `${prefix}-${day.replaceAll('-', '')}-${randomBytes(bytes).toString('hex').toUpperCase()}`;
}

/** Who acted, as the workflows and event logs record it: name, user name, role, scope and user id. */
export function actorOf(p: Principal): string {
  return `${p.displayName} (${p.username}; ${p.role}; ${scopeLabel(p)}; ${p.userId})`;
}

export async function startOnce(start: () => Promise<unknown>, exists: string): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) throw new HttpError(409, exists);
    throw error;
  }
}

/** The workflow's answer to `query` (also after it closed), or null when there is no such workflow. */
/** How long a read waits for a workflow started a moment ago to register its queries. */
const FIRST_TASK_WAIT_MS = 30_000;

export async function queryOrNull<T>(handle: WorkflowHandle, query: QueryDefinition<T, []>): Promise<T | null> {
  const giveUp = Date.now() + FIRST_TASK_WAIT_MS;
  for (let pause = 100; ; pause = Math.min(pause * 2, 2_000)) {
    try {
      return await handle.query(query);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      // A workflow registers its queries in its first task, which a worker busy with a start-up's
      // hundreds of duty periods may not have run yet: the case is there, its state a moment away.
      if (!(error instanceof QueryNotRegisteredError)) throw error;
      if (Date.now() >= giveUp) throw new HttpError(503, `${handle.workflowId} has not run its first step yet; try again shortly`, 'unavailable');
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/** An update's wire body: what the caller sends; the server adds who acted. */
type Wire<B> = B extends { actor: string } ? Omit<B, 'actor'> : B;

/** A business action: a workflow update, the body it takes, and who may take it. */
export interface Action {
  update: UpdateDefinition<unknown, [never]>;
  body: z.ZodType;
  access: Permission;
  summary: string;
  /** Turns the validated body into the update's argument when the store must be read for it (a name for a code). */
  prepare?: (body: never, principal: Principal, id: string) => Promise<object>;
}
export const action = <State, Body, Sent = Wire<Body>>(
  update: UpdateDefinition<State, [Body]>,
  body: z.ZodType<Sent>,
  access: Permission,
  summary: string,
  ...prepare: Sent extends Wire<Body> ? [] : [(sent: Sent, principal: Principal, id: string) => Promise<Wire<Body>>]
): Action => ({
  update: update as unknown as UpdateDefinition<unknown, [never]>,
  body,
  access,
  summary,
  ...(prepare[0] ? { prepare: prepare[0] as unknown as Action['prepare'] } : {}),
});

const idParams = z.object({ id: idSchema }).strict();

/** The coded refusal a workflow validator threw (workflows/refuse.ts), when it was one. */
export function refusalOf(cause: Error | undefined): Refusal | undefined {
  if (!(cause instanceof ApplicationFailure) || cause.type !== REFUSAL_FAILURE) return undefined;
  const [refusal] = cause.details ?? [];
  const parsed = refusalSchema.safeParse(refusal);
  return parsed.success && isRefusalCode(parsed.data.code) ? (parsed.data as Refusal) : undefined;
}
const refusalSchema = z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])) });

/**
 * `POST {path}/:id/{update name}` for each action on workflows `{workflowIdPrefix}{id}`. The
 * object must be visible to the caller (else 404, as if it did not exist); a refusal by the
 * workflow comes back as 409 with its reason, a closed workflow as 409 with `closedReason`.
 */
export function actionRoutes(
  api: Api,
  options: {
    temporal: Client;
    audit: Auditor;
    path: string;
    /** What the id names, for messages ("case"). */
    noun: string;
    workflowIdPrefix: string;
    /**
     * A query the workflow registers together with its update handlers. An update that reaches a
     * workflow before its first task has registered them is rejected ("no registered handler"),
     * so an action sent a moment after the start asks this first, which waits for that task.
     */
    registeredWith: QueryDefinition<unknown, []>;
    actions: readonly Action[];
    visible: (id: string, principal: Principal) => Promise<boolean>;
    closedReason: (id: string) => Promise<string | null>;
  },
): void {
  const { temporal, audit, path, noun, workflowIdPrefix, registeredWith, actions, visible, closedReason } = options;
  for (const spec of actions) {
    const name = spec.update.name;
    api.add(
      { method: 'post', path: `${path}/:id/${name}`, summary: spec.summary, access: spec.access, scope: 'case', params: idParams, body: spec.body },
      async ({ req, params, body, principal }) => {
        if (!(await visible(params.id, principal))) throw new HttpError(404, `no ${noun} ${params.id}`);
        const handle = temporal.workflow.getHandle(workflowIdPrefix + params.id);
        const sent = spec.prepare ? await spec.prepare(body as never, principal, params.id) : (body as object);
        const args = { ...sent, actor: actorOf(principal) } as never;
        try {
          await queryOrNull(handle, registeredWith);
          const result = await handle.executeUpdate(spec.update, { args: [args] });
          await audit.record(req, principal, { action: `${noun.replaceAll(' ', '_')}.${name}`, outcome: 'ok', status: 200, objectIds: [params.id] });
          return result;
        } catch (error) {
          if (error instanceof WorkflowUpdateFailedError) {
            const refusal = refusalOf(error.cause);
            await audit.record(req, principal, { action: `${noun.replaceAll(' ', '_')}.${name}`, outcome: 'denied', status: 409, objectIds: [params.id], detail: { refused: error.cause?.message ?? error.message } });
            throw new HttpError(409, `${name} refused: ${error.cause?.message ?? error.message}`, undefined, undefined, refusal);
          }
          if (error instanceof WorkflowNotFoundError) {
            const closed = await closedReason(params.id);
            throw closed ? new HttpError(409, `${name} refused: ${closed}`) : new HttpError(404, `no ${noun} ${params.id}`);
          }
          throw error;
        }
      },
    );
  }
}
