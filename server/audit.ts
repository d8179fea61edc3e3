/**
 * The server's side of the audit log (analytics/audit-log.ts): who did what, to which objects,
 * which personal fields were read, from where and why. Every login, failed login, user change,
 * read of personal data and business decision comes through here.
 */
import type { Request } from 'express';
import { appendAudit } from '../analytics/audit-log.js';
import type { AnalyticsStore } from '../analytics/store.js';
import { scopeLabel, type Principal } from '../domain/roles.js';
import { API_PREFIX } from './api.js';

export interface AuditFact {
  action: string;
  outcome: 'ok' | 'denied' | 'failed';
  status: number;
  objectIds?: string[];
  personalFields?: string[];
  reason?: string;
  detail?: Record<string, unknown>;
}

export interface Auditor {
  record(req: Request, principal: Principal | null, fact: AuditFact): Promise<void>;
}

export function auditor(store: AnalyticsStore, now: () => Date): Auditor {
  return {
    async record(req, principal, fact) {
      const path = typeof req.route?.path === 'string' ? req.route.path : req.path;
      await appendAudit(store, {
        at: now(),
        userId: principal?.userId ?? null,
        username: principal?.username ?? null,
        role: principal?.role ?? null,
        scope: principal ? scopeLabel(principal) : null,
        action: fact.action,
        route: `${req.method} ${API_PREFIX}${path}`,
        objectIds: fact.objectIds ?? [],
        personalFields: fact.personalFields ?? [],
        outcome: fact.outcome,
        status: fact.status,
        client: req.ip ?? null,
        reason: fact.reason ?? null,
        detail: fact.detail ?? null,
      });
    },
  };
}
