#include "oauthcore/base64.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "catch.hpp"

using namespace oauthcore;

namespace {

std::optional<std::string> decode(std::string_view encoded) {
    const auto size = base64_decoded_size(encoded);
    if (!size) return std::nullopt;
    std::string out(*size, '\0');
    const auto written = decode_base64(encoded, out.data());
    if (!written) return std::nullopt;
    REQUIRE(*written == out.size());
    return out;
}

std::string encode(std::string_view bytes) {
    std::string out(base64_encoded_size(bytes.size()), '\0');
    REQUIRE(encode_base64(bytes, out.data()) == out.size());
    return out;
}

template <std::size_t N>
constexpr bool decodes_to(std::string_view encoded, std::string_view expected) {
    std::array<char, N> out{};
    const auto size = decode_base64(encoded, out.data());
    return size && std::string_view(out.data(), *size) == expected;
}

// RFC 4648 10 test vectors, at compile time.
static_assert(decodes_to<1>("", ""));
static_assert(decodes_to<8>("Zg==", "f"));
static_assert(decodes_to<8>("Zm8=", "fo"));
static_assert(decodes_to<8>("Zm9v", "foo"));
static_assert(decodes_to<8>("Zm9vYg==", "foob"));
static_assert(decodes_to<8>("Zm9vYmE=", "fooba"));
static_assert(decodes_to<8>("Zm9vYmFy", "foobar"));
static_assert(!decodes_to<8>("Zm9vYmF", "fooba"));

}  // namespace

TEST_CASE("base64: RFC 4648 section 10 test vectors decode", "[base64][rfc4648]") {
    CHECK(decode("") == "");
    CHECK(decode("Zg==") == "f");
    CHECK(decode("Zm8=") == "fo");
    CHECK(decode("Zm9v") == "foo");
    CHECK(decode("Zm9vYg==") == "foob");
    CHECK(decode("Zm9vYmE=") == "fooba");
    CHECK(decode("Zm9vYmFy") == "foobar");
}

