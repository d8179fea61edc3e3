-- Generated reports (issue 16): each rendering kept with what made it, so it can be
-- downloaded again byte for byte. Rows are only ever added; a re-run of the same report is a
-- new version beside the old one.
CREATE TABLE reports (
  report_id      VARCHAR PRIMARY KEY,
  -- 'annual' (2022 Regulations art. 41); later kinds add no column.
  kind           VARCHAR NOT NULL,
  -- The region the report is of: a caller reads the reports of its jurisdiction.
  region_code    VARCHAR NOT NULL,
  -- The request as given after validation ({"year": 2025, "region": "110105"}).
  parameters     JSON NOT NULL,
  as_of          DATE NOT NULL,
  format         VARCHAR NOT NULL CHECK (format IN ('html', 'pdf', 'docx')),
  -- 1 for the first rendering of this kind, parameters, as-of date and format, then 2, ...
  version        INTEGER NOT NULL,
  -- The template that wrote it (annual@1).
  template       VARCHAR NOT NULL,
  requested_by   VARCHAR NOT NULL,
  requested_role VARCHAR NOT NULL,
  created_at     TIMESTAMPTZ NOT NULL,
  media_type     VARCHAR NOT NULL,
  filename       VARCHAR NOT NULL,
  sha256         VARCHAR NOT NULL,
  bytes          BLOB NOT NULL,
  UNIQUE (kind, region_code, parameters, as_of, format, version)
);

CREATE INDEX reports_region ON reports (region_code, created_at);
