-- Issue 18: every date basis in the jurisdiction's time zone. A case's dates (received, routed,
-- replied, pressed...) are the calendar days of its jurisdiction, not China's whatever the case:
-- the Ottawa 311 data, local to America/Toronto, counted by China's calendar moved every evening
-- request to the next day and the requests of 31 August into September.
--
-- Each jurisdiction's zone, written at start for the deployment's jurisdiction from its data
-- (domain/jurisdictions/NAME.json) and by an import for its mapping's jurisdiction
-- (analytics/jurisdiction-zones.ts). Once its cases' days are counted in a zone, another is
-- refused: the days already derived would not match. A jurisdiction without a row is counted in
-- China's zone, as every case was before this migration, so the rows already derived stand until
-- its zone is first recorded; its cases are then recounted in it (received_date and facts).
CREATE TABLE jurisdiction_zones (
  jurisdiction  VARCHAR PRIMARY KEY,
  time_zone     VARCHAR NOT NULL,
  -- Where the zone came from: 'data' (the jurisdiction's own files, at start), 'mapping NAME'
  -- or 'import' (a file in the project's schema, counted in the zone it was read in).
  source        VARCHAR NOT NULL,
  -- For 'data', the last start: the deployment's zone is the one its data was last recorded with.
  recorded_at   TIMESTAMPTZ NOT NULL
);

-- The calendar day of an instant in a zone: the one derivation of a day from a timestamp, used
-- by the views below, the import's received_date, the catalog's duty and accountability
-- relations and the accountability findings. China's zone (or none recorded) takes a fixed
-- +8 h: China has kept UTC+8 all year since 1991, and the offset costs about 15 ns a row
-- against about 0.2 µs for ICU's timezone() with a constant zone and 2 µs with a zone read
-- from a column (DuckDB 1.5, this machine), which is what a per-jurisdiction zone is. So
-- China's data keeps its speed; another zone pays ICU, daylight saving included. Deriving the
-- facts of 1M generated cases (5.6M events) took 4.4-5.8 s with 016's views, 4.9-5.9 s with these
-- in China's zone, and 12-17 s had they all been in America/Toronto.
CREATE MACRO local_day(ts, zone) AS
  CASE WHEN zone IS NULL OR zone = 'Asia/Shanghai' THEN CAST(make_timestamp(epoch_us(ts) + 28800000000) AS DATE)
       ELSE CAST(timezone(zone, ts) AS DATE) END;

-- As in 016, with each step's day in the case's jurisdiction's zone. The log is aggregated to
-- each step's first instant and the instants converted once per case: a day is a non-decreasing
-- function of the instant, so the day of the first instant is the first day, and the zone needs
-- no join inside the aggregation (where `case_id = $id` reaches the event log's index). One
-- conversion over the list of a case's instants rather than one local_day per column: seventeen
-- expansions doubled the time DuckDB takes to plan the one-case rebuild every event makes (20 ms
-- against 016's 9.6 on a loaded 2-core machine; the list, 9.9).
DROP VIEW case_facts_source;

CREATE VIEW case_facts_source AS
SELECT f.case_id, f.jurisdiction, f.received_date, f.channel, f.region_code, f.street_code, f.field, f.petition_class,
       f.collective_size, f.petitioner_id, f.repeat_petition, f.skip_level,
       -- The organ that handles the case: the import's organ, else whom it was routed to or who accepted it.
       coalesce(f.organ_code, f.accepted_organ, f.routed_to) AS organ,
       f.days[1] AS registered_date, f.route_mode, f.routed_to_kind,
       f.days[2] AS register_overdue_date, f.days[3] AS accepted_date, f.days[4] AS not_accepted_date, f.days[5] AS extended_date,
       f.days[6] AS replied_date, f.reply_outcome, f.days[7] AS handle_overdue_date, f.days[8] AS assigned_overdue_date,
       f.days[9] AS assigned_reported_date, f.days[10] AS rated_date,
       -- The yes/no of the two-level rating, kept for the queries written against it (the SQL
       -- console): 基本满意 is on the satisfied side, as the catalog's satisfaction_rate counts it.
       f.rating_level <> 'dissatisfied' AS satisfied, f.days[11] AS review_requested_date, f.days[12] AS review_opinion_date,
       f.review_changed, f.days[13] AS review_overdue_date,
       f.days[14] AS re_review_requested_date, f.days[15] AS re_review_opinion_date, f.re_review_changed, f.days[16] AS re_review_overdue_date,
       f.days[17] AS closed_date, f.closed_reason,
       -- Last, as ALTER TABLE added it to case_facts: the rebuild inserts the view's rows by position.
       f.rating_level
  FROM (
  SELECT c.case_id, c.jurisdiction, c.received_date, c.channel, c.region_code, c.street_code, c.field, c.petition_class,
         c.collective_size, c.petitioner_id, c.repeat_petition, c.skip_level, c.organ_code,
         e.accepted_organ, e.routed_to, e.route_mode, e.routed_to_kind, e.reply_outcome, e.rating_level, e.review_changed,
         e.re_review_changed, e.closed_reason,
         list_transform([
           least(e.routed_at, e.notified_at),                -- 1 登记: the petition office routed it (转送/交办/上报) or the receiving organ notified acceptance
           least(e.route_overdue_at, e.notify_overdue_at),   -- 2 its supervision
           e.accepted_at, e.not_accepted_at, e.extended_at,  -- 3, 4, 5
           e.replied_at, e.handle_overdue_at,                -- 6, 7
           e.assigned_overdue_at, e.assigned_reported_at,    -- 8, 9
           e.rated_at,                                       -- 10
           e.review_requested_at, e.review_opinion_at, e.review_overdue_at,           -- 11, 12, 13
           e.re_review_requested_at, e.re_review_opinion_at, e.re_review_overdue_at,  -- 14, 15, 16
           e.closed_at                                       -- 17
         ], lambda t: local_day(t, z.time_zone)) AS days
    FROM cases c
    LEFT JOIN jurisdiction_zones z ON z.jurisdiction = c.jurisdiction
    LEFT JOIN (
      SELECT case_id,
             min(occurred_at) FILTER (WHERE event_type = 'routed') AS routed_at,
             min(occurred_at) FILTER (WHERE event_type = 'notified') AS notified_at,
             any_value(detail->>'mode') FILTER (WHERE event_type = 'routed') AS route_mode,
             any_value(detail->>'toKind') FILTER (WHERE event_type = 'routed') AS routed_to_kind,
             any_value(detail->>'toOrgan') FILTER (WHERE event_type = 'routed') AS routed_to,
             any_value(detail->>'organ') FILTER (WHERE event_type = 'accepted') AS accepted_organ,
             min(occurred_at) FILTER (WHERE event_type = 'route_overdue') AS route_overdue_at,
             min(occurred_at) FILTER (WHERE event_type = 'notify_overdue') AS notify_overdue_at,
             min(occurred_at) FILTER (WHERE event_type = 'accepted') AS accepted_at,
             min(occurred_at) FILTER (WHERE event_type = 'not_accepted') AS not_accepted_at,
             min(occurred_at) FILTER (WHERE event_type = 'extended') AS extended_at,
             min(occurred_at) FILTER (WHERE event_type = 'replied') AS replied_at,
             any_value(detail->>'outcome') FILTER (WHERE event_type = 'replied') AS reply_outcome,
             min(occurred_at) FILTER (WHERE event_type = 'handle_overdue') AS handle_overdue_at,
             min(occurred_at) FILTER (WHERE event_type = 'assigned_overdue') AS assigned_overdue_at,
             min(occurred_at) FILTER (WHERE event_type = 'assigned_reported') AS assigned_reported_at,
             min(occurred_at) FILTER (WHERE event_type = 'rated') AS rated_at,
             -- A rating before the three levels was a yes/no: yes is 满意, no 不满意.
             any_value(coalesce(detail->>'level', CASE (detail->>'satisfied')::BOOLEAN WHEN true THEN 'satisfied' WHEN false THEN 'dissatisfied' END))
               FILTER (WHERE event_type = 'rated') AS rating_level,
             min(occurred_at) FILTER (WHERE event_type = 'review_requested') AS review_requested_at,
             min(occurred_at) FILTER (WHERE event_type = 'review_opinion') AS review_opinion_at,
             any_value(detail->>'outcome' = 'changed') FILTER (WHERE event_type = 'review_opinion') AS review_changed,
             min(occurred_at) FILTER (WHERE event_type = 'review_overdue') AS review_overdue_at,
             min(occurred_at) FILTER (WHERE event_type = 're_review_requested') AS re_review_requested_at,
             min(occurred_at) FILTER (WHERE event_type = 're_review_opinion') AS re_review_opinion_at,
             any_value(detail->>'outcome' = 'changed') FILTER (WHERE event_type = 're_review_opinion') AS re_review_changed,
             min(occurred_at) FILTER (WHERE event_type = 're_review_overdue') AS re_review_overdue_at,
             min(occurred_at) FILTER (WHERE event_type = 'closed') AS closed_at,
             any_value(detail->>'reason') FILTER (WHERE event_type = 'closed') AS closed_reason
        FROM case_events
       GROUP BY case_id
    ) e USING (case_id)
  ) f;

-- As in 016, the press's day in its case's jurisdiction's zone.
DROP VIEW case_presses_source;

CREATE VIEW case_presses_source AS
SELECT c.case_id, e.event_id, e.step, e.organ, local_day(e.occurred_at, z.time_zone) AS pressed_date,
       c.region_code, c.street_code, c.channel, c.petition_class, c.field
  FROM cases c
  LEFT JOIN jurisdiction_zones z ON z.jurisdiction = c.jurisdiction
  -- Grouped by case like case_facts_source, so that `case_id = $id` reaches the event log's
  -- index (a plain filter on the event type beside it made DuckDB scan the whole log).
  JOIN (SELECT case_id,
               unnest(list(struct_pack(event_id := event_id, step := detail->>'step', organ := detail->>'organ', occurred_at := occurred_at))
                        FILTER (WHERE event_type = 'pressed'), recursive := true)
          FROM case_events
         GROUP BY case_id) e USING (case_id);