TEST_CASE("base64: RFC 4648 section 10 test vectors encode", "[base64][rfc4648]") {
    CHECK(encode("") == "");
    CHECK(encode("f") == "Zg==");
    CHECK(encode("fo") == "Zm8=");
    CHECK(encode("foo") == "Zm9v");
    CHECK(encode("foob") == "Zm9vYg==");
    CHECK(encode("fooba") == "Zm9vYmE=");
    CHECK(encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64: RFC 7617 section 2 example user-pass", "[base64][rfc7617]") {
    CHECK(decode("QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == "Aladdin:open sesame");
}

TEST_CASE("base64: missing padding is rejected (RFC 4648 3.2)", "[base64][rfc4648]") {
    CHECK_FALSE(decode("Zg"));
    CHECK_FALSE(decode("Zm8"));
    CHECK_FALSE(decode("Z"));
}

TEST_CASE("base64: characters outside the alphabet are rejected (RFC 4648 3.3)", "[base64][rfc4648]") {
    CHECK_FALSE(decode("Zm9v YmFy"));
    CHECK_FALSE(decode("Zm9v\nYmFy"));
    CHECK_FALSE(decode("Zm9-"));  // URL-safe alphabet
    CHECK_FALSE(decode("Zm9_"));
    CHECK_FALSE(decode("Zm9*"));
    CHECK_FALSE(decode(std::string_view("Zm9\0", 4)));
}

TEST_CASE("base64: '=' only at the end, at most two (RFC 4648 3.2)", "[base64][rfc4648]") {
    CHECK_FALSE(decode("Zg==Zg=="));
    CHECK_FALSE(decode("Z==="));
    CHECK_FALSE(decode("===="));
    CHECK_FALSE(decode("Zm=v"));
    CHECK_FALSE(decode("Z=g="));
}

TEST_CASE("base64: non-zero pad bits are rejected (RFC 4648 3.5)", "[base64][rfc4648]") {
    CHECK(decode("Zg==") == "f");
    CHECK_FALSE(decode("Zh=="));
    CHECK(decode("Zm8=") == "fo");
    CHECK_FALSE(decode("Zm9="));
}

TEST_CASE("base64: every byte value round-trips", "[base64]") {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    for (std::size_t length = 0; length <= all.size(); length += 37) {
        const std::string bytes = all.substr(0, length);
        CHECK(decode(encode(bytes)) == bytes);
    }
}

TEST_CASE("base64: characters just outside the alphabet's ranges are rejected (RFC 4648 4)", "[base64][rfc4648]") {
    // Neighbours of A-Z, a-z, 0-9, '+' and '/' in ASCII.
    for (const char c : {'@', '[', '`', '{', '~', '.', ':', '*', ','}) {
        const std::string encoded = std::string("QUJD") + c + "UJD";
        INFO("character " << c);
        CHECK_FALSE(decode(encoded));
    }
}

TEST_CASE("base64: decode_base64 checks length and padding itself (RFC 4648 3.2)", "[base64][rfc4648]") {
    char out[8];
    CHECK_FALSE(decode_base64("QUJ", out));
    CHECK_FALSE(decode_base64("QUJDR", out));
    // '=' in the third place requires '=' in the fourth.
    CHECK_FALSE(decode_base64("QQ=B", out));
    CHECK(decode_base64("", out) == 0u);
}

TEST_CASE("base64: a byte outside the alphabet is rejected at every position of every group (RFC 4648 3.3)",
          "[base64][rfc4648]") {
    // Groups are decoded sixteen characters at a time (SSSE3), then two groups at a time,
    // then one, then the final group: a bad byte must be found in each, at each of its
    // four positions.
    for (std::size_t bytes = 1; bytes <= 60; ++bytes) {
        std::string plain;
        for (std::size_t i = 0; i < bytes; ++i) plain += static_cast<char>('a' + i % 26);
        const std::string good = encode(plain);
        REQUIRE(decode(good) == plain);
        const std::size_t data_chars = good.find('=') == std::string::npos ? good.size() : good.find('=');
        for (std::size_t at = 0; at < data_chars; ++at) {
            for (const char bad : {'\0', '-', '_', '.', ' ', '\x80', '\xff'}) {
                std::string encoded = good;
                encoded[at] = bad;
                CHECK_FALSE(decode(encoded));
            }
            // '=' is padding only in the final group (RFC 4648 3.2); in any other it is
            // as bad as a byte outside the alphabet.
            if (at < good.size() - 4) {
                std::string encoded = good;
                encoded[at] = '=';
                CHECK_FALSE(decode(encoded));
            }
        }
    }
}

TEST_CASE("base64: decoding writes exactly the decoded size, for every length", "[base64]") {
    // Exact-size heap blocks, so that a store past the end is caught by ASan.
    std::string plain;
    for (std::size_t bytes = 0; bytes <= 64; ++bytes) {
        const std::string encoded = encode(plain);
        const auto size = base64_decoded_size(encoded);
        REQUIRE(size);
        REQUIRE(*size == plain.size());
        const auto out = std::make_unique<char[]>(*size + (*size == 0 ? 1 : 0));
        const auto written = decode_base64(encoded, out.get());
        REQUIRE(written);
        CHECK(std::string_view(out.get(), *written) == plain);
        plain += static_cast<char>(bytes * 37 + 11);
    }
}

namespace {

// RFC 4648 4 spelled out one bit at a time, as the reference the fast paths are held to:
// the bytes of `encoded`, padding ignored, or nullopt when a character before the
// padding is outside the alphabet.
std::optional<std::string> reference_decode(std::string_view encoded) {
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    while (!encoded.empty() && encoded.back() == '=') encoded.remove_suffix(1);
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (const char c : encoded) {
        const auto value = alphabet.find(c);
        if (value == std::string_view::npos) return std::nullopt;
        bits = (bits << 6 | static_cast<unsigned>(value)) & 0xFFFFFFu;
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>(bits >> count & 0xFFu));
        }
    }
    return out;
}

// The same through detail::decode_base64_portable, the path of constant evaluation and
// big-endian targets.
std::optional<std::string> decode_portable(std::string_view encoded) {
    const auto size = base64_decoded_size(encoded);
    if (!size) return std::nullopt;
    std::string out(*size, '\0');
    const auto written = detail::decode_base64_portable(encoded, out.data());
    if (!written) return std::nullopt;
    REQUIRE(*written == out.size());
    return out;
}

}  // namespace

TEST_CASE("base64: every byte value in the final group, padded or not, on both paths (RFC 4648 3.2, 3.5)",
          "[base64][rfc4648]") {
    // Padding is read only in the final group: each byte at each of its positions, for
    // each padding, must be accepted exactly when the bit-by-bit reference accepts it and
    // the pad bits are zero (RFC 4648 3.5), by the lane-table path and the portable one.
    for (const std::string_view good : {"QUJDRA==", "QUJDREU=", "QUJDREVG"}) {
        for (std::size_t at = 4; at < good.size(); ++at) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string encoded(good);
                encoded[at] = static_cast<char>(byte);
                INFO(encoded);
                CHECK(decode(encoded) == decode_portable(encoded));
                if (byte != '=' && decode(encoded)) CHECK(decode(encoded) == reference_decode(encoded));
            }
        }
    }
}

