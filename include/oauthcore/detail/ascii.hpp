#pragma once
// ASCII helpers shared by the HTTP-facing parsers.

#include <cstddef>
#include <string_view>

#include "oauthcore/detail/swar.hpp"

namespace oauthcore::detail {

[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Case-insensitive ASCII comparison (scheme names, media types, header names).
[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (bytes_equal(a, b)) return true;  // the usual case ("application/x-www-form-urlencoded"), at memcmp speed
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

// Strips optional whitespace (SP / HTAB, RFC 9110 5.6.3) from both ends.
[[nodiscard]] constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace oauthcore::detail
