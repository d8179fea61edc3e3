-- Early warning (issue 7, DOMAIN §9): the alerts that weekly scans raise and the scans themselves.
-- One row per alert episode: a signal that holds week after week updates its row (period,
-- run_length, figures, last_seen) instead of adding one, so a user decides on it once.
CREATE TABLE alerts (
  alert_id        VARCHAR PRIMARY KEY,
  -- kind|method|level|region|series key: what makes two weeks' signals the same alert.
  dedup_key       VARCHAR NOT NULL,
  kind            VARCHAR NOT NULL CHECK (kind IN ('count-aberration', 'collective-growth', 'petitioner-escalation',
                                                   'organ-rate-rise', 'space-time-cluster')),
  method          VARCHAR NOT NULL,
  level           VARCHAR NOT NULL CHECK (level IN ('city', 'district', 'street')),
  region_code     VARCHAR NOT NULL,
  -- The series key, as far as the kind has one; null means "all" (every field, channel, class).
  field           VARCHAR,
  channel         VARCHAR,
  petition_class  VARCHAR,
  -- What the alert is about when it is not a region's count: an organ, a petitioner's
  -- pseudonym (never a name), a measure, the districts of a cluster.
  subject         VARCHAR,
  -- Weeks, each named by its Monday (China dates): the first week in alarm and the latest,
  -- which observed/expected/upperbound describe; run_length counts the weeks in alarm.
  first_period    DATE NOT NULL,
  period          DATE NOT NULL,
  run_length      INTEGER NOT NULL,
  observed        DOUBLE,
  expected        DOUBLE,
  upperbound      DOUBLE,
  p_value         DOUBLE,
  -- The highest severity of the episode; base_severity is the rule's before a sensitive period
  -- raised it, and sensitive_period names that period.
  severity        VARCHAR NOT NULL CHECK (severity IN ('info', 'warning', 'serious')),
  base_severity   VARCHAR NOT NULL CHECK (base_severity IN ('info', 'warning', 'serious')),
  sensitive_period VARCHAR,
  detail          JSON,
  status          VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'dismissed')),
  decided_by      VARCHAR,
  decided_at      TIMESTAMPTZ,
  decision_reason VARCHAR,
  -- The scan that raised it and the latest that saw it.
  scan_id         VARCHAR NOT NULL,
  last_scan_id    VARCHAR NOT NULL,
  first_seen      TIMESTAMPTZ NOT NULL,
  last_seen       TIMESTAMPTZ NOT NULL
);

CREATE TABLE alert_scans (
  scan_id         VARCHAR PRIMARY KEY,
  -- schedule, api, cli, test or bench
  trigger         VARCHAR NOT NULL,
  -- The weeks evaluated, by their Mondays.
  week_from       DATE NOT NULL,
  week_to         DATE NOT NULL,
  started_at      TIMESTAMPTZ NOT NULL,
  finished_at     TIMESTAMPTZ NOT NULL,
  duration_ms     INTEGER NOT NULL,
  -- Series (or matters, organs, petitioners, fields) each signal looked at, and those too sparse to test.
  series_scanned  BIGINT NOT NULL,
  series_skipped  BIGINT NOT NULL,
  alerts_raised   INTEGER NOT NULL,
  alerts_continued INTEGER NOT NULL,
  -- Per signal: series, skipped, raised, continued, milliseconds.
  detail          JSON
);
