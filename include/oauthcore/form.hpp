#pragma once
// application/x-www-form-urlencoded parsing, per the WHATWG URL standard, section
// "application/x-www-form-urlencoded parsing":
//   1. split the input on '&'; skip empty sequences;
//   2. split each sequence at its first '='; without '=', the value is empty;
//   3. in name and value, '+' becomes a space, then each '%' followed by two hex digits
//      (either case) becomes that byte; a '%' not followed by two hex digits stays.
// One deliberate difference: the standard ends with "UTF-8 decode without BOM", which
// replaces invalid sequences with U+FFFD. oauthcore returns the decoded bytes as they
// are, because a password or secret must reach the store byte for byte; a store that
// wants text checks UTF-8 itself.
//
// On top of the standard, for the token endpoint (RFC 6749 3.2):
//  - a recognised parameter given more than once is an error naming it (even when one
//    of the occurrences is empty: a client that repeats a parameter is confused or
//    probing, and no reading of the repeat is safe);
//  - a parameter with an empty value counts as omitted;
//  - unrecognised parameters are ignored;
//  - limits on body bytes, parameter count and bytes per name or value.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/detail/clear.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/result.hpp"

namespace oauthcore {

struct form_limits {
    std::size_t max_body_bytes = 16 * 1024;
    std::size_t max_parameters = 32;
    std::size_t max_parameter_bytes = 4 * 1024;  // a name or a value, before decoding
};

// One name=value sequence, before decoding.
struct form_pair {
    std::string_view name;
    std::string_view value;
};

namespace detail {

// WHATWG steps 1-2 as a cursor over the body, shared by form_pairs' iterator and
// parse_form. parse_form calls next() from one place, so the compiler inlines it and
// keeps the pair in registers (a pair written to memory field by field and read back
// whole stalls on store forwarding, which cost more than the search).
class form_splitter {
public:
    constexpr explicit form_splitter(std::string_view body) noexcept
        : body_(body.data()), next_(body.data()), end_(body.data() + body.size()) {}

    // The next non-empty sequence into `pair`; false after the last.
    constexpr bool next(form_pair& pair) noexcept {
        const auto size = [](const char* from, const char* to) { return static_cast<std::size_t>(to - from); };
        while (next_ != end_) {
            const char* const start = next_;
            const char* const amp = find_byte(body_, start, end_, '&');
            next_ = amp == end_ ? end_ : amp + 1;
            if (amp == start) continue;  // an empty sequence
            const char* const eq = find_byte(body_, start, amp, '=');
            pair.name = {start, size(start, eq)};
            pair.value = eq == amp ? std::string_view{} : std::string_view{eq + 1, size(eq + 1, amp)};
            return true;
        }
        return false;
    }

private:
    const char* body_;
    const char* next_;  // where the next sequence starts
    const char* end_;
};

}  // namespace detail

// The sequences of a form body, in order, with empty sequences skipped (WHATWG steps 1-2).
class form_pairs {
public:
    class iterator {
    public:
        using value_type = form_pair;
        using difference_type = std::ptrdiff_t;

        constexpr iterator() = default;
        constexpr form_pair operator*() const noexcept { return current_; }
        constexpr iterator& operator++() noexcept {
            at_end_ = !splitter_.next(current_);
            return *this;
        }
        constexpr iterator operator++(int) noexcept {
            iterator before = *this;
            ++*this;
            return before;
        }
        friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.at_end_ == b.at_end_ && (a.at_end_ || a.current_.name.data() == b.current_.name.data());
        }

    private:
        friend class form_pairs;
        constexpr explicit iterator(std::string_view body) noexcept : splitter_(body) { ++*this; }

        detail::form_splitter splitter_{{}};
        form_pair current_;
        bool at_end_ = true;
    };

    constexpr explicit form_pairs(std::string_view body) noexcept : body_(body) {}
    [[nodiscard]] constexpr iterator begin() const noexcept { return iterator(body_); }
    [[nodiscard]] constexpr iterator end() const noexcept { return iterator(); }

private:
    std::string_view body_;
};

