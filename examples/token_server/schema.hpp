#pragma once
// The database schema. PRAGMA user_version records its version (0: a new database).

#include <string_view>

namespace token_server {

inline constexpr int schema_version = 4;

// The grants a client gets unless add-client says otherwise (the vendor endpoint's), and
// the clients.grants column's DEFAULT for clients of older versions.
inline constexpr std::string_view default_client_grants = "password refresh_token";

// Secrets and passwords are argon2id strings from crypto_pwhash_str, never clear text.
// Tokens are kept as digests (random_token.hpp, ordered_digest_of: the token's first 8
// bytes, hex-decoded, then the first 24 bytes of its SHA-256; a pair issued before
// ordered digests by its SHA-256, tried second), one row per issued pair, with
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

// A new database is made by schema_sql (version 2) and then every migration after it, in
// one transaction, so that new and migrated databases cannot differ.

// Version 1 (the password grant alone) to 2: the refresh grant's columns, added in
// place. A refresh token issued by a version-1 server had no lifetime; it gets
// refresh_expires_at 0, that is expired: its client asks for a new pair with the
// password grant. Its access token is untouched.
inline constexpr std::string_view migration_1_to_2_sql = R"sql(
ALTER TABLE clients ADD COLUMN refresh_grant INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tokens ADD COLUMN refresh_expires_at INTEGER NOT NULL DEFAULT 0;
PRAGMA user_version = 2;
)sql";

// Version 2 to 3: the grants of issue 14 (client_credentials, authorization_code with
// PKCE, device_code).
//  - clients: `grants` lists the grant types a client may use (RFC 6749 grant_type
//    values, space-separated) in place of one column per grant; `redirect_uris` the
//    redirect URIs registered for it (space-separated: a URI holds no space, RFC 3986
//    2); `auth_method` the client authentication method it is registered for
//    (RFC 7591 token_endpoint_auth_method; `none`: a public client, secret_hash '').
//  - tokens: `user_id` is NULL for a client's own token (client_credentials, RFC 6749
//    4.4), `refresh_digest` NULL for a token without a refresh token (RFC 6749 4.4.3),
//    and `code_digest` names the authorization code a pair was issued for, so that a
//    second use of the code can revoke it (RFC 6749 4.1.2); `refresh_scope` is the
//    refresh token's scope when a refresh narrowed the access token's (RFC 6749 6: the
//    new refresh token's scope is the old one's), NULL when it is `scope`. SQLite cannot drop NOT NULL
//    in place: the table is copied into a new one, the documented way.
//  - authorization_codes and device_codes: kept as SHA-256 digests (a user
//    code too, normalized first: device_code_store.cpp), with what the authorization
//    request recorded. A code row stays after it is spent (used_at), so that a second
//    use is told apart from an unknown code, until `token_server purge` deletes it (once
//    it has expired and no token issued for it is kept).
inline constexpr std::string_view migration_2_to_3_sql = R"sql(
ALTER TABLE clients ADD COLUMN grants TEXT NOT NULL DEFAULT 'password refresh_token';
UPDATE clients SET grants = trim(iif(password_grant, 'password', '') || iif(refresh_grant, ' refresh_token', ''));
ALTER TABLE clients DROP COLUMN password_grant;
ALTER TABLE clients DROP COLUMN refresh_grant;
ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN auth_method TEXT NOT NULL DEFAULT 'client_secret_basic';
CREATE TABLE tokens_v3 (
  id                 INTEGER PRIMARY KEY,
  access_digest      BLOB NOT NULL UNIQUE,
  refresh_digest     BLOB UNIQUE,
  client_id          TEXT NOT NULL REFERENCES clients(id),
  user_id            INTEGER REFERENCES users(id),
  scope              TEXT NOT NULL DEFAULT '',
  issued_at          INTEGER NOT NULL,
  access_expires_at  INTEGER NOT NULL,
  revoked_at         INTEGER,
  refresh_expires_at INTEGER NOT NULL DEFAULT 0,
  code_digest        BLOB,
  refresh_scope      TEXT
) STRICT;
INSERT INTO tokens_v3 (id, access_digest, refresh_digest, client_id, user_id, scope, issued_at, access_expires_at,
                       revoked_at, refresh_expires_at)
  SELECT id, access_digest, refresh_digest, client_id, user_id, scope, issued_at, access_expires_at, revoked_at,
         refresh_expires_at FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_v3 RENAME TO tokens;
CREATE INDEX tokens_by_user ON tokens(user_id);
CREATE INDEX tokens_by_code ON tokens(code_digest) WHERE code_digest IS NOT NULL;
CREATE TABLE authorization_codes (
  digest                BLOB PRIMARY KEY NOT NULL,
  client_id             TEXT NOT NULL REFERENCES clients(id),
  user_id               INTEGER NOT NULL REFERENCES users(id),
  redirect_uri          TEXT NOT NULL DEFAULT '',
  code_challenge        TEXT NOT NULL DEFAULT '',
  code_challenge_method TEXT NOT NULL DEFAULT '',
  scope                 TEXT NOT NULL DEFAULT '',
  created_at            INTEGER NOT NULL,
  expires_at            INTEGER NOT NULL,
  used_at               INTEGER
) STRICT, WITHOUT ROWID;
CREATE TABLE device_codes (
  digest           BLOB PRIMARY KEY NOT NULL,
  user_code_digest BLOB NOT NULL UNIQUE,
  client_id        TEXT NOT NULL REFERENCES clients(id),
  scope            TEXT NOT NULL DEFAULT '',
  poll_interval    INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  last_polled_at   INTEGER,
  decision         TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'denied')),
  user_id          INTEGER REFERENCES users(id),
  used_at          INTEGER
) STRICT, WITHOUT ROWID;
PRAGMA user_version = 3;
)sql";

// Version 4: the device page's confirmation step (RFC 8628 5.4; sign_in_pages.hpp). The
// user who signed in on the page, the digest of the confirmation handed to that browser
// (a random token and the browser's CSRF token, codes.cpp) and when it expires: the
// decision posted with it is recorded for that user. Only a digest is kept, so reading
// the database does not let anyone decide in a user's name.
inline constexpr std::string_view migration_3_to_4_sql = R"sql(
ALTER TABLE device_codes ADD COLUMN confirmation_digest BLOB;
ALTER TABLE device_codes ADD COLUMN confirming_user_id INTEGER REFERENCES users(id);
ALTER TABLE device_codes ADD COLUMN confirmation_expires_at INTEGER;
PRAGMA user_version = 4;
)sql";

}  // namespace token_server
