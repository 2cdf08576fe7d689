#include "password_hash.hpp"

#include <sodium.h>

#include <array>
#include <string_view>

#include "random_token.hpp"

namespace token_server {

std::optional<std::string> hash_password(std::string_view password) {
    std::array<char, crypto_pwhash_STRBYTES> hash{};
    static_assert(hash_opslimit >= crypto_pwhash_OPSLIMIT_MIN && hash_memlimit >= crypto_pwhash_MEMLIMIT_MIN);
    if (crypto_pwhash_str_alg(hash.data(), password.data(), password.size(), hash_opslimit, hash_memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return std::nullopt;
    return std::string(hash.data());
}

bool verify_password(const std::string& hash, std::string_view password) {
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string fast_secret_hash(std::string_view secret) {
    std::string out(fast_secret_scheme);
    out += hex_of(digest_of(secret)).view();
    return out;
}

bool verify_secret(const std::string& stored, std::string_view secret) {
    if (!is_fast_secret_hash(stored)) return verify_password(stored, secret);
    // The stored digits are 64 unless the stored string is corrupt. No allocation: this
    // runs for every request of a machine client.
    const token presented = hex_of(digest_of(secret));
    const std::string_view stored_hex = std::string_view(stored).substr(fast_secret_scheme.size());
    return stored_hex.size() == presented.view().size() &&
           sodium_memcmp(presented.view().data(), stored_hex.data(), stored_hex.size()) == 0;
}

const std::string& dummy_secret_hash() {
    static const std::string hash = fast_secret_hash(make_token().view());
    return hash;
}

const std::string& dummy_hash() {
    // Thread-safe initialization (a function-local static). If the hash cannot be
    // made, an empty string fails every check, quickly: better than refusing to run.
    static const std::string hash = [] {
        const token random = make_token();
        return hash_password(random.view()).value_or(std::string());
    }();
    return hash;
}

}  // namespace token_server
