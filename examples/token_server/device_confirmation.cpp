#include "device_confirmation.hpp"

#include <sodium.h>

#include <array>
#include <charconv>

namespace token_server {

namespace {

// Longer identifiers are not read (the pages' form limits keep them far shorter).
constexpr std::size_t max_identifier_bytes = 1024;

std::string hex_of(const unsigned char* bytes, std::size_t size) {
    std::string out(2 * size + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes, size);
    out.pop_back();  // the terminating NUL sodium_bin2hex writes
    return out;
}

// Each field with its length first, so that no two different field lists give the same
// bytes (an identifier may hold any byte).
void add_field(crypto_auth_hmacsha256_state& state, const void* bytes, std::uint64_t size) {
    std::array<unsigned char, 8> length{};
    for (std::size_t i = 0; i < length.size(); ++i) length[i] = static_cast<unsigned char>(size >> (56 - 8 * i));
    crypto_auth_hmacsha256_update(&state, length.data(), length.size());
    crypto_auth_hmacsha256_update(&state, static_cast<const unsigned char*>(bytes), size);
}

std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac_of(const confirmation_claims& claims,
                                                               const confirmation_binding& binding) {
    constexpr std::string_view purpose = "oauthcore token_server device confirmation 1";
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(binding.password_hash.data()),
                                binding.password_hash.size());
    const std::string expires = std::to_string(claims.expires_at);
    const char kind = claims.kind == oauthcore::identifier_kind::email_address ? 'e' : 'u';
    add_field(state, purpose.data(), purpose.size());
    add_field(state, &kind, 1);
    add_field(state, claims.identifier.data(), claims.identifier.size());
    add_field(state, expires.data(), expires.size());
    add_field(state, binding.user_code_digest.data(), binding.user_code_digest.size());
    add_field(state, binding.csrf.data(), binding.csrf.size());
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    crypto_auth_hmacsha256_final(&state, mac.data());
    sodium_memzero(&state, sizeof state);
    return mac;
}

// The next '.'-separated part of `rest`, taken off it.
std::string_view next_part(std::string_view& rest) {
    const std::size_t dot = rest.find('.');
    const std::string_view part = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    return part;
}

}  // namespace

std::string make_confirmation(const confirmation_claims& claims, const confirmation_binding& binding) {
    const auto mac = mac_of(claims, binding);
    std::string ticket(claims.kind == oauthcore::identifier_kind::email_address ? "e" : "u");
    ticket += '.';
    ticket += std::to_string(claims.expires_at);
    ticket += '.';
    ticket += hex_of(reinterpret_cast<const unsigned char*>(claims.identifier.data()), claims.identifier.size());
    ticket += '.';
    ticket += hex_of(mac.data(), mac.size());
    return ticket;
}

std::optional<confirmation_claims> read_confirmation(std::string_view ticket) {
    std::string_view rest = ticket;
    const std::string_view kind = next_part(rest);
    const std::string_view expires = next_part(rest);
    const std::string_view identifier = next_part(rest);
    const std::string_view mac = rest;
    confirmation_claims claims;
    if (kind == "e")
        claims.kind = oauthcore::identifier_kind::email_address;
    else if (kind != "u")
        return std::nullopt;
    if (expires.empty() || expires.size() > 18) return std::nullopt;
    const auto [end, error] = std::from_chars(expires.data(), expires.data() + expires.size(), claims.expires_at);
    if (error != std::errc() || end != expires.data() + expires.size()) return std::nullopt;
    if (identifier.empty() || identifier.size() % 2 != 0 || identifier.size() > 2 * max_identifier_bytes)
        return std::nullopt;
    claims.identifier.resize(identifier.size() / 2);
    std::size_t written = 0;
    if (sodium_hex2bin(reinterpret_cast<unsigned char*>(claims.identifier.data()), claims.identifier.size(),
                       identifier.data(), identifier.size(), nullptr, &written, nullptr) != 0 ||
        written != claims.identifier.size())
        return std::nullopt;
    if (mac.size() != 2 * crypto_auth_hmacsha256_BYTES) return std::nullopt;
    return claims;
}

bool confirmation_matches(std::string_view ticket, const confirmation_claims& claims,
                          const confirmation_binding& binding, std::int64_t now) {
    if (claims.expires_at <= now) return false;
    // The ticket these claims and this binding make: hex is lower-case and the expiry has
    // no leading zeros, so a ticket that reads as these claims and is not byte for byte
    // this one was not made here.
    const std::string expected = make_confirmation(claims, binding);
    return expected.size() == ticket.size() && sodium_memcmp(expected.data(), ticket.data(), ticket.size()) == 0;
}

}  // namespace token_server
