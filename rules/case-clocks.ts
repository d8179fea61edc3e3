/**
 * The legal clocks of a petition case (DOMAIN §4), as data: each carries the length, the
 * day basis and the article that imposes it. Only the routing clock exists so far; the
 * policy packs (issue 3) replace this module with versioned, composable packs.
 */
export type DayBasis = 'calendar' | 'working';

export interface RuleSource {
  /** Policy pack that states the rule. */
  pack: string;
  document: string;
  article: string;
}

export interface CaseClock {
  step: string;
  labelZh: string;
  days: number;
  basis: DayBasis;
  /** What starts the clock. */
  from: 'receipt' | 'acceptance' | 'reply' | 'request';
  source: RuleSource;
}

/** 登记转送交办: a petition office registers and routes a case within 15 days of receipt. */
export const routeClock: CaseClock = {
  step: 'route',
  labelZh: '登记转送交办',
  days: 15,
  basis: 'calendar',
  from: 'receipt',
  source: { pack: 'regulations-2022', document: '信访工作条例 (2022)', article: '第二十二条' },
};
