-- The form a leader's reception took (Beijing 2017 art. 12; 2022 Regulations art. 18): 接访 at
-- the post ('at_post'), 约访 by appointment ('appointment') or 下访 going down to the grassroots
-- ('going_down'), so the metrics count appointments and visits down apart. Only reception
-- records have one, and it is optional: NULL is a reception whose form was not recorded. The
-- values are checked where records come in (server/duty-routes.ts), as DuckDB adds no CHECK to
-- an existing table.
ALTER TABLE duty_records ADD COLUMN reception_mode VARCHAR;
