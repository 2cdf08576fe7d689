// Fuzz target for pkce.hpp and sha256.hpp (and base64.hpp's base64url encoding).
//
// The first input byte picks a mode and where to cut; the rest is the material.
// Every input, whatever the mode:
//  - SHA-256: the one-shot digest equals the hasher's with the material cut at a chosen
//    point and in three pieces, libsodium's crypto_hash_sha256 where the build has it
//    (OAUTHCORE_FUZZ_HAVE_SODIUM); the material's whole blocks give the same state
//    through the dispatching block function (the SHA extensions where the CPU has them)
//    and the portable one, and its last bytes the same digest through both final steps.
//  - base64url: encode_base64url writes base64url_encoded_size characters, the same as
//    an encoder written here bit by bit (RFC 4648 5, no padding).
//  - The method names: parse_code_challenge_method accepts exactly "plain" and "S256".
// Then, by mode:
//  0. The material is a verifier as sent: is_code_verifier agrees with the grammar read
//     here (RFC 7636 4.1), and verify_code_verifier(v, S256 challenge of v, S256) and
//     verify_code_verifier(v, v, plain) are true exactly for a valid verifier.
//  1. The same with every byte mapped into the unreserved set first, so that most inputs
//     of 43 to 128 bytes are valid verifiers.
//  2. The material is "verifier\nchallenge": both methods verify exactly when the
//     verifier is valid and the challenge is its transformation, and
//     detail::s256_challenge_matches exactly when the challenge is its transformation
//     (whatever the verifier's bytes); is_code_challenge agrees with the rules read here.
//  3. As 2, with the challenge mapped into the base64url alphabet, so that S256
//     challenges of the right length are common.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "oauthcore/base64.hpp"
#include "oauthcore/pkce.hpp"
#include "oauthcore/sha256.hpp"

#if OAUTHCORE_FUZZ_HAVE_SODIUM
#include <sodium.h>
#endif

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

constexpr std::string_view unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
constexpr std::string_view base64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// RFC 4648 5 without padding, six bits at a time, written independently of base64.hpp.
std::string reference_base64url(std::string_view bytes) {
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (const char c : bytes) {
        bits = (bits << 8 | static_cast<unsigned char>(c)) & 0xFFFFu;
        count += 8;
        while (count >= 6) {
            count -= 6;
            out += base64url[bits >> count & 63u];
        }
    }
    if (count > 0) out += base64url[bits << (6 - count) & 63u];
    return out;
}

std::string_view chars_of(const oauthcore::sha256_digest& digest) {
    return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

// RFC 7636 4.1 read directly.
bool reference_is_verifier(std::string_view v) {
    return v.size() >= 43 && v.size() <= 128 && v.find_first_not_of(unreserved) == std::string_view::npos;
}

// RFC 7636 4.2 S256: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))), with the digest
// from libsodium where the build has it.
std::string reference_s256(std::string_view verifier) {
#if OAUTHCORE_FUZZ_HAVE_SODIUM
    oauthcore::sha256_digest digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size());
    return reference_base64url(chars_of(digest));
#else
    return reference_base64url(chars_of(oauthcore::sha256(verifier)));
#endif
}

// pkce.hpp's rule for an S256 challenge: 43 base64url characters, the last one's two
// low bits zero.
bool reference_is_s256_challenge(std::string_view c) {
    if (c.size() != 43 || c.find_first_not_of(base64url) != std::string_view::npos) return false;
    return base64url.find(c.back()) % 4 == 0;
}

void check_sha256(std::string_view material, unsigned cut_byte) {
    const oauthcore::sha256_digest digest = oauthcore::sha256(material);
    const std::size_t cut = material.size() * cut_byte / 255;
    oauthcore::sha256_hasher two_pieces;
    two_pieces.update(material.substr(0, cut)).update(material.substr(cut));
    require(two_pieces.finish() == digest);
    oauthcore::sha256_hasher three_pieces;
    const std::size_t second = cut + (material.size() - cut) / 2;
    three_pieces.update(material.substr(0, cut));
    const oauthcore::sha256_digest prefix = three_pieces.finish();
    require(prefix == oauthcore::sha256(material.substr(0, cut)));
    three_pieces.update(material.substr(cut, second - cut)).update(material.substr(second));
    require(three_pieces.finish() == digest);
#if OAUTHCORE_FUZZ_HAVE_SODIUM
    oauthcore::sha256_digest sodium{};
    crypto_hash_sha256(sodium.data(), reinterpret_cast<const unsigned char*>(material.data()), material.size());
    require(sodium == digest);
#endif
    const std::size_t blocks = material.size() / oauthcore::detail::sha256_block_size;
    oauthcore::detail::sha256_state dispatched = oauthcore::detail::sha256_initial_state;
    oauthcore::detail::sha256_blocks(dispatched, material.data(), blocks);
    oauthcore::detail::sha256_state portable = oauthcore::detail::sha256_initial_state;
    oauthcore::detail::sha256_blocks_portable(portable, material.data(), blocks);
    require(dispatched == portable);
    // The last bytes after those blocks, padded in registers with the SHA extensions or in
    // memory by the portable code (the state need not be H(0), nor the length the tail's).
    const std::string_view tail = material.substr(blocks * oauthcore::detail::sha256_block_size);
    const std::uint64_t message_bytes = material.size() + 64 * std::uint64_t{cut_byte};
    require(oauthcore::detail::sha256_final(portable, tail, message_bytes) ==
            oauthcore::detail::sha256_final_portable(portable, tail, message_bytes));
}

