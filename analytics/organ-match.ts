/**
 * The organ a record names. Records name an organ by its registry code, its name or one of its
 * aliases (migration 021: abbreviations, the full official name), so every query that finds a
 * record's organ in the registry joins through this one relation rather than matching codes or
 * names itself.
 *
 * A code wins over a name and a name over an alias; as for the import's resolver
 * (analytics/import/organ-names.ts), a form two organs share (at the same rank) names neither: a
 * registry file never has one, but the table may keep organs of another jurisdiction or of an
 * earlier file. One row per form, so a join never counts a record twice.
 */

/** The organs table with `named`: one row per form a record may name an organ by. */
const ORGANS_BY_NAME = `(SELECT * EXCLUDE (name_rank) FROM (
    SELECT o.*, unnest([o.code, o.name_zh] || coalesce(o.aliases, [])) AS named,
           unnest([0, 1] || list_transform(coalesce(o.aliases, []), a -> 2)) AS name_rank
      FROM organs o)
  QUALIFY name_rank = min(name_rank) OVER (PARTITION BY named) AND count(*) OVER (PARTITION BY named, name_rank) = 1)`;

/**
 * A join's right side and condition: the organs table as `alias`, on the organ that the SQL
 * expression `named` names by code, name or alias. Used as `LEFT JOIN ${organNamed('o', 'a.organ')}`;
 * `alias` has every column of `organs`.
 */
export const organNamed = (alias: string, named: string): string => `${ORGANS_BY_NAME} ${alias} ON ${alias}.named = (${named})`;
