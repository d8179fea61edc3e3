-- The audit log (analytics/audit-log.ts): who did what, to which objects, which personal fields
-- were read, when, from where and why. Rows are only ever appended; nothing in the system updates
-- or deletes them. Each row's hash covers its fields and the hash of the row before (prev_hash),
-- so a changed, removed or inserted row breaks the chain that `xinfang audit verify` checks.
CREATE TABLE audit_log (
  -- 1, 2, 3, … without gaps: a missing number is a removed row.
  seq             BIGINT PRIMARY KEY,
  -- "at" is an SQL keyword (AT TIME ZONE); occurred_at as in the other event tables.
  occurred_at     TIMESTAMPTZ NOT NULL,
  -- Null when a login names no known user.
  user_id         VARCHAR,
  username        VARCHAR,
  role            VARCHAR,
  -- The user's jurisdiction node or organ: region:110105, organ:BJ-JW.
  scope           VARCHAR,
  action          VARCHAR NOT NULL,
  route           VARCHAR,
  object_ids      VARCHAR[] NOT NULL,
  -- The names of the personal fields read (name, idNumber), never their values.
  personal_fields VARCHAR[] NOT NULL,
  outcome         VARCHAR NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  -- The HTTP status answered.
  status          INTEGER,
  client          VARCHAR,
  -- The reason the user gave.
  reason          VARCHAR,
  detail          JSON,
  prev_hash       VARCHAR NOT NULL,
  hash            VARCHAR NOT NULL
);