TEST_CASE("base64: every byte value at every position of the vector blocks and the scalar groups (RFC 4648 4)",
          "[base64][rfc4648]") {
    // 40 characters: two blocks of sixteen (the SSSE3 path where the CPU has it), one
    // group of four through the lane tables, and the final group.
    std::string plain;
    for (std::size_t i = 0; i < 30; ++i) plain += static_cast<char>(i * 89 + 7);
    const std::string good = encode(plain);
    REQUIRE(good.size() == 40);
    for (std::size_t at = 0; at < good.size() - 4; ++at) {
        for (int byte = 0; byte < 256; ++byte) {
            std::string encoded = good;
            encoded[at] = static_cast<char>(byte);
            INFO("position " << at << ", byte " << byte);
            CHECK(decode(encoded) == reference_decode(encoded));
            CHECK(decode_portable(encoded) == reference_decode(encoded));
        }
    }
}

TEST_CASE("base64: the lane-table groups alone decode what the dispatching decoder does", "[base64]") {
    // On a CPU with SSSE3 the full groups go through the vector blocks; the scalar groups
    // must give the same bytes by themselves (they are what runs elsewhere).
    std::string plain;
    for (std::size_t bytes = 0; bytes <= 100; ++bytes) {
        const std::string encoded = encode(plain);
        const std::size_t full_groups = encoded.empty() ? 0 : encoded.size() / 4 - 1;
        std::string scalar(plain.size() + 8, '\0');
        REQUIRE(detail::decode_base64_groups_scalar(encoded.data(), 0, full_groups, scalar.data(), plain.size()));
        CHECK(scalar.substr(0, full_groups * 3) == plain.substr(0, full_groups * 3));
        CHECK(decode(encoded) == plain);
        if (full_groups > 0) {
            std::string bad = encoded;
            bad[full_groups * 4 - 1] = '*';
            CHECK_FALSE(detail::decode_base64_groups_scalar(bad.data(), 0, full_groups, scalar.data(), plain.size()));
        }
        plain += static_cast<char>(bytes * 53 + 3);
    }
}

namespace {

std::string encode_url(std::string_view bytes) {
    std::string out(base64url_encoded_size(bytes.size()), '\0');
    REQUIRE(encode_base64url(bytes, out.data()) == out.size());
    return out;
}

template <std::size_t N>
constexpr bool url_encodes_to(std::string_view bytes, std::string_view expected) {
    std::array<char, N> out{};
    const std::size_t written = encode_base64url(bytes, out.data());
    return written == base64url_encoded_size(bytes.size()) && std::string_view(out.data(), written) == expected;
}

// RFC 4648 10 test vectors in base64url without padding, at compile time.
static_assert(url_encodes_to<1>("", ""));
static_assert(url_encodes_to<8>("f", "Zg"));
static_assert(url_encodes_to<8>("foobar", "Zm9vYmFy"));

}  // namespace

TEST_CASE("base64url: RFC 4648 section 10 test vectors, without padding (RFC 4648 5, RFC 7636 Appendix A)",
          "[base64][rfc4648][rfc7636]") {
    CHECK(encode_url("") == "");
    CHECK(encode_url("f") == "Zg");
    CHECK(encode_url("fo") == "Zm8");
    CHECK(encode_url("foo") == "Zm9v");
    CHECK(encode_url("foob") == "Zm9vYg");
    CHECK(encode_url("fooba") == "Zm9vYmE");
    CHECK(encode_url("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64url: '-' and '_' stand for '+' and '/' (RFC 4648 5)", "[base64][rfc4648]") {
    CHECK(encode("\xfb\xff") == "+/8=");
    CHECK(encode_url("\xfb\xff") == "-_8");
    CHECK(encode_url("\xff\xff\xff") == "____");
    CHECK(encode_url("\xfb\xef\xbe") == "----");
}

TEST_CASE("base64url: for every length, the base64 encoding with the URL alphabet and no padding (RFC 4648 5)",
          "[base64][rfc4648]") {
    std::string bytes;
    for (std::size_t size = 0; size <= 100; ++size) {
        std::string expected = encode(bytes);
        while (!expected.empty() && expected.back() == '=') expected.pop_back();
        for (char& c : expected) c = c == '+' ? '-' : c == '/' ? '_' : c;
        INFO("length " << size);
        CHECK(base64url_encoded_size(size) == expected.size());
        CHECK(encode_url(bytes) == expected);
        bytes += static_cast<char>(size * 151 + 29);
    }
}
