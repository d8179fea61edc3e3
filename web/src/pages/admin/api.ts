/** The calls the administration page makes: users, roles, the audit log, imports and the data's coverage. */
import type { AuditOutcome, AuditRecord, AuditVerification } from '../../../../analytics/audit-log.js';
import type { PERMISSIONS, ROLES } from '../../../../domain/roles.js';
import type { BatchQuarantine, DataCoverage, ImportBatch } from '../../../../server/admin-routes.js';
import type { ListedUser } from '../../../../server/identity/routes.js';
import { query, request } from '../../api.js';

export type { AuditOutcome, AuditRecord, AuditVerification, BatchQuarantine, DataCoverage, ImportBatch, ListedUser };
export type Roles = { roles: typeof ROLES; permissions: typeof PERMISSIONS };
export type RoleId = keyof typeof ROLES;

export interface NewUser {
  username: string;
  displayName: string;
  role: RoleId;
  regionCode?: string;
  organCode?: string;
  password: string;
}
/** A reset's answer: the user, and the password when the server made it (shown once). */
export type ResetAnswer = Omit<ListedUser, 'lastLoginAt'> & { password?: string; note?: string };

/** GET /audit's filters as the page keeps them in its URL (analytics/audit-log.ts auditFilter); dates are China days. */
export interface AuditQuery {
  user?: string;
  action?: string;
  object?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
  limit: number;
}

const user = (username: string) => `/users/${encodeURIComponent(username)}`;

export const adminApi = {
  users: () => request<{ users: ListedUser[] }>('/users'),
  roles: () => request<Roles>('/roles'),
  createUser: (u: NewUser) => request<Omit<ListedUser, 'lastLoginAt'>>('/users', 'POST', u),
  setEnabled: (username: string, enabled: boolean) => request<Omit<ListedUser, 'lastLoginAt'>>(`${user(username)}/${enabled ? 'enable' : 'disable'}`, 'POST'),
  resetPassword: (username: string, password: string | null) => request<ResetAnswer>(`${user(username)}/password`, 'POST', password === null ? {} : { password }),
  audit: (filter: AuditQuery) => request<{ entries: AuditRecord[] }>(`/audit?${query({ ...filter })}`),
  verifyAudit: () => request<AuditVerification>('/audit/verify'),
  imports: () => request<{ imports: ImportBatch[] }>('/imports'),
  quarantine: (batchId: string, offset: number, limit: number) => request<BatchQuarantine>(`/imports/${encodeURIComponent(batchId)}/quarantine?${query({ offset, limit })}`),
  coverage: () => request<DataCoverage>('/data/coverage'),
};
