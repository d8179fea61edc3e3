-- What intake and import derived about a petition (rules/petition-kind.ts): 初信初访, 重复信访 and
-- 越级信访, each with its reason, and the facts the derivation read. cases.repeat_petition and
-- cases.skip_level hold the flags the metrics count; this keeps why. A case registered a moment
-- ago is history to the next petition from here, before its workflow's first activity writes the
-- case row.
CREATE TABLE petition_kinds (
  case_id        VARCHAR PRIMARY KEY,
  petitioner_id  VARCHAR,
  received_at    TIMESTAMPTZ NOT NULL,
  region_code    VARCHAR NOT NULL,
  field          VARCHAR,
  -- 'intake', or the import batch that derived it.
  derived_by     VARCHAR NOT NULL,
  derived_at     TIMESTAMPTZ NOT NULL,
  -- The derivation: first, repeat and skipLevel, each {value, reason, cite}, and sameMatterAs.
  kind           JSON NOT NULL
);

-- The representatives of a collective case registered by staff (at most the pack's
-- representativesMax, 2022 Regulations art. 20(3)): personal data, sealed JSON under the identity
-- key ring as open_access keeps an online petition's.
CREATE TABLE case_representatives (
  case_id        VARCHAR PRIMARY KEY,
  key_id         VARCHAR NOT NULL,
  iv             BLOB NOT NULL,
  ciphertext     BLOB NOT NULL,
  tag            BLOB NOT NULL
);
