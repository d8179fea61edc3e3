/**
 * Organs that owe periodic duties, with their level (rules/pack.ts ORGAN_LEVELS) and region.
 * The default set is Beijing's city leadership, petition office, 16 district leaderships and
 * a few city departments; the data issue's organ registry replaces it.
 */
import { BEIJING_DISTRICTS } from './regions.js';

export type OrganLevel = 'city' | 'district' | 'city-department' | 'district-department' | 'street-township' | 'petition-office';

export interface Organ {
  code: string;
  nameZh: string;
  level: OrganLevel;
  regionCode: string;
}

export const BEIJING_ORGANS: readonly Organ[] = [
  { code: 'BJ', nameZh: '北京市委、市政府', level: 'city', regionCode: '110000' },
  { code: 'BJ-XFB', nameZh: '北京市信访办', level: 'petition-office', regionCode: '110000' },
  { code: 'BJ-RSJ', nameZh: '北京市人力资源和社会保障局', level: 'city-department', regionCode: '110000' },
  { code: 'BJ-ZJW', nameZh: '北京市住房和城乡建设委员会', level: 'city-department', regionCode: '110000' },
  { code: 'BJ-JW', nameZh: '北京市教育委员会', level: 'city-department', regionCode: '110000' },
  ...BEIJING_DISTRICTS.map((d): Organ => ({ code: `D${d.code}`, nameZh: `${d.nameZh}委、区政府`, level: 'district', regionCode: d.code })),
];

export function organByCode(code: string): Organ | undefined {
  return BEIJING_ORGANS.find((o) => o.code === code);
}
