-- Open petitioning (阳光信访, server/public/): what the petitioner-facing site keeps beside the
-- case. The verification code is stored only as its Argon2id hash: the petitioner holds the code,
-- the office cannot read it back. Representatives of a collective petition and attachments are
-- personal material, so they are AES-256-GCM ciphertext under the identity key ring, as
-- petitioner_identities are.
CREATE TABLE open_access (
  case_id        VARCHAR PRIMARY KEY,
  code_hash      VARCHAR NOT NULL,
  issued_at      TIMESTAMPTZ NOT NULL,
  -- The collective petition's representatives (2022 Regulations art. 20), sealed JSON; NULL for one petitioner.
  reps_key_id    VARCHAR,
  reps_iv        BLOB,
  reps_ciphertext BLOB,
  reps_tag       BLOB
);

CREATE TABLE open_attachments (
  case_id        VARCHAR NOT NULL,
  seq            INTEGER NOT NULL,
  file_name      VARCHAR NOT NULL,
  -- As the magic bytes say, not as the browser declared.
  content_type   VARCHAR NOT NULL,
  size_bytes     INTEGER NOT NULL,
  sha256         VARCHAR NOT NULL,
  key_id         VARCHAR NOT NULL,
  iv             BLOB NOT NULL,
  ciphertext     BLOB NOT NULL,
  tag            BLOB NOT NULL,
  PRIMARY KEY (case_id, seq)
);

-- Failed look-ups by case code, kept across restarts so a restart does not reset a lock-out. A
-- code that names no case is counted the same, so the lock says nothing about existence.
CREATE TABLE open_lockouts (
  case_code      VARCHAR PRIMARY KEY,
  failures       INTEGER NOT NULL,
  last_failure   TIMESTAMPTZ NOT NULL,
  locked_until   TIMESTAMPTZ
);
