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
// On top of the standard, for the OAuth endpoints (RFC 6749 3.1 and 3.2):
//  - a recognised parameter given more than once is an error naming it (even when one
//    of the occurrences is empty: a client that repeats a parameter is confused or
//    probing, and no reading of the repeat is safe);
//  - a parameter with an empty value counts as omitted;
//  - unrecognised parameters are ignored; the recognised ones are the names of a
//    parameter set, declared by whatever reads them (parameters.hpp);
//  - limits on body bytes, parameter count and bytes per name or value.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/detail/name_lookup.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/parameters.hpp"
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
// parse_form, which calls next() from one place (docs/PERFORMANCE.md, "Shapes the code
// keeps").
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

#if OAUTHCORE_HAVE_BYTE_VECTORS
inline constexpr auto vector_has_plus_or_percent = [](signed_byte_vector v) { return (v == '+') | (v == '%'); };
#endif

#if OAUTHCORE_HAVE_BYTE_VECTORS
// Whether one of the first two sixteen-byte steps of `raw` (thirty-two bytes or more) holds
// no '%'. A guess, which only picks the faster decoding loop (both give the same bytes): a
// value with such runs (a redirect URI) is copied sixteen bytes a step where it can be;
// one with a '%' every few bytes (an encoded password) a byte at a time, the fastest there.
[[nodiscard]] inline bool has_plain_run(std::string_view raw) noexcept {
    signed_byte_vector first;
    signed_byte_vector second;
    std::memcpy(&first, raw.data(), 16);
    std::memcpy(&second, raw.data() + 16, 16);
    return byte_vector_bits(first == '%') == 0 || byte_vector_bits(second == '%') == 0;
}
#endif

// decode_form_component(raw, dest) where `dest` has room for raw.size() bytes (not only
// decoded_size(raw)): what decode_to_storage has. Where the compiler has byte vectors and
// `raw` has runs without '%' (has_plain_run), sixteen bytes without a '%' are one step:
// one load and one store, with '+' made a space; sixteen bytes holding a '%' go through
// the byte loop. A step stores no further than its input, and the output is never ahead
// of the input, so it never writes past raw.size() bytes.
constexpr std::size_t decode_form_in_place_room(std::string_view raw, char* dest) noexcept {
#if OAUTHCORE_HAVE_BYTE_VECTORS
    if (!std::is_constant_evaluated() && raw.size() >= 32 && has_plain_run(raw)) {
        const char* in = raw.data();
        const char* const end = in + raw.size();
        char* out = dest;
        while (in != end) {
            const char* bytewise_until = end;
            if (end - in >= 16) {
                signed_byte_vector v;
                std::memcpy(&v, in, 16);
                if (byte_vector_bits(v == '%') == 0) {
                    const signed_byte_vector spaced = v + ((v == '+') & static_cast<signed char>(' ' - '+'));
                    std::memcpy(out, &spaced, 16);
                    in += 16;
                    out += 16;
                    continue;
                }
                // Not moved to the '%': the byte loop's position then never waits for the
                // search (which only chooses the branch).
                bytewise_until = in + 16;
            }
            while (in < bytewise_until) {
                const char c = *in;
                if (c == '%' && end - in >= 3) {
                    if (const unsigned byte = percent_decoded(in[1], in[2]); byte <= 0xFF) {
                        *out++ = static_cast<char>(byte);
                        in += 3;
                        continue;
                    }
                }
                *out++ = c == '+' ? ' ' : c;
                ++in;
            }
        }
        return static_cast<std::size_t>(out - dest);
    }
#endif
    return decode_form_bytes<true>(raw, dest);
}

}  // namespace detail

