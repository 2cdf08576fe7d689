#pragma once
// Access and refresh tokens: 32 bytes from the operating system's CSPRNG (libsodium's
// randombytes_buf), written as 64 lowercase hex characters like the vendor's examples.
// 256 bits cannot be guessed (RFC 6749 10.10 asks for at most 2^-128), and hex is
// within RFC 6749 Appendix A's VSCHAR.

#include <array>
#include <string_view>

namespace token_server {

struct token {
    std::array<char, 64> hex{};

    [[nodiscard]] std::string_view view() const noexcept { return {hex.data(), hex.size()}; }
};

[[nodiscard]] token make_token();

// 32 bytes (random ones, a digest) as 64 lowercase hex digits.
[[nodiscard]] token hex_of(const std::array<unsigned char, 32>& bytes) noexcept;

// SHA-256 of a token's text: what the database keeps instead of the token, so that
// a copy of the database does not hand out working tokens. A plain hash suffices:
// the tokens are random with 256 bits, there is nothing to guess or look up.
using token_digest = std::array<unsigned char, 32>;
[[nodiscard]] token_digest digest_of(std::string_view token_text);

}  // namespace token_server
