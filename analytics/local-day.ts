/**
 * SQL: the day of the instant `ts` in the zone of the jurisdiction the column `jurisdiction`
 * names (jurisdiction_zones), China's when none is recorded: migration 024's macro local_day,
 * which keeps China's fixed offset fast. A module of its own, importing nothing, because the
 * metrics catalog builds its relations with it as it loads.
 */
export const localDay = (ts: string, jurisdiction: string): string =>
  `local_day(${ts}, (SELECT z.time_zone FROM jurisdiction_zones z WHERE z.jurisdiction = ${jurisdiction}))`;
