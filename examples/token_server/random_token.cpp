#include "random_token.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

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

token make_ordered_token() {
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data() + 8, bytes.size() - 8);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const auto micros = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
    for (std::size_t i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(micros >> (56 - 8 * i));
    const token t = hex_of(bytes);
    sodium_memzero(bytes.data(), bytes.size());
    return t;
}

std::optional<token_digest> ordered_digest_of(std::string_view token_text) {
    if (token_text.size() != token{}.hex.size()) return std::nullopt;
    const auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    token_digest ordered{};
    for (std::size_t i = 0; i < token_text.size(); ++i)
        if (value(token_text[i]) < 0) return std::nullopt;
    for (std::size_t i = 0; i < 8; ++i)
        ordered[i] = static_cast<unsigned char>(value(token_text[2 * i]) << 4 | value(token_text[2 * i + 1]));
    const token_digest full = digest_of(token_text);
    std::copy_n(full.begin(), ordered.size() - 8, ordered.begin() + 8);
    return ordered;
}

token_digest digest_of(std::string_view token_text) {
    static_assert(crypto_hash_sha256_BYTES == 32);
    token_digest digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token_text.data()), token_text.size());
    return digest;
}

}  // namespace token_server
