-- Records of the duties owed as needed rather than per period (DOMAIN §5): leaders' reception
-- days (领导接访日) and annotated letters (阅批群众来信), reports of case ownership, hearings as
-- needed. No period workflow holds them, so they are kept here as they are recorded; rows are
-- only ever added.
CREATE TABLE duty_records (
  -- ORGAN/DUTY_ID/KIND/DATE/REFERENCE: the same record twice is one record.
  record_id     VARCHAR PRIMARY KEY,
  organ         VARCHAR NOT NULL,
  duty_id       VARCHAR NOT NULL,
  kind          VARCHAR NOT NULL
                CHECK (kind IN ('meeting', 'report', 'inspection', 'letter', 'research', 'notice', 'reception')),
  -- The China date of the reception day, the annotation, the meeting.
  record_date   DATE NOT NULL,
  -- Minutes, document, letter or register number.
  reference     VARCHAR NOT NULL,
  participants  VARCHAR,
  -- The article imposing the duty, from the pack in force on record_date.
  rule          VARCHAR NOT NULL,
  actor         VARCHAR NOT NULL,
  recorded_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX duty_records_organ ON duty_records (organ, record_date);
