-- Petition cases (信访事项) and their event log. A case row holds the facts fixed at receipt;
-- everything that happens later is an event, so "status" is derived and history is never
-- rewritten.
CREATE TABLE cases (
  case_id          VARCHAR PRIMARY KEY,
  received_at      TIMESTAMPTZ NOT NULL,
  -- China calendar date of receipt: the date basis of volume measures.
  received_date    DATE NOT NULL,
  channel          VARCHAR NOT NULL
                   CHECK (channel IN ('letter', 'visit', 'phone', 'online', 'fax', 'email')),
  region_code      VARCHAR NOT NULL,
  field            VARCHAR,
  collective_size  INTEGER NOT NULL DEFAULT 1 CHECK (collective_size >= 1),
  summary          VARCHAR,
  -- Where the row came from: a live case workflow, the demo dataset, or an import.
  origin           VARCHAR NOT NULL CHECK (origin IN ('workflow', 'demo', 'import'))
);

CREATE TABLE case_events (
  -- Deterministic per case and step, so a retried activity cannot write an event twice.
  event_id     VARCHAR PRIMARY KEY,
  case_id      VARCHAR NOT NULL,
  event_type   VARCHAR NOT NULL,
  occurred_at  TIMESTAMPTZ NOT NULL,
  actor        VARCHAR,
  due_date     DATE,
  detail       JSON,
  recorded_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE INDEX case_events_case ON case_events (case_id);
