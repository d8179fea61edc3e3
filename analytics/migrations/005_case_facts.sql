-- One row per case with the China date of each step of its life, derived from the event log
-- (analytics/facts.ts rebuilds a case's row in the same transaction that writes its events).
-- Measures read this table, not the log, so a dashboard query over 10 million cases scans
-- one narrow row per case instead of five or six events. Dates rather than flags: a measure
-- "as of" a past day counts a step only when its date is on or before that day, which is
-- what makes a report for last year give the same figures whenever it is re-run.
-- The derivation is this one view; the table is its materialisation. No primary key: rows
-- are only ever replaced whole by the rebuild, and an index would slow the bulk rebuild of
-- an import for nothing the measures use.
CREATE VIEW case_facts_source AS
SELECT c.case_id, c.jurisdiction, c.received_date, c.channel, c.region_code, c.street_code, c.field, c.petition_class,
       c.collective_size, c.petitioner_id, c.repeat_petition, c.skip_level,
       -- The organ that handles the case: the import's organ, else whom it was routed to or who accepted it.
       coalesce(c.organ_code, e.accepted_organ, e.routed_to) AS organ,
       -- 登记: the petition office routed it (转送/交办/上报) or the receiving organ notified acceptance.
       least(e.routed_date, e.notified_date) AS registered_date, e.route_mode, e.routed_to_kind,
       least(e.route_overdue_date, e.notify_overdue_date) AS register_overdue_date, e.accepted_date, e.not_accepted_date, e.extended_date,
       e.replied_date, e.reply_outcome, e.handle_overdue_date, e.assigned_overdue_date, e.assigned_reported_date,
       e.rated_date, e.satisfied, e.review_requested_date, e.review_opinion_date, e.review_changed, e.review_overdue_date,
       e.re_review_requested_date, e.re_review_opinion_date, e.re_review_changed, e.re_review_overdue_date,
       e.closed_date, e.closed_reason
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
           any_value((detail->>'satisfied')::BOOLEAN) FILTER (WHERE event_type = 'rated') AS satisfied,
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

CREATE TABLE case_facts AS SELECT * FROM case_facts_source;
