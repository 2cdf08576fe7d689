#pragma once
// Random tokens (generated client secrets, codes, the sign-in page's CSRF token): 32
// bytes from the operating system's CSPRNG (libsodium's randombytes_buf), written as 64
// lowercase hex characters like the vendor's examples.
// 256 bits cannot be guessed (RFC 6749 10.10 asks for at most 2^-128), and hex is
// within RFC 6749 Appendix A's VSCHAR.

#include <array>
#include <optional>
#include <string_view>

namespace token_server {

struct token {
    std::array<char, 64> hex{};

    [[nodiscard]] std::string_view view() const noexcept { return {hex.data(), hex.size()}; }
};

[[nodiscard]] token make_token();

// Access and refresh tokens: 64 lowercase hex digits too, the first 16 of them the time
// of issue (microseconds since the Unix epoch, big-endian) and the other 48 24 bytes
// from the CSPRNG (192 bits, still far past RFC 6749 10.10's 2^-128). The time is there
// for the database's sake (ordered_digest_of); it tells the holder of the token no more
// than when the token was issued, which the holder knows.
[[nodiscard]] token make_ordered_token();

// 32 bytes (random ones, a digest) as 64 lowercase hex digits.
[[nodiscard]] token hex_of(const std::array<unsigned char, 32>& bytes) noexcept;

// SHA-256 of a random token's text (a code, a generated secret; an access or refresh
// token of a server before ordered digests): what the database keeps instead of the
// token, so that a copy of the database does not hand out working tokens. A plain hash
// suffices: the tokens hold at least 192 random bits, there is nothing to guess or look up.
using token_digest = std::array<unsigned char, 32>;
[[nodiscard]] token_digest digest_of(std::string_view token_text);

// What the database keeps of an access or refresh token: the token's first 8 bytes (its
// time of issue, the first 16 hex digits decoded) and then the first 24 bytes of its
// SHA-256. The digests are the keys of the tokens' unique indexes; a SHA-256 alone puts
// each new row's key at a random place, so that every insert writes a different index
// page (in the WAL, then again at the checkpoint) once the index outgrows a batch: the
// server slowed down as its tables grew. Keys in time order land on the index's last
// pages (docs/PERFORMANCE.md "Index keys in time order"). 24 bytes of SHA-256 keep a
// copy of the database from handing out working tokens (192-bit preimages). nullopt
// for a text that is not 64 lowercase hex digits (no token of ours).
// Tokens issued before (make_token's, all random) are kept as their digest_of: a lookup
// tries the ordered digest first and that one when it finds nothing (stores.cpp).
[[nodiscard]] std::optional<token_digest> ordered_digest_of(std::string_view token_text);

}  // namespace token_server
