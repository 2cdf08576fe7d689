#pragma once
// PKCE, Proof Key for Code Exchange (RFC 7636): the pure parts that the authorization
// endpoint (which stores a code's challenge) and the token endpoint (which checks the
// verifier against it) share.
//
//   code-verifier  = 43*128unreserved                          ; RFC 7636 4.1
//   code-challenge = 43*128unreserved                          ; RFC 7636 4.2
//   unreserved     = ALPHA / DIGIT / "-" / "." / "_" / "~"     ; RFC 3986 2.3
//   ALPHA          = %x41-5A / %x61-7A
//   DIGIT          = %x30-39
//
//   plain: code_challenge = code_verifier                       ; RFC 7636 4.2
//   S256:  code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))
//
// What we accept and why:
//  - A verifier exactly as the grammar says, nothing trimmed (the form layer has already
//    percent-decoded it). A verifier outside the grammar never verifies, even when its
//    transformation equals the challenge: one shorter than 43 characters holds too little
//    entropy to resist guessing (RFC 7636 4.1, 7.1), and no conforming client sends the
//    others.
//  - A plain challenge by the same rule (it is a verifier).
//  - An S256 challenge more strictly than the grammar: exactly 43 characters of the
//    base64url alphabet (RFC 4648 5) whose last carries no bit beyond the digest's 256
//    (RFC 4648 3.5), since BASE64URL-ENCODE of a SHA-256 digest (RFC 7636 Appendix A: no
//    padding) writes nothing else. Any other S256 challenge can never be met, so an
//    authorization endpoint refuses it at once (invalid_request, RFC 7636 4.4.1) rather
//    than issue a code nobody can redeem.
//  - The method names "plain" and "S256" exactly (RFC 7636 4.3, 6.2.2; case-sensitive, so
//    "s256" is refused). A request without code_challenge_method means plain (4.3); that,
//    and whether plain is allowed at all (RFC 9700 2.1.1: S256 is the one to use), is the
//    caller's decision.
//
// Nothing here allocates; everything but verify_code_verifier (whose comparison is built
// to run in the same time whatever the bytes) also runs in constant evaluation.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "oauthcore/base64.hpp"
#include "oauthcore/constant_time.hpp"
#include "oauthcore/detail/s256_challenge.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/detail/unreserved.hpp"
#include "oauthcore/sha256.hpp"

namespace oauthcore {

inline constexpr std::size_t code_verifier_min_size = 43;   // RFC 7636 4.1
inline constexpr std::size_t code_verifier_max_size = 128;  // RFC 7636 4.1
// BASE64URL-ENCODE of 32 bytes without padding (RFC 7636 4.2, Appendix A).
inline constexpr std::size_t s256_code_challenge_size = 43;

// The code_challenge_method values (RFC 7636 4.3, registered in 6.2.2).
enum class code_challenge_method { plain, s256 };

// True when `verifier` is a code-verifier: 43 to 128 unreserved characters (RFC 7636 4.1).
[[nodiscard]] constexpr bool is_code_verifier(std::string_view verifier) noexcept {
    return verifier.size() >= code_verifier_min_size && verifier.size() <= code_verifier_max_size &&
           detail::all_unreserved(verifier);
}

// True when `challenge` is a code_challenge that `method` can be met with: for plain, the
// verifier's rule; for S256, the 43 characters BASE64URL-ENCODE writes for a digest (see
// the top of this header).
[[nodiscard]] constexpr bool is_code_challenge(std::string_view challenge, code_challenge_method method) noexcept {
    switch (method) {
        case code_challenge_method::plain: return is_code_verifier(challenge);
        case code_challenge_method::s256: {
            if (challenge.size() != s256_code_challenge_size) return false;
            // base64url's alphabet is the unreserved set without '.' and '~' (RFC 4648 5).
            for (const char c : challenge)
                if (!detail::is_unreserved(c) || c == '.' || c == '~') return false;
            // 43 characters carry 258 bits: the last one's two low bits are not the digest's.
            return detail::base64url_alphabet.find(challenge.back()) % 4 == 0;
        }
    }
    return false;
}

// The method named `name` ("plain" or "S256", case-sensitive: RFC 7636 4.3), or nullopt.
[[nodiscard]] constexpr std::optional<code_challenge_method> parse_code_challenge_method(
    std::string_view name) noexcept {
    if (detail::bytes_equal(name, "S256")) return code_challenge_method::s256;
    if (detail::bytes_equal(name, "plain")) return code_challenge_method::plain;
    return std::nullopt;
}

// The registered name of `method` (RFC 7636 6.2.2), for storage and for server metadata
// (code_challenge_methods_supported, RFC 8414 2).
[[nodiscard]] constexpr std::string_view code_challenge_method_name(code_challenge_method method) noexcept {
    return method == code_challenge_method::s256 ? "S256" : "plain";
}

// BASE64URL-ENCODE(SHA256(ASCII(verifier))) (RFC 7636 4.2): the S256 challenge of
// `verifier`, whatever its bytes (check them with is_code_verifier first where it matters).
[[nodiscard]] constexpr std::array<char, s256_code_challenge_size> s256_code_challenge(
    std::string_view verifier) noexcept {
    std::array<char, s256_code_challenge_size> challenge;
    encode_base64url(sha256(verifier), challenge.data());
    return challenge;
}

namespace detail {

// verify_code_verifier for a `verifier` the caller has already found to be a
// code-verifier (is_code_verifier): the transformation and the comparison alone. The
// authorization_code grant checks the verifier's syntax at step 2, before any store is
// asked, and calls this at step 8, so that its bytes are not scanned twice.
[[nodiscard]] inline bool code_verifier_meets(std::string_view verifier, std::string_view challenge,
                                              code_challenge_method method) noexcept {
    switch (method) {
        case code_challenge_method::plain: return constant_time_equal(verifier, challenge);
        case code_challenge_method::s256: return s256_challenge_matches(verifier, challenge);
    }
    return false;
}

}  // namespace detail

// The token endpoint's check (RFC 7636 4.6): true when `verifier` is a code-verifier and
// its transformation by `method` equals the `challenge` stored with the code. For S256,
// BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge; for plain,
// code_verifier == code_challenge. The comparison's time depends on the lengths alone
// (constant_time_equal; for S256, detail/s256_challenge.hpp, which keeps the digest and
// its characters in registers where the CPU has the SHA extensions), so a client cannot
// learn, byte by byte, how much of a guess was right. An invalid verifier returns at
// once: the time then tells only what the client sent.
//
// The caller decides beforehand whether `method` is allowed for this client (plain only
// when the host enables it, RFC 9700 2.1.1), and treats a false answer as invalid_grant
// (RFC 7636 4.6).
[[nodiscard]] inline bool verify_code_verifier(std::string_view verifier, std::string_view challenge,
                                               code_challenge_method method) noexcept {
    return is_code_verifier(verifier) && detail::code_verifier_meets(verifier, challenge, method);
}

}  // namespace oauthcore