void check_base64url(std::string_view material) {
    std::vector<char> out(oauthcore::base64url_encoded_size(material.size()));
    require(oauthcore::encode_base64url(material, out.data()) == out.size());
    require(std::string_view(out.data(), out.size()) == reference_base64url(material));
}

void check_method_name(std::string_view material) {
    const auto method = oauthcore::parse_code_challenge_method(material);
    require(method.has_value() == (material == "plain" || material == "S256"));
    if (method) require(oauthcore::code_challenge_method_name(*method) == material);
}

void check_verifier(std::string_view verifier) {
    using oauthcore::code_challenge_method;
    const bool valid = reference_is_verifier(verifier);
    require(oauthcore::is_code_verifier(verifier) == valid);
    require(oauthcore::is_code_challenge(verifier, code_challenge_method::plain) == valid);
    const auto challenge = oauthcore::s256_code_challenge(verifier);
    const std::string_view challenge_view(challenge.data(), challenge.size());
    require(challenge_view == reference_s256(verifier));
    require(oauthcore::is_code_challenge(challenge_view, code_challenge_method::s256));
    require(oauthcore::verify_code_verifier(verifier, challenge_view, code_challenge_method::s256) == valid);
    require(oauthcore::verify_code_verifier(verifier, verifier, code_challenge_method::plain) == valid);
    // The method stored with the code decides: neither value meets the other method.
    require(!oauthcore::verify_code_verifier(verifier, verifier, code_challenge_method::s256));
    require(!oauthcore::verify_code_verifier(verifier, challenge_view, code_challenge_method::plain));
}

void check_pair(std::string_view verifier, std::string_view challenge) {
    using oauthcore::code_challenge_method;
    const bool valid = reference_is_verifier(verifier);
    require(oauthcore::is_code_challenge(challenge, code_challenge_method::plain) == reference_is_verifier(challenge));
    require(oauthcore::is_code_challenge(challenge, code_challenge_method::s256) ==
            reference_is_s256_challenge(challenge));
    require(oauthcore::verify_code_verifier(verifier, challenge, code_challenge_method::plain) ==
            (valid && verifier == challenge));
    require(oauthcore::verify_code_verifier(verifier, challenge, code_challenge_method::s256) ==
            (valid && reference_s256(verifier) == challenge));
    // The S256 check alone, for any verifier bytes (the SHA extensions' path where the CPU
    // has them, which decodes the challenge rather than encoding the digest).
    require(oauthcore::detail::s256_challenge_matches(verifier, challenge) == (reference_s256(verifier) == challenge));
}

std::string mapped(std::string_view material, std::string_view alphabet) {
    std::string out(material);
    for (char& c : out) c = alphabet[static_cast<unsigned char>(c) % alphabet.size()];
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const unsigned mode = data[0] % 4;
    const unsigned cut_byte = data[0];
    // An exact-size copy of the material, so that reads past its end are caught.
    std::vector<char> material(data + 1, data + size);
    const std::string_view view(material.data(), material.size());

    check_sha256(view, cut_byte);
    check_base64url(view);
    check_method_name(view);

    if (mode == 0) {
        check_verifier(view);
    } else if (mode == 1) {
        const std::string verifier = mapped(view, unreserved);
        check_verifier(verifier);
    } else {
        const std::size_t newline = view.find('\n');
        const std::string_view verifier = view.substr(0, newline);
        const std::string_view rest = newline == std::string_view::npos ? std::string_view() : view.substr(newline + 1);
        const std::string challenge = mode == 2 ? std::string(rest) : mapped(rest, base64url);
        check_pair(verifier, challenge);
        // And the verifier against its own challenge, so the true branch is always reached.
        check_pair(verifier, reference_s256(verifier));
    }
    return 0;
}
