-- Bookkeeping of the rollups of the case measures (analytics/metrics/rollups.ts). The rollup
-- tables and their horizons are created from the catalog when the store opens: their columns
-- are the catalog's measures, so a changed catalog rebuilds them instead of needing a
-- migration of its own.

-- The definition the rollups were built from.
CREATE TABLE rollup_state (
  definition VARCHAR NOT NULL,
  rebuilt_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- Months of a date basis in which some case changed since its rollup rows were built: queries
-- read them from case_facts until refreshRollups rebuilds them.
CREATE TABLE rollup_dirty (
  basis VARCHAR NOT NULL,
  month DATE NOT NULL
);
