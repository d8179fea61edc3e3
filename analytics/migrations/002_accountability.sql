-- Accountability cases (追责) and their decisions: every step of the ladder, who decided it,
-- when, on which ground and rule. Rows are only ever added.
CREATE TABLE accountability_events (
  -- Deterministic per case and step, so a retried activity cannot write an event twice.
  event_id       VARCHAR PRIMARY KEY,
  case_id        VARCHAR NOT NULL,
  event_type     VARCHAR NOT NULL,
  occurred_at    TIMESTAMPTZ NOT NULL,
  organ          VARCHAR NOT NULL,
  ground         VARCHAR NOT NULL,
  ladder_step    VARCHAR,
  actor          VARCHAR,
  due_date       DATE,
  rule           VARCHAR,
  detail         JSON,
  recorded_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE INDEX accountability_events_case ON accountability_events (case_id);
