#include "oauthcore/pkce.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "catch.hpp"

using namespace oauthcore;

namespace {

// RFC 7636 Appendix B.
constexpr std::string_view appendix_b_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view appendix_b_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

constexpr std::string_view view(const std::array<char, s256_code_challenge_size>& challenge) {
    return {challenge.data(), challenge.size()};
}

static_assert(view(s256_code_challenge(appendix_b_verifier)) == appendix_b_challenge);
static_assert(is_code_verifier(appendix_b_verifier));
static_assert(is_code_challenge(appendix_b_challenge, code_challenge_method::s256));
static_assert(parse_code_challenge_method("S256") == code_challenge_method::s256);
static_assert(!parse_code_challenge_method("s256"));

// The unreserved set of RFC 3986 2.3 spelled out, as the reference the table is held to.
constexpr std::string_view unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
constexpr std::string_view base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string verifier_of(std::size_t size) {
    std::string verifier;
    for (std::size_t i = 0; i < size; ++i) verifier += unreserved[(i * 7 + 3) % unreserved.size()];
    return verifier;
}

}  // namespace

TEST_CASE("pkce: S256 challenge of the RFC 7636 Appendix B verifier", "[pkce][rfc7636]") {
    CHECK(view(s256_code_challenge(appendix_b_verifier)) == appendix_b_challenge);
    CHECK(verify_code_verifier(appendix_b_verifier, appendix_b_challenge, code_challenge_method::s256));
}

TEST_CASE("pkce: the RFC 7636 Appendix B octets and digest, through base64url without padding (Appendix A)",
          "[pkce][rfc7636]") {
    // The verifier is the base64url encoding of 32 random octets, its challenge that of
    // their SHA-256 digest; Appendix B lists both.
    constexpr std::array<unsigned char, 32> octets = {116, 24,  223, 180, 151, 153, 224, 37,  79,  250, 96,
                                                      125, 216, 173, 187, 186, 22,  212, 37,  77,  105, 214,
                                                      191, 240, 91,  88,  5,   88,  83,  132, 141, 121};
    constexpr sha256_digest digest = {19,  211, 30,  150, 26,  26,  216, 236, 47,  22,  177, 12, 76,  152, 46,  8,
                                      118, 168, 120, 173, 109, 241, 68,  86,  110, 225, 137, 74, 203, 112, 249, 195};
    const std::string octet_chars(octets.begin(), octets.end());
    std::string encoded(base64url_encoded_size(octet_chars.size()), '\0');
    REQUIRE(encode_base64url(octet_chars, encoded.data()) == encoded.size());
    CHECK(encoded == appendix_b_verifier);
    CHECK(sha256(appendix_b_verifier) == digest);
}

TEST_CASE("pkce: a wrong verifier does not meet an S256 challenge (RFC 7636 4.6)", "[pkce][rfc7636]") {
    // Each character of the Appendix B verifier changed in turn, and the verifier of
    // another challenge.
    for (std::size_t at = 0; at < appendix_b_verifier.size(); ++at) {
        std::string wrong(appendix_b_verifier);
        wrong[at] = wrong[at] == 'A' ? 'B' : 'A';
        INFO(wrong);
        CHECK_FALSE(verify_code_verifier(wrong, appendix_b_challenge, code_challenge_method::s256));
    }
    CHECK_FALSE(verify_code_verifier(verifier_of(43), appendix_b_challenge, code_challenge_method::s256));
    CHECK_FALSE(verify_code_verifier(std::string(appendix_b_verifier) + "A", appendix_b_challenge,
                                     code_challenge_method::s256));
}

TEST_CASE("pkce: an S256 challenge compared in full, wherever it differs (RFC 7636 4.6)", "[pkce][rfc7636]") {
    for (std::size_t at = 0; at < appendix_b_challenge.size(); ++at) {
        std::string wrong(appendix_b_challenge);
        wrong[at] = wrong[at] == 'A' ? 'E' : 'A';
        INFO(wrong);
        CHECK_FALSE(verify_code_verifier(appendix_b_verifier, wrong, code_challenge_method::s256));
    }
    CHECK_FALSE(
        verify_code_verifier(appendix_b_verifier, appendix_b_challenge.substr(0, 42), code_challenge_method::s256));
    CHECK_FALSE(verify_code_verifier(appendix_b_verifier, std::string(appendix_b_challenge) + "=",
                                     code_challenge_method::s256));
    CHECK_FALSE(verify_code_verifier(appendix_b_verifier, "", code_challenge_method::s256));
}

