/**
 * A SQL condition that `column` lies in `$region`'s subtree: the node itself, a child or a
 * grandchild (city → district → street), as server/scope.ts regionContains decides it. The
 * region is always bound as `$region`.
 */
export const inRegionSubtree = (column: string): string => `(${column} = $region OR ${column} IN (
  SELECT r.code FROM regions r LEFT JOIN regions p ON p.code = r.parent_code WHERE r.parent_code = $region OR p.parent_code = $region))`;
