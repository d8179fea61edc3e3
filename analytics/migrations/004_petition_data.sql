-- Petition data (issue 4): what a case carries beyond receipt facts, the region hierarchy,
-- pseudonymised petitioners with identities kept apart and encrypted, and import batches with
-- their quarantine. Columns added to `cases` are nullable so live workflow cases, which do not
-- know them at intake, still record.
ALTER TABLE cases ADD COLUMN jurisdiction VARCHAR;
-- Street or township (街道/乡镇) within region_code, 9-digit statistical code in Beijing.
ALTER TABLE cases ADD COLUMN street_code VARCHAR;
-- 建议意见 suggestion / 检举控告 accusation / 申诉求决 claim (DOMAIN §2).
ALTER TABLE cases ADD COLUMN petition_class VARCHAR;
-- Keyed hash (HMAC-SHA256) of the petitioner's identity: repeat petitions link, names never appear.
ALTER TABLE cases ADD COLUMN petitioner_id VARCHAR;
-- 重复信访: the petitioner brought the same matter before. 越级: skipped the competent level.
ALTER TABLE cases ADD COLUMN repeat_petition BOOLEAN;
ALTER TABLE cases ADD COLUMN skip_level BOOLEAN;
-- The organ the case was routed to for handling, when known at load time.
ALTER TABLE cases ADD COLUMN organ_code VARCHAR;
-- The import that brought the row in (import_batches.batch_id); null for workflow and demo cases.
ALTER TABLE cases ADD COLUMN import_batch VARCHAR;

-- Region hierarchy: a jurisdiction's city, its districts and their streets/townships. Beijing's
-- comes from domain/regions/; another jurisdiction's from a data file named by an import mapping.
CREATE TABLE regions (
  code           VARCHAR PRIMARY KEY,
  parent_code    VARCHAR,
  level          VARCHAR NOT NULL CHECK (level IN ('city', 'district', 'street')),
  name_zh        VARCHAR,
  name_en        VARCHAR,
  population10k  DOUBLE,
  jurisdiction   VARCHAR NOT NULL
);

-- Identities, where an office keeps them, encrypted (AES-256-GCM) and apart from analytics.
-- Analytics tables only ever hold petitioner_id.
CREATE TABLE petitioner_identities (
  petitioner_id  VARCHAR PRIMARY KEY,
  key_id         VARCHAR NOT NULL,
  iv             BLOB NOT NULL,
  ciphertext     BLOB NOT NULL,
  tag            BLOB NOT NULL,
  first_seen     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE import_batches (
  batch_id     VARCHAR PRIMARY KEY,
  started_at   TIMESTAMPTZ NOT NULL,
  finished_at  TIMESTAMPTZ NOT NULL,
  files        JSON NOT NULL,
  mapping      VARCHAR,
  read         BIGINT NOT NULL,
  imported     BIGINT NOT NULL,
  quarantined  BIGINT NOT NULL,
  duplicate    BIGINT NOT NULL,
  events_read      BIGINT NOT NULL,
  events_imported  BIGINT NOT NULL,
  events_quarantined BIGINT NOT NULL,
  events_duplicate BIGINT NOT NULL,
  actor        VARCHAR
);

-- Rows an import could not accept, with where they came from and why. The raw row is kept as
-- read (JSON of its fields) so an operator can fix the source and import again.
CREATE TABLE import_quarantine (
  batch_id  VARCHAR NOT NULL,
  file      VARCHAR NOT NULL,
  line      BIGINT NOT NULL,
  kind      VARCHAR NOT NULL CHECK (kind IN ('case', 'event')),
  reason    VARCHAR NOT NULL,
  raw       JSON
);
CREATE INDEX import_quarantine_batch ON import_quarantine (batch_id);