TEST_CASE(
    "pkce: the S256 challenge is not met by the verifier itself, nor plain by the S256 challenge "
    "(RFC 7636 4.6, 7.2)",
    "[pkce][rfc7636]") {
    // The method stored with the code decides the comparison: a client cannot switch it.
    CHECK_FALSE(verify_code_verifier(appendix_b_verifier, appendix_b_verifier, code_challenge_method::s256));
    CHECK_FALSE(verify_code_verifier(appendix_b_verifier, appendix_b_challenge, code_challenge_method::plain));
}

TEST_CASE("pkce: plain compares the verifier with the challenge directly (RFC 7636 4.2, 4.6)", "[pkce][rfc7636]") {
    for (const std::size_t size : {std::size_t{43}, std::size_t{64}, std::size_t{128}}) {
        const std::string verifier = verifier_of(size);
        INFO("verifier of " << size << " characters");
        CHECK(verify_code_verifier(verifier, verifier, code_challenge_method::plain));
        for (const std::size_t at : {std::size_t{0}, size / 2, size - 1}) {
            std::string other = verifier;
            other[at] = other[at] == '~' ? '-' : '~';
            CHECK_FALSE(verify_code_verifier(other, verifier, code_challenge_method::plain));
            CHECK_FALSE(verify_code_verifier(verifier, other, code_challenge_method::plain));
        }
        CHECK_FALSE(verify_code_verifier(verifier, verifier.substr(0, size - 1), code_challenge_method::plain));
    }
}

TEST_CASE("pkce: verifier length 43 to 128 (RFC 7636 4.1)", "[pkce][rfc7636]") {
    CHECK_FALSE(is_code_verifier(""));
    CHECK_FALSE(is_code_verifier(verifier_of(1)));
    CHECK_FALSE(is_code_verifier(verifier_of(42)));
    CHECK(is_code_verifier(verifier_of(43)));
    CHECK(is_code_verifier(verifier_of(100)));
    CHECK(is_code_verifier(verifier_of(128)));
    CHECK_FALSE(is_code_verifier(verifier_of(129)));
    CHECK_FALSE(is_code_verifier(verifier_of(1000)));
    for (std::size_t size = 0; size <= 200; ++size) {
        INFO("length " << size);
        CHECK(is_code_verifier(verifier_of(size)) == (size >= 43 && size <= 128));
        CHECK(is_code_challenge(verifier_of(size), code_challenge_method::plain) == (size >= 43 && size <= 128));
    }
}

TEST_CASE(
    "pkce: a verifier outside the grammar never verifies, even against its own transformation "
    "(RFC 7636 4.1, 4.6)",
    "[pkce][rfc7636]") {
    const std::string too_short = verifier_of(42);
    CHECK_FALSE(verify_code_verifier(too_short, view(s256_code_challenge(too_short)), code_challenge_method::s256));
    CHECK_FALSE(verify_code_verifier(too_short, too_short, code_challenge_method::plain));
    const std::string too_long = verifier_of(129);
    CHECK_FALSE(verify_code_verifier(too_long, view(s256_code_challenge(too_long)), code_challenge_method::s256));
    CHECK_FALSE(verify_code_verifier(too_long, too_long, code_challenge_method::plain));
    std::string with_space(appendix_b_verifier);
    with_space[10] = ' ';
    CHECK_FALSE(verify_code_verifier(with_space, view(s256_code_challenge(with_space)), code_challenge_method::s256));
    CHECK_FALSE(verify_code_verifier(with_space, with_space, code_challenge_method::plain));
    // Percent-encoding is the form layer's to undo: "%7E" here is three characters, '%' not unreserved.
    const std::string percent = verifier_of(40) + "%7E";
    CHECK_FALSE(verify_code_verifier(percent, percent, code_challenge_method::plain));
}

