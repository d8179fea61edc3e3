-- What the deciding organ did with a finding that proposes an accountability case (a missed
-- duty period): opened a case from it, or declined it with a reason. One decision per finding;
-- rows are only ever added, so a finding once decided stays decided.
CREATE TABLE accountability_findings (
  -- 'duty'; the ref names the period: ORGAN/DUTY_ID/PERIOD_LABEL.
  finding_source  VARCHAR NOT NULL,
  finding_ref     VARCHAR NOT NULL,
  organ           VARCHAR NOT NULL,
  decision        VARCHAR NOT NULL CHECK (decision IN ('opened', 'declined')),
  -- The case opened from it (decision 'opened').
  case_id         VARCHAR,
  -- Why it was declined (decision 'declined'); required then.
  reason          VARCHAR,
  actor           VARCHAR NOT NULL,
  decided_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (finding_source, finding_ref),
  CHECK (decision <> 'declined' OR reason IS NOT NULL),
  CHECK (decision <> 'opened' OR case_id IS NOT NULL)
);
