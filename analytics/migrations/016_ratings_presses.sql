-- Issue 17: the rating in three levels and the petitioner's presses (催办).
--
-- The rating in three levels (满意 / 基本满意 / 不满意, workflows/case-actions.ts Rating): case_facts
-- keeps the level a case was rated, `rating_level`; `satisfied` stays, derived from it. Events
-- before the three levels carry a yes/no, read as 满意 or 不满意. The existing rows are filled
-- from their yes/no rather than rebuilt from the log: before this migration no event had a level.
DROP VIEW case_facts_source;

CREATE VIEW case_facts_source AS
SELECT c.case_id, c.jurisdiction, c.received_date, c.channel, c.region_code, c.street_code, c.field, c.petition_class,
       c.collective_size, c.petitioner_id, c.repeat_petition, c.skip_level,
       -- The organ that handles the case: the import's organ, else whom it was routed to or who accepted it.
       coalesce(c.organ_code, e.accepted_organ, e.routed_to) AS organ,
       -- 登记: the petition office routed it (转送/交办/上报) or the receiving organ notified acceptance.
       least(e.routed_date, e.notified_date) AS registered_date, e.route_mode, e.routed_to_kind,
       least(e.route_overdue_date, e.notify_overdue_date) AS register_overdue_date, e.accepted_date, e.not_accepted_date, e.extended_date,
       e.replied_date, e.reply_outcome, e.handle_overdue_date, e.assigned_overdue_date, e.assigned_reported_date,
       e.rated_date,
       -- The yes/no of the two-level rating, kept for the queries written against it (the SQL
       -- console): 基本满意 is on the satisfied side, as the catalog's satisfaction_rate counts it.
       e.rating_level <> 'dissatisfied' AS satisfied, e.review_requested_date, e.review_opinion_date, e.review_changed, e.review_overdue_date,
       e.re_review_requested_date, e.re_review_opinion_date, e.re_review_changed, e.re_review_overdue_date,
       e.closed_date, e.closed_reason,
       -- Last, as ALTER TABLE added it to case_facts: the rebuild inserts the view's rows by position.
       e.rating_level
  FROM cases c
  LEFT JOIN (
    SELECT case_id,
           min(day) FILTER (WHERE event_type = 'routed') AS routed_date,
           min(day) FILTER (WHERE event_type = 'notified') AS notified_date,
           any_value(detail->>'mode') FILTER (WHERE event_type = 'routed') AS route_mode,
           any_value(detail->>'toKind') FILTER (WHERE event_type = 'routed') AS routed_to_kind,
           any_value(detail->>'toOrgan') FILTER (WHERE event_type = 'routed') AS routed_to,
           any_value(detail->>'organ') FILTER (WHERE event_type = 'accepted') AS accepted_organ,
           min(day) FILTER (WHERE event_type = 'route_overdue') AS route_overdue_date,
           min(day) FILTER (WHERE event_type = 'notify_overdue') AS notify_overdue_date,
           min(day) FILTER (WHERE event_type = 'accepted') AS accepted_date,
           min(day) FILTER (WHERE event_type = 'not_accepted') AS not_accepted_date,
           min(day) FILTER (WHERE event_type = 'extended') AS extended_date,
           min(day) FILTER (WHERE event_type = 'replied') AS replied_date,
           any_value(detail->>'outcome') FILTER (WHERE event_type = 'replied') AS reply_outcome,
           min(day) FILTER (WHERE event_type = 'handle_overdue') AS handle_overdue_date,
           min(day) FILTER (WHERE event_type = 'assigned_overdue') AS assigned_overdue_date,
           min(day) FILTER (WHERE event_type = 'assigned_reported') AS assigned_reported_date,
           min(day) FILTER (WHERE event_type = 'rated') AS rated_date,
           -- A rating before the three levels was a yes/no: yes is 满意, no 不满意.
           any_value(coalesce(detail->>'level', CASE (detail->>'satisfied')::BOOLEAN WHEN true THEN 'satisfied' WHEN false THEN 'dissatisfied' END))
             FILTER (WHERE event_type = 'rated') AS rating_level,
           min(day) FILTER (WHERE event_type = 'review_requested') AS review_requested_date,
           min(day) FILTER (WHERE event_type = 'review_opinion') AS review_opinion_date,
           any_value(detail->>'outcome' = 'changed') FILTER (WHERE event_type = 'review_opinion') AS review_changed,
           min(day) FILTER (WHERE event_type = 'review_overdue') AS review_overdue_date,
           min(day) FILTER (WHERE event_type = 're_review_requested') AS re_review_requested_date,
           min(day) FILTER (WHERE event_type = 're_review_opinion') AS re_review_opinion_date,
           any_value(detail->>'outcome' = 'changed') FILTER (WHERE event_type = 're_review_opinion') AS re_review_changed,
           min(day) FILTER (WHERE event_type = 're_review_overdue') AS re_review_overdue_date,
           min(day) FILTER (WHERE event_type = 'closed') AS closed_date,
           any_value(detail->>'reason') FILTER (WHERE event_type = 'closed') AS closed_reason
      FROM (SELECT case_id, event_type, detail,
                   -- China has kept UTC+8 all year since 1991: a fixed offset gives the China date
                   -- without depending on the session's time zone.
                   CAST(make_timestamp(epoch_us(occurred_at) + 28800000000) AS DATE) AS day
              FROM case_events)
     GROUP BY case_id
  ) e USING (case_id);