TEST_CASE(
    "pkce: every byte value at the first, a middle and the last position of a verifier "
    "(RFC 7636 4.1 unreserved)",
    "[pkce][rfc7636]") {
    for (const std::size_t size : {std::size_t{43}, std::size_t{128}}) {
        for (const std::size_t at : {std::size_t{0}, size / 2, size - 1}) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string verifier = verifier_of(size);
                verifier[at] = static_cast<char>(byte);
                const bool allowed = unreserved.find(static_cast<char>(byte)) != std::string_view::npos;
                INFO("length " << size << ", position " << at << ", byte " << byte);
                CHECK(is_code_verifier(verifier) == allowed);
                CHECK(is_code_challenge(verifier, code_challenge_method::plain) == allowed);
                CHECK(verify_code_verifier(verifier, verifier, code_challenge_method::plain) == allowed);
                CHECK(verify_code_verifier(verifier, view(s256_code_challenge(verifier)),
                                           code_challenge_method::s256) == allowed);
            }
        }
    }
}

TEST_CASE("pkce: code_challenge_method names are exactly \"plain\" and \"S256\" (RFC 7636 4.3, 6.2.2)",
          "[pkce][rfc7636]") {
    CHECK(parse_code_challenge_method("S256") == code_challenge_method::s256);
    CHECK(parse_code_challenge_method("plain") == code_challenge_method::plain);
    for (const std::string_view name : {"s256", "S-256", "sha256", "SHA256", "S256 ", " S256", "S25", "S2566", "Plain",
                                        "PLAIN", "plain ", "", "none"}) {
        INFO('"' << std::string(name) << '"');
        CHECK_FALSE(parse_code_challenge_method(name));
    }
    CHECK_FALSE(parse_code_challenge_method(std::string_view("S256\0", 5)));
    for (const auto method : {code_challenge_method::plain, code_challenge_method::s256})
        CHECK(parse_code_challenge_method(code_challenge_method_name(method)) == method);
    CHECK(code_challenge_method_name(code_challenge_method::s256) == "S256");
}

TEST_CASE("pkce: an S256 challenge is 43 base64url characters (RFC 7636 4.2, Appendix A)", "[pkce][rfc7636]") {
    CHECK(is_code_challenge(appendix_b_challenge, code_challenge_method::s256));
    CHECK_FALSE(is_code_challenge(appendix_b_challenge.substr(0, 42), code_challenge_method::s256));
    CHECK_FALSE(is_code_challenge(std::string(appendix_b_challenge) + "A", code_challenge_method::s256));
    CHECK_FALSE(is_code_challenge(std::string(appendix_b_challenge) + "=", code_challenge_method::s256));
    CHECK_FALSE(is_code_challenge("", code_challenge_method::s256));
    // A 64-character challenge fits code-challenge's grammar but is no S256 challenge.
    CHECK(is_code_challenge(verifier_of(64), code_challenge_method::plain));
    CHECK_FALSE(is_code_challenge(verifier_of(64), code_challenge_method::s256));
    // Every byte at the first and a middle position: base64url's alphabet only, so
    // unreserved '.' and '~' (allowed in a plain challenge) are refused, as are base64's '+' and '/'.
    for (const std::size_t at : {std::size_t{0}, std::size_t{21}}) {
        for (int byte = 0; byte < 256; ++byte) {
            std::string challenge(appendix_b_challenge);
            challenge[at] = static_cast<char>(byte);
            INFO("position " << at << ", byte " << byte);
            CHECK(is_code_challenge(challenge, code_challenge_method::s256) ==
                  (base64url.find(static_cast<char>(byte)) != std::string_view::npos));
        }
    }
}

