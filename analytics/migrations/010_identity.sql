-- Users, their sessions and API tokens (server/identity/). A user holds one role for one node of
-- the region hierarchy or one organ (domain/roles.ts). Secrets are never stored: passwords as
-- Argon2id hashes, session and token secrets as SHA-256 digests (they are 256-bit random, so a
-- slow hash would add nothing).
CREATE TABLE users (
  user_id        VARCHAR PRIMARY KEY,
  username       VARCHAR NOT NULL UNIQUE,
  display_name   VARCHAR NOT NULL,
  role           VARCHAR NOT NULL,
  jurisdiction   VARCHAR NOT NULL,
  region_code    VARCHAR,
  organ_code     VARCHAR,
  -- NULL for a user who logs in only through the identity provider.
  password_hash  VARCHAR,
  -- 'local', or 'oidc:' and the provider's subject.
  source         VARCHAR NOT NULL DEFAULT 'local',
  disabled       BOOLEAN NOT NULL DEFAULT false,
  created_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  updated_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
  CHECK ((region_code IS NULL) <> (organ_code IS NULL))
);

CREATE TABLE user_sessions (
  session_hash   VARCHAR PRIMARY KEY,
  user_id        VARCHAR NOT NULL,
  -- Sent back in X-CSRF-Token on every write made with the cookie.
  csrf_token     VARCHAR NOT NULL,
  client         VARCHAR,
  created_at     TIMESTAMPTZ NOT NULL,
  last_seen_at   TIMESTAMPTZ NOT NULL,
  expires_at     TIMESTAMPTZ NOT NULL,
  ended_at       TIMESTAMPTZ
);

CREATE TABLE api_tokens (
  token_id       VARCHAR PRIMARY KEY,
  user_id        VARCHAR NOT NULL,
  name           VARCHAR NOT NULL,
  secret_hash    VARCHAR NOT NULL,
  created_at     TIMESTAMPTZ NOT NULL,
  expires_at     TIMESTAMPTZ NOT NULL,
  last_used_at   TIMESTAMPTZ,
  revoked_at     TIMESTAMPTZ
);