ALTER TABLE case_facts ADD COLUMN rating_level VARCHAR;
UPDATE case_facts SET rating_level = CASE satisfied WHEN true THEN 'satisfied' WHEN false THEN 'dissatisfied' END WHERE satisfied IS NOT NULL;

-- 催办 rising for an organ is a signal of its own (analytics/early-warning/presses.ts), a new
-- alert kind: DuckDB cannot change a CHECK constraint in place, so the table is copied into
-- one that allows it.
CREATE TABLE alerts_016 (
  alert_id        VARCHAR PRIMARY KEY,
  -- kind|method|level|region|series key: what makes two weeks' signals the same alert.
  dedup_key       VARCHAR NOT NULL,
  kind            VARCHAR NOT NULL CHECK (kind IN ('count-aberration', 'collective-growth', 'petitioner-escalation',
                                                   'organ-rate-rise', 'organ-presses', 'space-time-cluster')),
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

INSERT INTO alerts_016 SELECT * FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_016 RENAME TO alerts;

-- 催办: one row per press, against the organ that owed the step pressed (the event's detail),
-- placed where its case lies. Kept like case_facts (analytics/facts.ts rebuilds a case's rows in
-- the transaction that writes its events): the `presses` measure and its early-warning signal
-- then read this narrow table, not the whole event log.
CREATE VIEW case_presses_source AS
SELECT c.case_id, e.event_id, e.step, e.organ, CAST(make_timestamp(epoch_us(e.occurred_at) + 28800000000) AS DATE) AS pressed_date,
       c.region_code, c.street_code, c.channel, c.petition_class, c.field
  FROM cases c
  -- Grouped by case like case_facts_source, so that `case_id = $id` reaches the event log's
  -- index (a plain filter on the event type beside it made DuckDB scan the whole log).
  JOIN (SELECT case_id,
               unnest(list(struct_pack(event_id := event_id, step := detail->>'step', organ := detail->>'organ', occurred_at := occurred_at))
                        FILTER (WHERE event_type = 'pressed'), recursive := true)
          FROM case_events
         GROUP BY case_id) e USING (case_id);

-- Empty: no press was recorded before this migration (the event type is new), and the view
-- over a large log would take a pass over all of it.
CREATE TABLE case_presses AS SELECT * FROM case_presses_source LIMIT 0;
