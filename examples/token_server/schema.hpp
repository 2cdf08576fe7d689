#pragma once
// The database schema. PRAGMA user_version records its version (0: a new database).

#include <string_view>

namespace token_server {

inline constexpr int schema_version = 2;

// Secrets and passwords are argon2id strings from crypto_pwhash_str, never clear text.
// Tokens are kept as SHA-256 digests (random_token.hpp), one row per issued pair, with
// the scope granted and both expiry times. The refresh grant (RFC 6749 6) finds a row
// by the presented refresh token's digest, for the authenticating client only:
//   SELECT id, user_id, scope FROM tokens
//    WHERE refresh_digest = ? AND client_id = ? AND revoked_at IS NULL
//      AND refresh_expires_at > ?;
// and rotates it (RFC 9700 4.14.2) by revoking the row and inserting the new pair's row
// in one transaction; the revocation succeeds for exactly one of two concurrent
// refreshes (the other sees changes() == 0, and rolls back without inserting):
//   BEGIN IMMEDIATE;
//   UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL;
//   INSERT INTO tokens (...) VALUES (...);
//   COMMIT;
// Revoking the row ends the old access token as well as the old refresh token. A
// resource server checks an access token with
//   SELECT user_id, scope FROM tokens
//    WHERE access_digest = ? AND revoked_at IS NULL AND access_expires_at > ?;
// Times are Unix seconds. Email addresses compare ASCII-case-insensitively; user names
// compare exactly. `scope` is the granted scope in RFC 6749 3.3 syntax, '' for none.
// Columns added by a migration come last, in the order the migration adds them, so
// that a migrated database and a new one have the same layout.
inline constexpr std::string_view schema_sql = R"sql(
CREATE TABLE clients (
  id             TEXT PRIMARY KEY NOT NULL,
  secret_hash    TEXT NOT NULL,
  password_grant INTEGER NOT NULL DEFAULT 1,
  created_at     INTEGER NOT NULL,
  refresh_grant  INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT UNIQUE,
  email_address TEXT COLLATE NOCASE UNIQUE,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  CHECK (username IS NOT NULL OR email_address IS NOT NULL)
) STRICT;
CREATE TABLE tokens (
  id                 INTEGER PRIMARY KEY,
  access_digest      BLOB NOT NULL UNIQUE,
  refresh_digest     BLOB NOT NULL UNIQUE,
  client_id          TEXT NOT NULL REFERENCES clients(id),
  user_id            INTEGER NOT NULL REFERENCES users(id),
  scope              TEXT NOT NULL DEFAULT '',
  issued_at          INTEGER NOT NULL,
  access_expires_at  INTEGER NOT NULL,
  revoked_at         INTEGER,
  refresh_expires_at INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX tokens_by_user ON tokens(user_id);
PRAGMA user_version = 2;
)sql";

// Version 1 (the password grant alone) to 2: the refresh grant's columns, added in
// place. A refresh token issued by a version-1 server had no lifetime; it gets
// refresh_expires_at 0, that is expired: its client asks for a new pair with the
// password grant. Its access token is untouched.
inline constexpr std::string_view migration_1_to_2_sql = R"sql(
ALTER TABLE clients ADD COLUMN refresh_grant INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tokens ADD COLUMN refresh_expires_at INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 2;
)sql";

}  // namespace token_server
