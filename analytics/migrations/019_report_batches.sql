-- Report batches (issue 16): a workflow that generates one kind of report for a region and the
-- regions under it (the city and its districts), started by a Schedule or through the API.
-- The workflow holds the live progress; this record is what lists them, by region, whoever
-- started them and whatever Temporal still keeps. Each report it made is a row of `reports`.
CREATE TABLE report_batches (
  -- The workflow id.
  batch_id       VARCHAR PRIMARY KEY,
  kind           VARCHAR NOT NULL,
  -- The batch's region: its own report and, for a kind reported by district, those of the regions directly under it.
  region_code    VARCHAR NOT NULL,
  -- The period as the reports' parameters name it ({"year": 2025} or {"year": 2025, "quarter": 3}).
  parameters     JSON NOT NULL,
  formats        VARCHAR[] NOT NULL,
  as_of          DATE NOT NULL,
  -- What started it: its Schedule, a user through the API, or a test.
  origin         VARCHAR NOT NULL CHECK (origin IN ('schedule', 'api', 'test')),
  requested_by   VARCHAR NOT NULL,
  requested_role VARCHAR NOT NULL,
  -- Reports to make: one per region and format.
  items          INTEGER NOT NULL,
  started_at     TIMESTAMPTZ NOT NULL,
  -- Set when the workflow ends: every item done, or the wait for a retry of the failed ones over.
  closed_at      TIMESTAMPTZ,
  done           INTEGER,
  failed         INTEGER
);

CREATE INDEX report_batches_region ON report_batches (region_code, started_at);
