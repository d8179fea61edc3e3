-- Categories an imported source keeps beside the mapped fields (a 311 call type, a priority):
-- the mapping declares them (analytics/import/mapping.ts `dimensions`), each case keeps its value,
-- and the metrics break cases down and filter them by `src:<dimension>`. The declaration says
-- which mapping and source column a dimension came from, so a breakdown names its origin.
CREATE TABLE source_dimensions (
  dimension      VARCHAR PRIMARY KEY,
  label_zh       VARCHAR NOT NULL,
  label_en       VARCHAR NOT NULL,
  mapping        VARCHAR NOT NULL,
  source_column  VARCHAR NOT NULL,
  declared_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE case_source_dimensions (
  case_id    VARCHAR NOT NULL,
  dimension  VARCHAR NOT NULL,
  value      VARCHAR NOT NULL,
  PRIMARY KEY (case_id, dimension)
);
