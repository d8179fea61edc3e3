/**
 * The OpenAPI 3.1 document, generated from the route table's own zod schemas (zod's JSON
 * Schema output is draft 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import { PERMISSIONS } from '../domain/roles.js';
import { API_PREFIX, type RouteSpec } from './api.js';

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

/** `/cases/:id` → `/cases/{id}` */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z]\w*)/g, '{$1}');

function parameters(spec: RouteSpec) {
  const out: Record<string, unknown>[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query]] as const) {
    if (!schema) continue;
    const s = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: property });
    }
  }
  return out;
}

const errorSchema = {
  type: 'object',
  required: ['error', 'code'],
  properties: {
    error: { type: 'string', description: 'what is wrong' },
    code: { type: 'string', description: 'a stable code: invalid_request, malformed_json, unauthenticated, login_failed, forbidden, outside_jurisdiction, csrf, not_found, conflict, payload_too_large, unsupported_media_type, too_many_requests, unavailable, internal; for the identity provider oidc_not_configured, oidc_failed, oidc_no_role, oidc_claims_invalid, oidc_username_taken, user_disabled' },
    problems: { type: 'array', items: { type: 'object', properties: { at: { type: 'string' }, problem: { type: 'string' } } } },
  },
};

export function openApiDocument(routes: readonly RouteSpec[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = `${API_PREFIX}${openApiPath(spec.path)}`;
    const access = spec.access === 'public' ? 'no login' : spec.access === 'user' ? 'any logged-in user' : `permission ${spec.access}: ${PERMISSIONS[spec.access]}`;
    (paths[path] ??= {})[spec.method] = {
      summary: spec.summary,
      description: `Access: ${access}. Scope: ${spec.scope}.${spec.expensive ? ' Rate-limited per caller (429 with Retry-After).' : ''}`,
      'x-access': spec.access,
      'x-scope': spec.scope,
      ...(spec.expensive ? { 'x-rate-limited': true } : {}),
      ...(spec.access === 'public' ? { security: [] } : {}),
      parameters: parameters(spec),
      ...(spec.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } }
        : spec.rawBody
          ? { requestBody: { required: true, content: { [spec.rawBody]: { schema: { type: 'string', format: 'binary' } } } } }
          : {}),
      responses: {
        [String(spec.status ?? 200)]: { description: 'success', content: { 'application/json': {} } },
        default: { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Xinfang Watch 信访责任制监测平台 API', version: '1' },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { bearer: [] }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'xw_session', description: 'set by POST /api/v1/session; writes also send X-CSRF-Token' },
        bearer: { type: 'http', scheme: 'bearer', description: 'an API token from POST /api/v1/tokens' },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}
