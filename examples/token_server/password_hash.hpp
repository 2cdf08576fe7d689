#pragma once
// User passwords and client secrets of unknown strength are stored only as argon2id
// hashes, made and checked by libsodium (crypto_pwhash_str picks argon2id and writes salt and cost
// into the string, so a stored hash keeps working if the cost below changes).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace token_server {

// The argon2id cost of new hashes: OWASP's recommended argon2id minimum (Password
// Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1): about 0.1 s per check on this class
// of machine, a quarter of libsodium's "interactive" 64 MiB, so that a server on a
// small machine can check many logins at once and the tests stay fast.
inline constexpr unsigned long long hash_opslimit = 2;
inline constexpr std::size_t hash_memlimit = 19 * 1024 * 1024;

// The encoded argon2id hash of `password`, or nullopt when libsodium could not get
// the memory the cost asks for.
[[nodiscard]] std::optional<std::string> hash_password(std::string_view password);

// True when `password` matches `hash`. Takes as long for a wrong password as for a
// right one (the time depends on the cost stored in the hash, not on the password).
[[nodiscard]] bool verify_password(const std::string& hash, std::string_view password);

// Client secrets by origin (README, "Client secrets"). A secret with at least 128 bits
// of entropy (one the server generated, 256 bits from the CSPRNG, or one the operator
// declares so) cannot be guessed, offline or online, so a slow hash buys nothing for it
// and costs every request of a machine client ~0.05-0.1 s of argon2id. It is stored as
// "sha256:" and the hex SHA-256 of the secret, and checked by comparing digests in
// constant time. Plain SHA-256 rather than HMAC with a server key: a key protects
// low-entropy secrets against a stolen database, and these have none to protect, while
// a key would have to be kept, rotated and shared by every server of a cluster.
// Everything else (an operator's secret of unknown strength, every user password)
// stays argon2id. The scheme is part of the stored string, so databases written before
// keep working: an argon2id string starts with "$argon2id$".
inline constexpr std::string_view fast_secret_scheme = "sha256:";
// The least length of a secret the operator declares high-entropy (add-client
// --high-entropy-secret): 32 hex digits carry 128 bits.
inline constexpr std::size_t high_entropy_secret_min_size = 32;

[[nodiscard]] std::string fast_secret_hash(std::string_view secret);

// True for a stored string that fast_secret_hash made (checked in microseconds); false
// for an argon2id string (or anything else, which verify_secret hands to libsodium).
[[nodiscard]] inline bool is_fast_secret_hash(std::string_view stored) noexcept {
    return stored.starts_with(fast_secret_scheme);
}

// True when `secret` matches `stored`, a fast_secret_hash or an argon2id string; each
// takes the same time for a right and a wrong secret (of one length).
[[nodiscard]] bool verify_secret(const std::string& stored, std::string_view secret);

// What an unknown client's secret is checked against: a fast hash of a random secret,
// so that an unknown client id costs what a wrong secret of a generated one costs.
// Client ids are not secret (RFC 6749 2.2); a client with an argon2id secret still
// takes the slow check for a wrong secret, which tells that such a client exists.
[[nodiscard]] const std::string& dummy_secret_hash();

// A hash of a random password, with the same cost as real records, made on first use.
// Stores check an unknown user's or client's password against it, so that a name that
// does not exist takes as long to reject as a wrong password (RFC 6749 10.10: no
// oracle that tells which user names exist).
[[nodiscard]] const std::string& dummy_hash();

}  // namespace token_server