namespace detail {

// The value of each hex digit (either case) shifted left by Shift, 0x100 for the other
// bytes: the byte of "%XY" is one load for X, one for Y and an OR, and it is above 0xFF
// exactly when X or Y is not a hex digit.
template <unsigned Shift>
inline constexpr auto hex_digit_values = [] {
    std::array<std::uint16_t, 256> values{};
    for (auto& v : values) v = 0x100;
    for (unsigned i = 0; i < 10; ++i) values['0' + i] = static_cast<std::uint16_t>(i << Shift);
    for (unsigned i = 0; i < 6; ++i) {
        values['a' + i] = static_cast<std::uint16_t>((10 + i) << Shift);
        values['A' + i] = static_cast<std::uint16_t>((10 + i) << Shift);
    }
    return values;
}();

// The byte that "%" `high` `low` encodes, or a value above 0xFF when they are not two
// hex digits.
[[nodiscard]] constexpr unsigned percent_decoded(char high, char low) noexcept {
    return hex_digit_values<4>[static_cast<unsigned char>(high)] | hex_digit_values<0>[static_cast<unsigned char>(low)];
}

// WHATWG step 3 over `raw`: writes the decoded bytes to `dest` when Write, and returns
// their number either way, so the size and the bytes come from one definition.
template <bool Write>
constexpr std::size_t decode_form_bytes(std::string_view raw, char* dest) noexcept {
    const char* in = raw.data();
    const char* const end = in + raw.size();
    std::size_t out = 0;
    const auto put = [&](char c) {
        if constexpr (Write) dest[out] = c;
        ++out;
    };
    // A '%' in the last two bytes has no two bytes after it, so only the loop up to there
    // looks for triplets, and it needs no bounds test.
    if (raw.size() > 2) {
        const char* const last_triplet = end - 2;
        while (in < last_triplet) {
            const char c = *in;
            if (c == '%') {
                if (const unsigned byte = percent_decoded(in[1], in[2]); byte <= 0xFF) {
                    put(static_cast<char>(byte));
                    in += 3;
                    continue;
                }
            }
            put(c == '+' ? ' ' : c);
            ++in;
        }
    }
    for (; in != end; ++in) put(*in == '+' ? ' ' : *in);
    return out;
}

}  // namespace detail

// True when decoding `raw` would change it (it holds a '+' or a '%'). Word at a time,
// since it runs over every name and value of every request (find_first_of calls
// memchr per byte). Up to 16 bytes, the usual name or value, two overlapping words
// and no branch per word (swar_any); longer ones stop at the first match.
[[nodiscard]] constexpr bool needs_decoding(std::string_view raw) noexcept {
    const auto word = [](std::uint64_t w) { return detail::swar_has_byte(w, '+') | detail::swar_has_byte(w, '%'); };
    if (!std::is_constant_evaluated() && raw.size() >= 8 && raw.size() <= 16) {
        // The usual value: its first and last eight bytes, spelled out so that this is
        // inlined (swar_any, which serves every length, is a call).
        std::uint64_t first;
        std::uint64_t last;
        std::memcpy(&first, raw.data(), 8);
        std::memcpy(&last, raw.data() + raw.size() - 8, 8);
        return (word(first) | word(last)) != 0;
    }
    if (raw.size() <= 16) return detail::swar_any(raw, word) != 0;
    const auto byte = [](unsigned char c) { return c == '+' || c == '%'; };
    return detail::swar_find(raw, word, byte) != raw.size();
}

// The exact number of bytes decode_form_component writes for `raw`.
[[nodiscard]] constexpr std::size_t decoded_size(std::string_view raw) noexcept {
    return detail::decode_form_bytes<false>(raw, nullptr);
}

// Decodes one name or value (WHATWG step 3) into `dest`, which has room for
// decoded_size(raw) bytes; returns the bytes written.
constexpr std::size_t decode_form_component(std::string_view raw, char* dest) noexcept {
    return detail::decode_form_bytes<true>(raw, dest);
}

namespace detail {

// Decodes `raw` into `storage`; a view of the decoded bytes. Decoding never lengthens,
// so the block taken is raw.size() bytes and the decoder writes straight into it, in one
// pass (no scratch copy, no sizing pass); the two bytes each "%XX" saves stay unused until
// the storage is reset. The parsers announce raw sizes with expect_more, so this never
// takes more than they announced.
template <class Storage>
[[nodiscard]] constexpr result<std::string_view> decode_to_storage(std::string_view raw, Storage& storage) noexcept {
    char* dest = storage.take(raw.size());
    if (dest == nullptr) return fail(reason::out_of_memory);
    return std::string_view(dest, decode_form_component(raw, dest));
}

}  // namespace detail

// The recognised parameters of one request. A parameter given with an empty value
// reads as omitted: value() is empty and given() is false.
class form_fields {
public:
    // Each view's own constructor clears it; at run time detail::clear_array clears them
    // again in a way that g++ compiles to vector stores (the views' stores are then dead).
    constexpr form_fields() noexcept {
        if (!std::is_constant_evaluated()) detail::clear_array(values_);
    }

    [[nodiscard]] constexpr std::string_view value(parameter p) const noexcept {
        return p == parameter::none ? std::string_view{} : values_[slot(p)];
    }
    [[nodiscard]] constexpr bool given(parameter p) const noexcept { return !value(p).empty(); }
    constexpr void set(parameter p, std::string_view v) noexcept {
        if (p != parameter::none) values_[slot(p)] = v;
    }

private:
    // parameter::none has no slot: nothing is ever stored for it, and every request
    // clears and copies these views.
    [[nodiscard]] static constexpr std::size_t slot(parameter p) noexcept { return static_cast<std::size_t>(p) - 1; }
    std::array<std::string_view, parameter_count - 1> values_;
};

