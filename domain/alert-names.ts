/** An alert's kind, severity and status as people read them ([中文, English]): the warnings page and the quarterly analysis name them alike. */
export const ALERT_KINDS: Record<string, [string, string]> = {
  'count-aberration': ['数量异常', 'count aberration'],
  'collective-growth': ['集体访增长', 'collective growth'],
  'petitioner-escalation': ['信访人越级上行', 'petitioner escalation'],
  'organ-rate-rise': ['机关比率上升', 'organ rate rise'],
  'organ-presses': ['机关被催办增多', 'presses on an organ rising'],
  'space-time-cluster': ['时空聚集', 'space-time cluster'],
};
export const ALERT_SEVERITIES = { info: ['提示', 'info'], warning: ['警告', 'warning'], serious: ['严重', 'serious'] } as const satisfies Record<string, [string, string]>;
export const ALERT_STATUSES = { open: ['待处理', 'open'], acknowledged: ['已确认', 'acknowledged'], dismissed: ['已驳回', 'dismissed'] } as const satisfies Record<string, [string, string]>;
