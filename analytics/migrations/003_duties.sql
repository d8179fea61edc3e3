-- Periodic duties (DOMAIN §5): each period's opening, evidence, reminders and finding.
-- Rows are only ever added; late evidence is kept as such beside the finding it cannot change.
CREATE TABLE duty_events (
  event_id      VARCHAR PRIMARY KEY,
  organ         VARCHAR NOT NULL,
  duty_id       VARCHAR NOT NULL,
  period_label  VARCHAR NOT NULL,
  period_start  DATE NOT NULL,
  period_end    DATE NOT NULL,
  event_type    VARCHAR NOT NULL
                CHECK (event_type IN ('period_opened', 'evidence', 'reminder', 'met', 'missed', 'late_evidence')),
  occurred_at   TIMESTAMPTZ NOT NULL,
  actor         VARCHAR,
  workflow_id   VARCHAR,
  rule          VARCHAR,
  detail        JSON,
  recorded_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE INDEX duty_events_organ ON duty_events (organ, duty_id, period_label);
