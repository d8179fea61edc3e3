-- Provisional deadlines (暂定): a due date in a year whose holiday schedule is not published yet
-- is counted from the statutory holidays alone and computed again once the schedule is added
-- (rules/calendar.ts). The recommendation workflow records both, as a case's does: the
-- deadline held provisionally, and each one computed again with the old and the new date.
-- DuckDB cannot alter a CHECK constraint, so the event table is rebuilt with the wider one.
CREATE TABLE recommendation_events_020 (
  event_id          VARCHAR PRIMARY KEY,
  recommendation_id VARCHAR NOT NULL,
  event_type        VARCHAR NOT NULL CHECK (event_type IN ('issued', 'reminder', 'feedback_overdue', 'feedback', 'deadline_provisional', 'deadline_recomputed')),
  occurred_at       TIMESTAMPTZ NOT NULL,
  organ             VARCHAR NOT NULL,
  actor             VARCHAR,
  due_date          DATE,
  rule              VARCHAR,
  detail            JSON,
  recorded_at       TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
INSERT INTO recommendation_events_020 SELECT event_id, recommendation_id, event_type, occurred_at, organ, actor, due_date, rule, detail, recorded_at FROM recommendation_events;
DROP TABLE recommendation_events;
ALTER TABLE recommendation_events_020 RENAME TO recommendation_events;
