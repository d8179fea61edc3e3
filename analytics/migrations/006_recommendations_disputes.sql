-- Recommendations (三项建议, 2022 Regulations arts. 40, 41(3); 2005 art. 36) and screened
-- disputes (矛盾纠纷排查化解, seed 000 art. 6, plan 004): the records behind the annual report's
-- part 3 and the dispute resolution rate. Every step carries its China date, so a measure
-- "as of" a date counts a step only if it happened by then.
CREATE TABLE recommendations (
  recommendation_id VARCHAR PRIMARY KEY,
  jurisdiction      VARCHAR NOT NULL,
  region_code       VARCHAR NOT NULL,   -- the issuing office's region (district code, or the city code)
  issued_by         VARCHAR NOT NULL,   -- the petition office
  to_organ          VARCHAR NOT NULL,
  kind              VARCHAR NOT NULL CHECK (kind IN ('improve_work', 'improve_policy', 'accountability')),
  issued_date       DATE NOT NULL,      -- China calendar date
  feedback_due      DATE,
  feedback_date     DATE,               -- null until the organ's written feedback
  adopted           BOOLEAN,            -- null until feedback
  feedback_overdue_date DATE,           -- date the feedback clock was breached, if it was
  case_id           VARCHAR,            -- the petition case it arose from, if any
  summary           VARCHAR,
  origin            VARCHAR NOT NULL CHECK (origin IN ('workflow', 'demo', 'import')),
  recorded_at       TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  -- Who gave the written feedback and what it says (the reason, when not adopted).
  feedback_by       VARCHAR,
  feedback_note     VARCHAR,
  -- The import that brought the row in; null for workflow and demo rows.
  import_batch      VARCHAR,
  -- Adoption is known only with the feedback; feedback is recorded once.
  CHECK ((feedback_date IS NULL) = (adopted IS NULL))
);

-- What the recommendation workflow did, step by step: issued, reminders, the breach of the
-- feedback clock (the supervision record naming the organ, like a case's `<step>_overdue`)
-- and the feedback. Rows are only added; ids are deterministic, so a retried activity writes once.
CREATE TABLE recommendation_events (
  event_id          VARCHAR PRIMARY KEY,
  recommendation_id VARCHAR NOT NULL,
  event_type        VARCHAR NOT NULL CHECK (event_type IN ('issued', 'reminder', 'feedback_overdue', 'feedback')),
  occurred_at       TIMESTAMPTZ NOT NULL,
  organ             VARCHAR NOT NULL,   -- the organ that owes the feedback
  actor             VARCHAR,
  due_date          DATE,
  rule              VARCHAR,
  detail            JSON,
  recorded_at       TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE disputes (
  dispute_id     VARCHAR PRIMARY KEY,
  jurisdiction   VARCHAR NOT NULL,
  region_code    VARCHAR NOT NULL,      -- district code
  street_code    VARCHAR,
  field          VARCHAR,               -- same field vocabulary as cases.field
  screened_date  DATE NOT NULL,
  resolved_date  DATE,                  -- null while unresolved
  case_id        VARCHAR,
  origin         VARCHAR NOT NULL CHECK (origin IN ('workflow', 'demo', 'import')),
  recorded_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  summary        VARCHAR,
  recorded_by    VARCHAR,
  resolved_by    VARCHAR,
  resolution_note VARCHAR,
  import_batch   VARCHAR,
  CHECK (resolved_date IS NULL OR resolved_date >= screened_date)
);

-- The import quarantines recommendation and dispute rows too. DuckDB cannot alter a CHECK
-- constraint, so the table is rebuilt with the wider one, rows and index kept.
CREATE TABLE import_quarantine_006 (
  batch_id  VARCHAR NOT NULL,
  file      VARCHAR NOT NULL,
  line      BIGINT NOT NULL,
  kind      VARCHAR NOT NULL CHECK (kind IN ('case', 'event', 'recommendation', 'dispute')),
  reason    VARCHAR NOT NULL,
  raw       JSON
);
INSERT INTO import_quarantine_006 SELECT batch_id, file, line, kind, reason, raw FROM import_quarantine;
DROP INDEX import_quarantine_batch;
DROP TABLE import_quarantine;
ALTER TABLE import_quarantine_006 RENAME TO import_quarantine;
CREATE INDEX import_quarantine_batch ON import_quarantine (batch_id);
