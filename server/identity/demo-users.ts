/**
 * With demo data, one user per role and level of the jurisdiction, so each view can be tried:
 * the city's, a district's and one of its streets', and officers of organs that hold cases.
 * They are drawn from the jurisdiction's data (domain/jurisdiction-data.ts): by default its most
 * populous district and that district's first street, the first city department and the
 * district's first department of its organ registry, named by their codes; a jurisdiction may
 * name its own picks and words (Beijing's below, as its demo users have always been).
 * Their password is XINFANG_DEMO_PASSWORD, else one generated on the first start and kept in
 * the data directory (mode 0600), so it stays the same across restarts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnalyticsStore } from '../../analytics/store.js';
import { jurisdictionData, type JurisdictionData } from '../../domain/jurisdiction-data.js';
import type { Organ, OrganLevel } from '../../domain/organs.js';
import { streetsOf, type RegionNode } from '../../domain/region-hierarchy.js';
import type { Role } from '../../domain/roles.js';
import { passwordProblem } from './passwords.js';
import { createUser, findUser, usernameSchema } from './users.js';

export interface DemoUser {
  username: string;
  displayName: string;
  role: Role;
  regionCode?: string;
  organCode?: string;
}

/** The places below the city whose users end their names with `-<id>`. */
type NamedPlace = 'district' | 'street' | 'cityDepartment' | 'districtDepartment';
/** The places display names begin with. */
type LabelledPlace = NamedPlace | 'city' | 'cityOffice' | 'districtOffice';

/**
 * Where a jurisdiction's demo users sit, when it names them rather than take the defaults. The
 * district's officer holds the district's leadership; the departments' officers their department.
 */
interface DemoRoster {
  /** Region codes: a district, and a street of it. */
  district: string;
  street: string;
  /** Organ codes: a city department, and a department of the district. */
  cityDepartment: string;
  districtDepartment: string;
  /** What follows `role-` in the user names (by default the region's code, the organ's in lower case). */
  ids: Record<NamedPlace, string>;
  /** The words display names begin with where not the place's own name (nameZh). */
  labels?: Partial<Record<LabelledPlace, string>>;
}

/**
 * Beijing: Chaoyang (110105), its Jianwai street (110105001), the education commission, and
 * Chaoyang's housing and urban-rural development commission, the district department the demo
 * data gives the most cases (城乡建设, the heaviest field, analytics/generator/calibration.ts).
 */
const BEIJING_ROSTER: DemoRoster = {
  district: '110105',
  street: '110105001',
  cityDepartment: 'BJ-JW',
  districtDepartment: 'D110105-ZJW',
  ids: { district: 'chaoyang', street: 'jianwai', cityDepartment: 'education', districtDepartment: 'chaoyang-housing' },
  labels: { city: '市', cityOffice: '市信访办', cityDepartment: '市教委' },
};

const ROSTERS: Readonly<Record<string, DemoRoster>> = { beijing: BEIJING_ROSTER };

export class DemoUsersError extends Error {
  override name = 'DemoUsersError';
}

interface Seats {
  city: RegionNode;
  district: RegionNode;
  street: RegionNode | undefined;
  cityOffice: Organ;
  districtOffice: Organ;
  districtLeadership: Organ;
  cityDepartment: Organ;
  districtDepartment: Organ | undefined;
}

/** The demo users of a jurisdiction, from its data: its roster when it has one, else the defaults. */
export function demoUsersOf(data: JurisdictionData): DemoUser[] {
  const roster = ROSTERS[data.jurisdiction];
  const seats = roster ? rosterSeats(data, roster) : defaultSeats(data);
  const ids: Record<NamedPlace, string | undefined> = roster?.ids ?? {
    district: seats.district.code,
    street: seats.street?.code,
    cityDepartment: seats.cityDepartment.code.toLowerCase(),
    districtDepartment: seats.districtDepartment?.code.toLowerCase(),
  };
  const label = (place: LabelledPlace, own: string) => roster?.labels?.[place] ?? own;
  const city = label('city', seats.city.nameZh);
  const district = label('district', seats.district.nameZh);
  const street = seats.street && label('street', seats.street.nameZh);
  const at = (region: RegionNode) => ({ regionCode: region.code });
  const users: Array<DemoUser | false | undefined> = [
    { username: 'admin', displayName: '系统管理员', role: 'admin', ...at(seats.city) },
    { username: 'leader', displayName: `${city}领导`, role: 'leader', ...at(seats.city) },
    { username: `leader-${ids.district}`, displayName: `${district}领导`, role: 'leader', ...at(seats.district) },
    seats.street && { username: `leader-${ids.street}`, displayName: `${street}领导`, role: 'leader', ...at(seats.street) },
    { username: 'analyst', displayName: `${city}信访矛盾分析研究中心`, role: 'analyst', ...at(seats.city) },
    { username: `analyst-${ids.district}`, displayName: `${district}分析员`, role: 'analyst', ...at(seats.district) },
    { username: 'clerk', displayName: `${label('cityOffice', seats.cityOffice.nameZh)}办理人员`, role: 'clerk', ...at(seats.city) },
    { username: `clerk-${ids.district}`, displayName: `${label('districtOffice', seats.districtOffice.nameZh)}办理人员`, role: 'clerk', ...at(seats.district) },
    seats.street && { username: `clerk-${ids.street}`, displayName: `${street}信访办办理人员`, role: 'clerk', ...at(seats.street) },
    { username: `officer-${ids.cityDepartment}`, displayName: `${label('cityDepartment', seats.cityDepartment.nameZh)}承办人`, role: 'officer', organCode: seats.cityDepartment.code },
    { username: `officer-${ids.district}`, displayName: `${district}承办人`, role: 'officer', organCode: seats.districtLeadership.code },
    seats.districtDepartment && {
      username: `officer-${ids.districtDepartment}`,
      displayName: `${label('districtDepartment', seats.districtDepartment.nameZh)}承办人`,
      role: 'officer',
      organCode: seats.districtDepartment.code,
    },
    { username: 'inspector', displayName: `${city}督查人员`, role: 'inspector', ...at(seats.city) },
    { username: `inspector-${ids.district}`, displayName: `${district}督查人员`, role: 'inspector', ...at(seats.district) },
  ];
  const chosen = users.filter((u): u is DemoUser => !!u);
  const seen = new Set<string>();
  for (const u of chosen) {
    const problem = usernameSchema.safeParse(u.username).error?.issues[0]?.message;
    if (problem) throw new DemoUsersError(`${data.jurisdiction}: demo user name ${u.username}: ${problem}`);
    if (seen.has(u.username)) throw new DemoUsersError(`${data.jurisdiction}: demo user name ${u.username} is given twice`);
    seen.add(u.username);
  }
  return chosen;
}

