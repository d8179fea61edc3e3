/**
 * Who may do what (DOMAIN §10: a user sees only the jurisdiction and cases their role allows).
 * Written once, as data: the server checks every route against it, the dashboard shows what it
 * grants, and the tests generate their authorisation matrix from it.
 */
export const PERMISSIONS = {
  'cases.read': 'read cases of the jurisdiction (or organ): state, deadlines, events',
  'cases.register': 'register a case (登记)',
  'cases.act': 'take the case actions: route, accept, extend, reply, review steps',
  'identity.reveal': "reveal a petitioner's identity, giving a reason (logged)",
  'metrics.read': 'read metrics, rankings, the annual dataset and the petition index',
  'imports.write': 'upload data for import',
  'duties.read': 'read the periodic duties and their findings',
  'duties.evidence': 'record evidence of a periodic duty',
  'accountability.read': 'read accountability cases (责任追究)',
  'accountability.decide': 'open accountability cases and take the ladder’s decisions',
  'accountability.rectify': 'submit a rectification',
  'recommendations.read': 'read recommendations (三项建议)',
  'recommendations.issue': 'issue a recommendation',
  'recommendations.feedback': "give the organ's feedback on a recommendation",
  'disputes.read': 'read screened disputes (矛盾纠纷)',
  'disputes.write': 'record and resolve screened disputes',
  'alerts.read': 'read early-warning alerts',
  'alerts.decide': 'acknowledge or dismiss alerts',
  'scans.start': 'start an early-warning scan',
  'users.manage': 'create, disable and reset users',
  'audit.read': 'read and verify the audit log',
  'sql.console': 'run read-only SQL over the analytics views of your jurisdiction',
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_IDS = Object.keys(PERMISSIONS) as Permission[];

/** A user holds a role for one node of the region hierarchy or for one organ. */
export type ScopeKind = 'region' | 'organ';

export interface RoleDefinition {
  labelZh: string;
  labelEn: string;
  scope: ScopeKind;
  permissions: readonly Permission[];
}

const READ_WORK: Permission[] = ['duties.read', 'accountability.read', 'recommendations.read', 'disputes.read', 'alerts.read'];

export const ROLES = {
  admin: {
    labelZh: '系统管理员',
    labelEn: 'administrator',
    scope: 'region',
    permissions: ['users.manage', 'audit.read', 'imports.write'],
  },
  leader: {
    labelZh: '领导',
    labelEn: 'leader',
    scope: 'region',
    permissions: ['cases.read', 'identity.reveal', 'metrics.read', ...READ_WORK, 'alerts.decide', 'scans.start', 'accountability.decide'],
  },
  // Research centre (信访矛盾分析研究中心): figures, never a person.
  analyst: {
    labelZh: '分析研究人员',
    labelEn: 'analyst',
    scope: 'region',
    permissions: ['metrics.read', 'duties.read', 'recommendations.read', 'disputes.read', 'alerts.read', 'alerts.decide', 'scans.start', 'sql.console'],
  },
  clerk: {
    labelZh: '信访部门办理人员',
    labelEn: 'petition-office clerk',
    scope: 'region',
    permissions: [
      'cases.read', 'cases.register', 'cases.act', 'identity.reveal', 'duties.read', 'duties.evidence', 'recommendations.read',
      'recommendations.issue', 'disputes.read', 'disputes.write', 'alerts.read', 'alerts.decide', 'accountability.read', 'accountability.rectify',
    ],
  },
  officer: {
    labelZh: '承办单位工作人员',
    labelEn: 'handling-organ officer',
    scope: 'organ',
    permissions: ['cases.read', 'cases.act', 'recommendations.read', 'recommendations.feedback', 'accountability.read', 'accountability.rectify'],
  },
  inspector: {
    labelZh: '督查人员',
    labelEn: 'inspector',
    scope: 'region',
    permissions: ['cases.read', 'metrics.read', ...READ_WORK, 'audit.read'],
  },
} as const satisfies Record<string, RoleDefinition>;

export type Role = keyof typeof ROLES;
export const ROLE_IDS = Object.keys(ROLES) as Role[];

export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLES, value);
}

export function roleAllows(role: Role, permission: Permission): boolean {
  return (ROLES[role].permissions as readonly Permission[]).includes(permission);
}

/**
 * The authenticated user behind a request, as the server hands it to the data layer: every
 * read is confined to `regionCode`'s subtree or to `organCode`'s cases.
 */
export interface Principal {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  jurisdiction: string;
  /** The node of the region hierarchy the role is held for (region-scoped roles). */
  regionCode: string | null;
  /** The organ the role is held for (organ-scoped roles). */
  organCode: string | null;
  /** How the request was authenticated; a token never carries more rights than its creator. */
  via: 'session' | 'token';
}

/** What the audit log and the workflows record of who acted. */
export function scopeLabel(p: Pick<Principal, 'regionCode' | 'organCode'>): string {
  return p.organCode ? `organ:${p.organCode}` : `region:${p.regionCode ?? ''}`;
}
