#pragma once
// The database schema. PRAGMA user_version records its version (0: a new database).

#include <string_view>

namespace token_server {

inline constexpr int schema_version = 1;

// Secrets and passwords are argon2id strings from crypto_pwhash_str, never clear text.
// Tokens are kept as SHA-256 digests (random_token.hpp), one row per issued pair, so
// that a refresh grant (RFC 6749 6) can find its row and rotate the pair in one
// transaction (RFC 9700 4.14.2):
//   SELECT id, client_id, user_id, scope FROM tokens
//    WHERE refresh_digest = ? AND revoked_at IS NULL;            -- then check client_id
//   UPDATE tokens SET revoked_at = ? WHERE id = ?;               -- and insert the new pair
// and a resource server can check an access token with
//   SELECT user_id, scope FROM tokens
//    WHERE access_digest = ? AND revoked_at IS NULL AND access_expires_at > ?;
// Times are Unix seconds. Email addresses compare ASCII-case-insensitively; user names
// compare exactly.
inline constexpr std::string_view schema_sql = R"sql(
CREATE TABLE clients (
  id             TEXT PRIMARY KEY NOT NULL,
  secret_hash    TEXT NOT NULL,
  password_grant INTEGER NOT NULL DEFAULT 1,
  created_at     INTEGER NOT NULL
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
  id                INTEGER PRIMARY KEY,
  access_digest     BLOB NOT NULL UNIQUE,
  refresh_digest    BLOB NOT NULL UNIQUE,
  client_id         TEXT NOT NULL REFERENCES clients(id),
  user_id           INTEGER NOT NULL REFERENCES users(id),
  scope             TEXT NOT NULL DEFAULT '',
  issued_at         INTEGER NOT NULL,
  access_expires_at INTEGER NOT NULL,
  revoked_at        INTEGER
) STRICT;
CREATE INDEX tokens_by_user ON tokens(user_id);
PRAGMA user_version = 1;
)sql";

}  // namespace token_server
