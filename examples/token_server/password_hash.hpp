#pragma once
// Client secrets and user passwords are stored only as argon2id hashes, made and
// checked by libsodium (crypto_pwhash_str picks argon2id and writes salt and cost
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

// A hash of a random password, with the same cost as real records, made on first use.
// Stores check an unknown user's or client's password against it, so that a name that
// does not exist takes as long to reject as a wrong password (RFC 6749 10.10: no
// oracle that tells which user names exist).
[[nodiscard]] const std::string& dummy_hash();

}  // namespace token_server