namespace detail {

inline constexpr std::size_t longest_parameter_name = 13;  // email_address, client_secret, refresh_token

// The only parameter whose name has a given length (below 16) and first character (its
// low three bits), indexed by length * 8 + those bits: one table load picks the one name
// `name` can be, then one comparison decides; no branch per candidate and no jump table.
inline constexpr auto parameter_candidates = [] {
    std::array<parameter, 16 * 8> candidates{};
    for (std::size_t p = 1; p < parameter_count; ++p) {
        const std::string_view name = to_string(static_cast<parameter>(p));
        candidates[name.size() * 8 + (static_cast<unsigned char>(name[0]) & 7u)] = static_cast<parameter>(p);
    }
    return candidates;
}();

static_assert(
    [] {
        std::size_t placed = 0;
        for (const parameter p : parameter_candidates) placed += p != parameter::none;
        for (std::size_t p = 1; p < parameter_count; ++p)
            if (to_string(static_cast<parameter>(p)).size() >= 16) return false;
        return placed == parameter_count - 1;
    }(),
    "every parameter name is below 16 bytes and has a slot of its own in parameter_candidates");

// to_string of each parameter as a table (parameter::none's is empty, which no name of
// 1 to 15 bytes equals), so that the candidate's name is one load, not a switch.
inline constexpr auto parameter_names = [] {
    std::array<std::string_view, parameter_count> names{};
    for (std::size_t p = 0; p < parameter_count; ++p) names[p] = to_string(static_cast<parameter>(p));
    return names;
}();

[[nodiscard]] constexpr parameter parameter_named(std::string_view name) noexcept {
    if (name.empty() || name.size() >= 16) return parameter::none;
    const parameter candidate = parameter_candidates[name.size() * 8 + (static_cast<unsigned char>(name[0]) & 7u)];
    return bytes_equal(parameter_names[static_cast<std::size_t>(candidate)], name) ? candidate : parameter::none;
}

// Decodes the name just far enough to recognise it: an encoded name that decodes
// to a recognised one ("grant%5Ftype") is that parameter. No recognised name holds a
// '+' or a '%', so a name that is one as it stands needs no decoding.
[[nodiscard]] constexpr parameter recognise(std::string_view raw_name) noexcept {
    if (const parameter p = parameter_named(raw_name); p != parameter::none) return p;
    if (!needs_decoding(raw_name)) return parameter::none;
    if (decoded_size(raw_name) > longest_parameter_name) return parameter::none;
    std::array<char, longest_parameter_name> decoded{};
    const std::size_t size = decode_form_component(raw_name, decoded.data());
    return parameter_named(std::string_view(decoded.data(), size));
}

}  // namespace detail

namespace detail {

// parse_form's work, into `fields` (as constructed: every view empty); false with
// `failure` set on an error (see filled).
template <class Storage>
[[nodiscard]] constexpr bool parse_form_into(std::string_view body, Storage& storage, const form_limits& limits,
                                             form_fields& fields, error& failure) noexcept {
    const auto fail_with = [&failure](reason why, parameter p = parameter::none) {
        failure = error{why, p};
        return false;
    };
    if (body.size() > limits.max_body_bytes) return fail_with(reason::body_too_large);
    storage.expect_more(body.size());
    std::array<bool, parameter_count> seen{};
    std::size_t count = 0;
    form_splitter splitter(body);
    form_pair pair;
    while (splitter.next(pair)) {
        if (++count > limits.max_parameters) return fail_with(reason::too_many_parameters);
        if (pair.name.size() > limits.max_parameter_bytes || pair.value.size() > limits.max_parameter_bytes)
            return fail_with(reason::parameter_too_large);
        const parameter p = recognise(pair.name);
        if (p == parameter::none) continue;
        auto& was_seen = seen[static_cast<std::size_t>(p)];
        if (was_seen) return fail_with(reason::duplicate_parameter, p);
        was_seen = true;
        if (!needs_decoding(pair.value)) {
            fields.set(p, pair.value);
            continue;
        }
        const auto decoded = decode_to_storage(pair.value, storage);
        if (!decoded) {
            failure = decoded.error();
            return false;
        }
        fields.set(p, *decoded);
    }
    return true;
}

}  // namespace detail

// Parses a token request body into its recognised parameters. Values with nothing to
// decode are views into `body`; decoded values are written to `storage` (a
// request_storage, or a fixed_storage in constant expressions). Checks, in this order:
// the body size, then left to right for each sequence the parameter count, the name and
// value sizes, and repetition of a recognised parameter.
template <class Storage>
[[nodiscard]] constexpr result<form_fields> parse_form(std::string_view body, Storage& storage,
                                                       const form_limits& limits = {}) noexcept {
    return detail::filled<form_fields>([&](form_fields& fields, error& failure) {
        return detail::parse_form_into(body, storage, limits, fields, failure);
    });
}

}  // namespace oauthcore