TEST_CASE("pkce: an S256 challenge's last character carries no bit beyond the digest (RFC 4648 3.5)",
          "[pkce][rfc7636][rfc4648]") {
    // 43 characters hold 258 bits: the last one's two low bits are padding, zero in
    // anything BASE64URL-ENCODE writes, so only 16 of the 64 characters can end a challenge.
    int accepted = 0;
    for (int byte = 0; byte < 256; ++byte) {
        std::string challenge(appendix_b_challenge);
        challenge.back() = static_cast<char>(byte);
        const auto value = base64url.find(static_cast<char>(byte));
        INFO("byte " << byte);
        const bool expected = value != std::string_view::npos && value % 4 == 0;
        CHECK(is_code_challenge(challenge, code_challenge_method::s256) == expected);
        accepted += expected ? 1 : 0;
    }
    CHECK(accepted == 16);
    CHECK_FALSE(is_code_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN", code_challenge_method::s256));
}

TEST_CASE("pkce: the challenge of every random verifier is a valid S256 challenge, and meets it (RFC 7636 4.2, 4.6)",
          "[pkce][rfc7636]") {
    std::mt19937_64 random(7636);
    for (int trial = 0; trial < 1000; ++trial) {
        std::string verifier(43 + random() % 86, '\0');
        for (char& c : verifier) c = unreserved[random() % unreserved.size()];
        const auto challenge = s256_code_challenge(verifier);
        INFO(verifier);
        REQUIRE(is_code_verifier(verifier));
        CHECK(is_code_challenge(view(challenge), code_challenge_method::s256));
        CHECK(verify_code_verifier(verifier, view(challenge), code_challenge_method::s256));
        CHECK(verify_code_verifier(verifier, verifier, code_challenge_method::plain));
    }
}

TEST_CASE("pkce: a method outside the enumeration verifies nothing", "[pkce]") {
    // Total on every value of the type, as a stored method read back from a database might be.
    const auto unknown = static_cast<code_challenge_method>(7);
    CHECK_FALSE(verify_code_verifier(appendix_b_verifier, appendix_b_challenge, unknown));
    CHECK_FALSE(verify_code_verifier(appendix_b_verifier, appendix_b_verifier, unknown));
    CHECK_FALSE(is_code_challenge(appendix_b_challenge, unknown));
}

TEST_CASE(
    "pkce: the sixteen-byte unreserved scan agrees with the table, every byte at every position "
    "(RFC 3986 2.3)",
    "[pkce][rfc3986]") {
    // detail::all_unreserved takes sixteen bytes a step from sixteen bytes up (the last step
    // overlapping): each byte value at each position of strings around those steps must be
    // judged as the plain reference judges it.
    for (const std::size_t size : {std::size_t{15}, std::size_t{16}, std::size_t{17}, std::size_t{31}, std::size_t{32},
                                   std::size_t{33}, std::size_t{43}, std::size_t{128}}) {
        const std::string base = verifier_of(size);
        REQUIRE(detail::all_unreserved(base));
        for (std::size_t at = 0; at < size; ++at) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string s = base;
                s[at] = static_cast<char>(byte);
                const bool expected = unreserved.find(static_cast<char>(byte)) != std::string_view::npos;
                INFO("length " << size << ", position " << at << ", byte " << byte);
                CHECK(detail::all_unreserved(s) == expected);
                CHECK(detail::all_unreserved_bytewise(s) == expected);
            }
        }
    }
    CHECK(detail::all_unreserved(""));
}

namespace {

// A copy of `s` in a heap block of exactly its size, so that a read past either end is
// caught by ASan or valgrind.
struct exact_copy {
    std::unique_ptr<char[]> bytes;
    std::size_t size;

    explicit exact_copy(std::string_view s)
        : bytes(std::make_unique<char[]>(s.empty() ? 1 : s.size())), size(s.size()) {
        std::copy(s.begin(), s.end(), bytes.get());
    }
    std::string_view view() const { return {bytes.get(), size}; }
};

// detail::s256_challenge_matches (the fast path where the CPU has the SHA extensions)
// against the definition, and the SHA-extensions function itself where it runs.
void check_s256_paths(std::string_view verifier, std::string_view challenge) {
    const exact_copy v(verifier);
    const exact_copy c(challenge);
    const bool reference = detail::s256_challenge_matches_portable(v.view(), c.view());
    CHECK(detail::s256_challenge_matches(v.view(), c.view()) == reference);
#if OAUTHCORE_HAVE_SHA_NI && OAUTHCORE_HAVE_SSSE3_BASE64
    if (detail::cpu_has_sha_ni()) CHECK(detail::s256_challenge_matches_sha_ni(v.view(), c.view()) == reference);
#endif
}

std::string random_bytes(std::mt19937_64& random, std::size_t size) {
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    return bytes;
}

}  // namespace

