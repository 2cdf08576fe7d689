#pragma once
// The scope parameter (RFC 6749 3.3):
//
//   scope       = scope-token *( SP scope-token )
//   scope-token = 1*( %x21 / %x23-5B / %x5D-7E )        ; NQCHAR
//
// oauthcore reads the grammar strictly: one space between tokens, none at either end
// (a client that sends "read  write" or "read+" gets invalid_scope, rather than a guess
// at what it meant). Tokens are case-sensitive. A token given twice is collapsed into
// its first occurrence ("read write read" is "read write"). At most max_scope_tokens
// tokens, so that collapsing duplicates stays cheap on hostile input.

#include <cstddef>
#include <string_view>

#include "oauthcore/char_class.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"

namespace oauthcore {

inline constexpr std::size_t max_scope_tokens = 64;

namespace detail {

[[nodiscard]] constexpr bool is_nqchar(char c) noexcept { return is_in(char_class::nqchar, c); }

// The token of `scope` starting at `from`, which must be a token start.
[[nodiscard]] constexpr std::string_view scope_token_at(std::string_view scope, std::size_t from) noexcept {
    const std::string_view rest(scope.data() + from, scope.size() - from);
    const std::size_t space = find_first(rest, ' ');
    return space == std::string_view::npos ? rest : std::string_view(rest.data(), space);
}

}  // namespace detail

// Calls f(token) for each space-separated token of a scope that is_scope_syntax accepts.
template <class F>
constexpr void for_each_scope_token(std::string_view scope, F&& f) {
    for (std::size_t at = 0; at < scope.size();) {
        const std::string_view token = detail::scope_token_at(scope, at);
        f(token);
        at += token.size() + 1;
    }
}

// True when `scope` matches the RFC 6749 3.3 grammar (and so is non-empty).
[[nodiscard]] constexpr bool is_scope_syntax(std::string_view scope) noexcept {
    if (scope.empty() || scope.front() == ' ' || scope.back() == ' ') return false;
    char previous = 0;
    for (const char c : scope) {
        if (!detail::is_nqchar(c) && !(c == ' ' && previous != ' ')) return false;
        previous = c;
    }
    return true;
}

// True when `token` is one of the tokens of `scope` (valid scope syntax). Stops at the
// first match: the lists it reads are configuration, not secrets.
[[nodiscard]] constexpr bool scope_has_token(std::string_view scope, std::string_view token) noexcept {
    for (std::size_t at = 0; at < scope.size();) {
        const std::string_view have = detail::scope_token_at(scope, at);
        if (detail::bytes_equal(have, token)) return true;
        at += have.size() + 1;
    }
    return false;
}

// True when every token of `requested` is a token of `granted` (RFC 6749 6: a refreshed
// token's scope must not exceed the original grant). Both must be valid scope syntax.
[[nodiscard]] constexpr bool scope_includes(std::string_view granted, std::string_view requested) noexcept {
    bool all = true;
    for_each_scope_token(requested, [&](std::string_view wanted) { all = all && scope_has_token(granted, wanted); });
    return all;
}

// Checks `requested` and collapses duplicate tokens. An empty scope stays empty (the
// parameter was omitted). The result is `requested` itself when nothing repeats,
// otherwise a copy in `storage`.
template <class Storage>
[[nodiscard]] constexpr result<std::string_view> normalize_scope(std::string_view requested,
                                                                 Storage& storage) noexcept {
    if (requested.empty()) return requested;
    if (!is_scope_syntax(requested)) return fail(reason::invalid_scope_syntax, param<"scope">);
    std::size_t tokens = 0;
    bool repeats = false;
    for (std::size_t at = 0; at < requested.size();) {
        const std::string_view token = detail::scope_token_at(requested, at);
        if (++tokens > max_scope_tokens) return fail(reason::invalid_scope_syntax, param<"scope">);
        repeats = repeats || scope_includes(requested.substr(0, at == 0 ? 0 : at - 1), token);
        at += token.size() + 1;
    }
    if (!repeats) return requested;

    storage.expect_more(requested.size());
    char* dest = storage.take(requested.size());
    if (dest == nullptr) return fail(reason::out_of_memory);
    std::size_t out = 0;
    for (std::size_t at = 0; at < requested.size();) {
        const std::string_view token = detail::scope_token_at(requested, at);
        const bool seen_before = out != 0 && scope_includes(std::string_view(dest, out), token);
        if (!seen_before) {
            if (out != 0) dest[out++] = ' ';
            for (const char c : token) dest[out++] = c;
        }
        at += token.size() + 1;
    }
    return std::string_view(dest, out);
}

}  // namespace oauthcore
