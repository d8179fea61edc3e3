/**
 * Beijing's 16 districts, the default jurisdiction, with their GB/T 2260 codes and resident
 * population in ten-thousands (Seventh National Census, November 2020, rounded; used to size
 * the demo data). The full region hierarchy arrives with the data issue.
 */
export interface Region {
  code: string;
  nameZh: string;
  nameEn: string;
  population10k: number;
}

export const BEIJING_DISTRICTS: readonly Region[] = [
  { code: '110101', nameZh: '东城区', nameEn: 'Dongcheng', population10k: 70.9 },
  { code: '110102', nameZh: '西城区', nameEn: 'Xicheng', population10k: 110.6 },
  { code: '110105', nameZh: '朝阳区', nameEn: 'Chaoyang', population10k: 345.2 },
  { code: '110106', nameZh: '丰台区', nameEn: 'Fengtai', population10k: 201.9 },
  { code: '110107', nameZh: '石景山区', nameEn: 'Shijingshan', population10k: 56.8 },
  { code: '110108', nameZh: '海淀区', nameEn: 'Haidian', population10k: 313.3 },
  { code: '110109', nameZh: '门头沟区', nameEn: 'Mentougou', population10k: 39.3 },
  { code: '110111', nameZh: '房山区', nameEn: 'Fangshan', population10k: 131.3 },
  { code: '110112', nameZh: '通州区', nameEn: 'Tongzhou', population10k: 184.0 },
  { code: '110113', nameZh: '顺义区', nameEn: 'Shunyi', population10k: 132.4 },
  { code: '110114', nameZh: '昌平区', nameEn: 'Changping', population10k: 226.9 },
  { code: '110115', nameZh: '大兴区', nameEn: 'Daxing', population10k: 199.4 },
  { code: '110116', nameZh: '怀柔区', nameEn: 'Huairou', population10k: 44.1 },
  { code: '110117', nameZh: '平谷区', nameEn: 'Pinggu', population10k: 45.7 },
  { code: '110118', nameZh: '密云区', nameEn: 'Miyun', population10k: 52.8 },
  { code: '110119', nameZh: '延庆区', nameEn: 'Yanqing', population10k: 34.6 },
];

export function isKnownRegion(code: string): boolean {
  return BEIJING_DISTRICTS.some((r) => r.code === code);
}