TEST_CASE("pkce: the S256 fast path equals the definition for every verifier length, right and wrong challenges",
          "[pkce][rfc7636]") {
#if OAUTHCORE_HAVE_SHA_NI
    if (!detail::cpu_has_sha_ni()) WARN("this CPU has no SHA extensions: s256_challenge_matches runs the definition");
#endif
    // Verifiers of any bytes and every length from 0 to 200 (one block of padding or two,
    // whole blocks before them), against their own challenge, that challenge with one
    // character changed at each position, shortened, lengthened, and another verifier's.
    std::mt19937_64 random(4648);
    for (std::size_t size = 0; size <= 200; ++size) {
        const std::string verifier = random_bytes(random, size);
        const auto own = s256_code_challenge(verifier);
        const std::string challenge(own.begin(), own.end());
        INFO("verifier of " << size << " bytes");
        CHECK(detail::s256_challenge_matches_portable(verifier, challenge));
        check_s256_paths(verifier, challenge);
        for (std::size_t at = 0; at < challenge.size(); ++at) {
            std::string wrong = challenge;
            wrong[at] = base64url[(base64url.find(wrong[at]) + 1 + random() % 63) % 64];
            check_s256_paths(verifier, wrong);
        }
        check_s256_paths(verifier, challenge.substr(0, 42));
        check_s256_paths(verifier, challenge + "A");
        check_s256_paths(verifier, view(s256_code_challenge(verifier + "x")));
    }
}

TEST_CASE("pkce: the S256 fast path equals the definition for every byte at every position of the challenge",
          "[pkce][rfc7636][rfc4648]") {
    // A byte outside base64url's alphabet anywhere, or a last character carrying bits
    // beyond the digest's (RFC 4648 3.5), never matches; the fast path decodes the
    // challenge rather than encoding the digest, so it must refuse these as the comparison
    // of characters does.
    const std::string long_verifier = verifier_of(128);
    for (const std::string_view verifier : {appendix_b_verifier, std::string_view(long_verifier)}) {
        const auto own = s256_code_challenge(verifier);
        for (std::size_t at = 0; at < own.size(); ++at) {
            for (int byte = 0; byte < 256; ++byte) {
                std::string challenge(own.begin(), own.end());
                challenge[at] = static_cast<char>(byte);
                INFO("verifier of " << verifier.size() << ", position " << at << ", byte " << byte);
                check_s256_paths(verifier, challenge);
            }
        }
    }
}

TEST_CASE("pkce: the S256 fast path refuses a challenge of any length but 43", "[pkce][rfc7636]") {
    std::mt19937_64 random(7636);
    for (std::size_t size = 0; size <= 100; ++size) {
        std::string challenge(size, 'A');
        for (char& c : challenge) c = base64url[random() % 64];
        INFO("challenge of " << size << " characters");
        check_s256_paths(appendix_b_verifier, challenge);
        if (size != s256_code_challenge_size)
            CHECK_FALSE(detail::s256_challenge_matches(appendix_b_verifier, challenge));
    }
    // The Appendix B challenge inside longer and shorter strings.
    check_s256_paths(appendix_b_verifier, std::string(appendix_b_challenge) + "=");
    check_s256_paths(appendix_b_verifier, "A" + std::string(appendix_b_challenge));
    check_s256_paths(appendix_b_verifier, appendix_b_challenge.substr(1));
}

TEST_CASE("pkce: code_verifier_meets, for a verifier already checked, answers as verify_code_verifier",
          "[pkce][rfc7636]") {
    // The reference: verify_code_verifier, on every code-verifier length, against its own
    // S256 challenge, a wrong one, itself (plain) and a plain challenge one byte off.
    for (std::size_t size = code_verifier_min_size; size <= code_verifier_max_size; ++size) {
        const std::string verifier = verifier_of(size);
        REQUIRE(is_code_verifier(verifier));
        const auto own = s256_code_challenge(verifier);
        std::string other_plain = verifier;
        other_plain[size / 2] = other_plain[size / 2] == 'A' ? 'B' : 'A';
        const std::string_view challenges[] = {view(own), appendix_b_challenge, verifier, other_plain, ""};
        for (const std::string_view challenge : challenges)
            for (const auto method : {code_challenge_method::s256, code_challenge_method::plain})
                CHECK(detail::code_verifier_meets(verifier, challenge, method) ==
                      verify_code_verifier(verifier, challenge, method));
    }
    CHECK(detail::code_verifier_meets(appendix_b_verifier, appendix_b_challenge, code_challenge_method::s256));
}
