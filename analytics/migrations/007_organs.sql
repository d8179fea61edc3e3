-- The organ registry: who owes duties and answers in accountability, and where. Duty and
-- accountability measures roll up to districts through it (analytics/metrics/catalog.ts).
CREATE TABLE organs (
  code          VARCHAR PRIMARY KEY,
  name_zh       VARCHAR NOT NULL,
  level         VARCHAR NOT NULL,
  -- The district or city the organ belongs to (regions.code).
  region_code   VARCHAR NOT NULL,
  jurisdiction  VARCHAR NOT NULL
);
