-- The organ registry as data (domain/organs/<jurisdiction>.json): a street's or township's
-- leadership sits at its street (street_code) while region_code stays the district it belongs
-- to, which the metrics roll duties and accountability up to; aliases are the other names
-- records use for the organ (abbreviations, full official names), so a record naming the organ
-- by any of them reaches it.
ALTER TABLE organs ADD COLUMN street_code VARCHAR;
ALTER TABLE organs ADD COLUMN aliases VARCHAR[] DEFAULT [];