/** The defaults: the most populous district (the first of equals), its first street, the first departments. */
function defaultSeats(data: JurisdictionData): Seats {
  const district = data.districts.reduce<RegionNode | undefined>((best, d) => (best === undefined || (d.population10k ?? -1) > (best.population10k ?? -1) ? d : best), undefined);
  if (!district) throw new DemoUsersError(`${data.jurisdiction}: its region hierarchy has no district for the demo users`);
  const cityDepartment = data.organs.organs.find((o) => o.level === 'city-department');
  if (!cityDepartment) throw new DemoUsersError(`${data.jurisdiction}: its organ registry has no city department for the demo officer`);
  return {
    ...seatsOf(data, district),
    street: streetsOf(data.regions, district.code)[0],
    cityDepartment,
    districtDepartment: data.organs.organs.find((o) => o.level === 'district-department' && o.regionCode === district.code),
  };
}

/** A roster's picks, each checked against the data: a code that is not there, or not of its kind, is refused. */
function rosterSeats(data: JurisdictionData, roster: DemoRoster): Seats {
  const where = `${data.jurisdiction}'s demo users`;
  const district = data.districts.find((d) => d.code === roster.district);
  if (!district) throw new DemoUsersError(`${where}: district ${roster.district} is not a district of its region hierarchy`);
  const street = streetsOf(data.regions, district.code).find((s) => s.code === roster.street);
  if (!street) throw new DemoUsersError(`${where}: street ${roster.street} is not a street of district ${district.code}`);
  const organ = (code: string, level: OrganLevel, regionCode: string) => {
    const found = data.organs.byCode(code);
    if (found?.level !== level || found.regionCode !== regionCode) throw new DemoUsersError(`${where}: ${code} is not a ${level} organ of ${regionCode} in its organ registry`);
    return found;
  };
  return {
    ...seatsOf(data, district),
    street,
    cityDepartment: organ(roster.cityDepartment, 'city-department', data.city.code),
    districtDepartment: organ(roster.districtDepartment, 'district-department', district.code),
  };
}

/** The city, the district, and the organs every registry gives them (domain/organs.ts). */
function seatsOf(data: JurisdictionData, district: RegionNode): Pick<Seats, 'city' | 'district' | 'cityOffice' | 'districtOffice' | 'districtLeadership'> {
  const organ = (level: OrganLevel, regionCode: string) => {
    const found = data.organs.organs.find((o) => o.level === level && o.regionCode === regionCode);
    if (!found) throw new DemoUsersError(`${data.jurisdiction}: its organ registry has no ${level} organ of ${regionCode}`);
    return found;
  };
  return {
    city: data.city,
    district,
    cityOffice: organ('petition-office', data.city.code),
    districtOffice: organ('petition-office', district.code),
    districtLeadership: organ('district', district.code),
  };
}

/** Beijing's demo users (the tests' and the default jurisdiction's). */
export const BEIJING_DEMO_USERS: readonly DemoUser[] = demoUsersOf(jurisdictionData('beijing'));

export function demoPassword(dataDir: string, given: string | undefined): string {
  if (given !== undefined) {
    const problem = passwordProblem(given);
    if (problem) throw new Error(`XINFANG_DEMO_PASSWORD: ${problem}`);
    return given;
  }
  const file = join(dataDir, 'demo-password');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(9).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}

/** Creates the demo users that do not exist yet; returns every demo user name. */
export async function ensureDemoUsers(store: AnalyticsStore, jurisdiction: string, password: string, users: readonly DemoUser[]): Promise<string[]> {
  for (const u of users) {
    if (!(await findUser(store, u.username))) await createUser(store, { ...u, jurisdiction, password });
  }
  return users.map((u) => u.username);
}