// True when decoding `raw` would change it (it holds a '+' or a '%'). Without a byte
// loop, since it runs over every name and value of every request: 8 to 16 bytes, the
// usual name or value, as two overlapping words; longer ones (codes, verifiers, URIs)
// sixteen bytes a step to the end, where the compiler has byte vectors (one branch at the
// end costs less than one per step: such values are a few steps long).
[[nodiscard]] constexpr bool needs_decoding(std::string_view raw) noexcept {
    const auto word = [](std::uint64_t w) { return detail::swar_has_byte(w, '+') | detail::swar_has_byte(w, '%'); };
    if (!std::is_constant_evaluated()) {
        if (raw.size() >= 8 && raw.size() <= 16) {
            // The usual value: its first and last eight bytes.
            std::uint64_t first;
            std::uint64_t last;
            std::memcpy(&first, raw.data(), 8);
            std::memcpy(&last, raw.data() + raw.size() - 8, 8);
            return (word(first) | word(last)) != 0;
        }
#if OAUTHCORE_HAVE_BYTE_VECTORS
        if (raw.size() > 16) return detail::vector_scan<false>(raw, nullptr, detail::vector_has_plus_or_percent) != 0;
#endif
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
// pass (no scratch copy, no sizing pass; the room lets it copy sixteen bytes a step,
// decode_form_in_place_room); the two bytes each "%XX" saves stay unused until the
// storage is reset. The parsers announce raw sizes with expect_more, so this never
// takes more than they announced. SixteenByteSteps false: the byte loop alone
// (decode_form_component), for a caller whose values are rare and short and whose usual
// path the inlined steps would slow (basic_auth.hpp's credentials).
template <bool SixteenByteSteps = true, class Storage>
[[nodiscard]] constexpr result<std::string_view> decode_to_storage(std::string_view raw, Storage& storage) noexcept {
    char* dest = storage.take(raw.size());
    if (dest == nullptr) return fail(reason::out_of_memory);
    if constexpr (SixteenByteSteps)
        return std::string_view(dest, decode_form_in_place_room(raw, dest));
    else
        return std::string_view(dest, decode_form_component(raw, dest));
}

}  // namespace detail

template <parameter_set Set>
class form_fields;

namespace detail {
template <parameter_set Set, class Storage>
[[nodiscard]] constexpr bool parse_form_into(std::string_view body, Storage& storage, const form_limits& limits,
                                             form_fields<Set>& fields, error& failure) noexcept;
}  // namespace detail

// The recognised parameters of one request: a view per name of the parameter set Set
// (parameters.hpp), read by name at compile time. A parameter given with an empty value
// reads as omitted: its value is empty and given() is false.
//   oauthcore::form_fields<oauthcore::parameter_list<"grant_type", "scope">> form;
//   form[oauthcore::param<"scope">]
template <parameter_set Set>
class form_fields {
public:
    using parameters = Set;
    static constexpr std::size_t size = Set::names.size();

    // Only the bits saying which parameters were given are cleared: a value is read only
    // when its bit is set, so the views need no clearing (docs/PERFORMANCE.md, "Shapes the
    // code keeps").
    constexpr form_fields() noexcept {
        if (std::is_constant_evaluated())
            for (auto& value : values_) value = {};
    }

    template <detail::fixed_string Name>
    [[nodiscard]] constexpr std::string_view operator[](param_t<Name>) const noexcept {
        return at(position<Name>());
    }
    template <detail::fixed_string Name>
    [[nodiscard]] constexpr bool given(param_t<Name> p) const noexcept {
        return !(*this)[p].empty();
    }

    // By position in Set::names, for code that walks every parameter. A parameter that
    // was not sent reads as empty; present() tells whether it was sent at all (perhaps
    // with an empty value).
    [[nodiscard]] constexpr std::string_view at(std::size_t position) const noexcept {
        if (!present(position)) return {};
        return {values_[position].data, values_[position].size};
    }
    [[nodiscard]] constexpr bool present(std::size_t position) const noexcept {
        if constexpr (size <= 64)
            return (present_[0] >> position & 1u) != 0;
        else
            return (present_[position / 64] >> (position % 64) & 1u) != 0;
    }
    constexpr void set(std::size_t position, std::string_view value) noexcept {
        values_[position] = {value.data(), value.size()};
        if constexpr (size <= 64)
            present_[0] |= std::uint64_t{1} << position;
        else
            present_[position / 64] |= std::uint64_t{1} << (position % 64);
    }

private:
    // The parser keeps the "given" bits in a register while it runs and stores them once.
    template <parameter_set S, class Storage>
    friend constexpr bool detail::parse_form_into(std::string_view body, Storage& storage, const form_limits& limits,
                                                  form_fields<S>& fields, error& failure) noexcept;
    using given_bits = std::array<std::uint64_t, (size + 63) / 64>;

    template <detail::fixed_string Name>
    [[nodiscard]] static consteval std::size_t position() noexcept {
        constexpr std::size_t found = detail::position_of(Set::names, Name.view());
        static_assert(found != detail::not_declared,
                      "oauthcore: this parameter is read but not declared: add it to the parameter_list of the grant "
                      "or client authentication method that reads it");
        return found;
    }

    // A view without constructors, so that the array is not cleared when made.
    struct raw_view {
        const char* data;
        std::size_t size;
    };

    std::array<raw_view, size> values_;
    given_bits present_{};
};

// The parameters of `Set` that one reader declared (`Declared`, a subset), read from the
// endpoint's form: reading one that `Declared` does not list does not compile, so a
// grant's code cannot depend on what another grant declares.
template <parameter_set Declared, parameter_set Set>
class declared_parameters {
public:
    constexpr explicit declared_parameters(const form_fields<Set>& form) noexcept : form_(&form) {}

    template <detail::fixed_string Name>
    [[nodiscard]] constexpr std::string_view operator[](param_t<Name> p) const noexcept {
        static_assert(declares<Declared>(Name.view()),
                      "oauthcore: this parameter is read but not declared in the reader's own parameter_list");
        return (*form_)[p];
    }
    template <detail::fixed_string Name>
    [[nodiscard]] constexpr bool given(param_t<Name> p) const noexcept {
        return !(*this)[p].empty();
    }

private:
    const form_fields<Set>* form_;
};

namespace detail {

template <parameter_set Set>
inline constexpr std::size_t longest_name = [] {
    std::size_t longest = 0;
    for (const std::string_view name : Set::names) longest = name.size() > longest ? name.size() : longest;
    return longest;
}();

// The position in Set::names of the parameter that an encoded name ("grant%5Ftype")
// decodes to, or name_not_found. No declared name holds a '+' or a '%' (RFC 6749 8.2), so
// only a name that is not recognised as it stands and holds one of them comes here (the
// parser tests needs_decoding before the call: a call per unrecognised name, when g++
// keeps this out of line, cost the 4 KiB body of bench/inputs.cpp 7 %).
template <parameter_set Set>
[[nodiscard]] constexpr std::size_t recognise_encoded(std::string_view raw_name) noexcept {
    if (decoded_size(raw_name) > longest_name<Set>) return name_not_found;
    // At least 32 bytes: g++ 12 at -O3 cannot tell that the name compared below is no
    // longer than the longest declared one, and warns (-Warray-bounds) that bytes_equal's
    // path for 17 to 32 bytes would read past a shorter buffer.
    std::array<char, (longest_name<Set> < 32 ? 32 : longest_name<Set>)> decoded{};
    const std::size_t size = decode_form_component(raw_name, decoded.data());
    return name_lookup<Set::names>::find(std::string_view(decoded.data(), size));
}

// parse_form's work, into `fields` (as constructed: nothing present); false with
// `failure` set on an error (see filled).
template <parameter_set Set, class Storage>
[[nodiscard]] constexpr bool parse_form_into(std::string_view body, Storage& storage, const form_limits& limits,
                                             form_fields<Set>& fields, error& failure) noexcept {
    const auto fail_with = [&failure](reason why, parameter_name p = {}) {
        failure = error{why, p};
        return false;
    };
    if (body.size() > limits.max_body_bytes) return fail_with(reason::body_too_large);
    storage.expect_more(body.size());
    std::size_t count = 0;
    typename form_fields<Set>::given_bits given{};
    form_splitter splitter(body);
    form_pair pair;
    while (splitter.next(pair)) {
        if (++count > limits.max_parameters) return fail_with(reason::too_many_parameters);
        if (pair.name.size() > limits.max_parameter_bytes || pair.value.size() > limits.max_parameter_bytes)
            return fail_with(reason::parameter_too_large);
        std::size_t p = name_lookup<Set::names>::find(pair.name);
        if (p == name_not_found && needs_decoding(pair.name)) p = recognise_encoded<Set>(pair.name);
        if (p == name_not_found) continue;
        std::uint64_t& word = given[p / 64];
        const std::uint64_t bit = std::uint64_t{1} << (p % 64);
        if ((word & bit) != 0) return fail_with(reason::duplicate_parameter, declared_name(Set::names[p]));
        word |= bit;
        std::string_view value = pair.value;
        if (needs_decoding(value)) {
            const auto decoded = decode_to_storage(value, storage);
            if (!decoded) {
                failure = decoded.error();
                return false;
            }
            value = *decoded;
        }
        fields.values_[p] = {value.data(), value.size()};
    }
    fields.present_ = given;
    return true;
}

}  // namespace detail

// Parses a request body into the parameters of Set. Values with nothing to decode are
// views into `body`; decoded values are written to `storage` (a request_storage, or a
// fixed_storage in constant expressions). Checks, in this order: the body size, then left
// to right for each sequence the parameter count, the name and value sizes, and
// repetition of a recognised parameter. Unrecognised parameters are ignored.
template <parameter_set Set, class Storage>
[[nodiscard]] constexpr result<form_fields<Set>> parse_form(std::string_view body, Storage& storage,
                                                            const form_limits& limits = {}) noexcept {
    return detail::filled<form_fields<Set>>([&](form_fields<Set>& fields, error& failure) {
        return detail::parse_form_into(body, storage, limits, fields, failure);
    });
}

}  // namespace oauthcore
