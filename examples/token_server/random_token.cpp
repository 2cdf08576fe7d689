#include "random_token.hpp"

#include <sodium.h>

namespace token_server {

token hex_of(const std::array<unsigned char, 32>& bytes) noexcept {
    constexpr std::string_view digits = "0123456789abcdef";
    token t;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        t.hex[2 * i] = digits[bytes[i] >> 4];
        t.hex[2 * i + 1] = digits[bytes[i] & 0x0F];
    }
    return t;
}

token make_token() {
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    const token t = hex_of(bytes);
    sodium_memzero(bytes.data(), bytes.size());
    return t;
}

token_digest digest_of(std::string_view token_text) {
    static_assert(crypto_hash_sha256_BYTES == 32);
    token_digest digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token_text.data()), token_text.size());
    return digest;
}

}  // namespace token_server
