#pragma once
// Finding a name among a fixed list of names, for the name of every parameter of every
// request: bytes in, the name's position (or not_found) out. The list is known while
// compiling, so a perfect hash is searched for then: one table load picks the only name
// the bytes can be, with that name's size and bytes (name_slot), and one comparison
// decides. When no hash of the family below separates the names, a plain search over the
// list answers instead (find_name_plain, which is also the reference the tests hold the
// table to).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oauthcore/detail/swar.hpp"

namespace oauthcore::detail {

inline constexpr std::size_t name_not_found = static_cast<std::size_t>(-1);

// The reference: the first position holding `name`, or name_not_found.
template <std::size_t N>
[[nodiscard]] constexpr std::size_t find_name_plain(const std::array<std::string_view, N>& names,
                                                    std::string_view name) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name) return i;
    return name_not_found;
}

// The hash family: the length and the first byte, and where they do not tell the names
// apart the last and then the middle byte too, each shifted, summed and masked. A few
// cheap loads that separate the names of a protocol's lists (which often share a length
// and a first letter: client_secret, code_verifier; scope, state).
struct name_hash {
    unsigned bits = 0;  // table size 2^bits; 0: no perfect hash was found
    unsigned first_shift = 0;
    unsigned last_shift = 0;    // used when uses_last
    unsigned middle_shift = 0;  // used when uses_middle
    bool uses_last = false;
    bool uses_middle = false;

    [[nodiscard]] constexpr std::size_t operator()(std::string_view name) const noexcept {
        const std::size_t n = name.size();
        const auto at = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(name[i])); };
        std::size_t mixed = n + (at(0) << first_shift);
        if (uses_last) mixed += at(n - 1) << last_shift;
        if (uses_middle) mixed += at(n / 2) << middle_shift;
        return mixed & ((std::size_t{1} << bits) - 1);
    }
};

inline constexpr unsigned max_name_hash_bits = 9;
inline constexpr unsigned max_name_hash_shift = 6;

template <std::size_t N>
[[nodiscard]] constexpr bool separates(const std::array<std::string_view, N>& names, name_hash hash) noexcept {
    std::array<std::size_t, N> slot{};
    for (std::size_t i = 0; i < N; ++i) {
        slot[i] = hash(names[i]);
        for (std::size_t j = 0; j < i; ++j)
            if (slot[j] == slot[i]) return false;
    }
    return true;
}

// The first hash of the family (fewest bytes read, then smallest table) under which no
// two names share a slot; bits == 0 when there is none.
template <std::size_t N>
[[nodiscard]] constexpr name_hash find_name_hash(const std::array<std::string_view, N>& names) noexcept {
    unsigned smallest = 1;
    while ((std::size_t{1} << smallest) < 2 * N) ++smallest;
    for (const int bytes_read : {1, 2, 3}) {
        const unsigned last_shifts = bytes_read >= 2 ? max_name_hash_shift : 0;
        const unsigned middle_shifts = bytes_read >= 3 ? max_name_hash_shift : 0;
        for (unsigned bits = smallest; bits <= max_name_hash_bits; ++bits)
            for (unsigned a = 0; a <= max_name_hash_shift; ++a)
                for (unsigned c = 0; c <= last_shifts; ++c)
                    for (unsigned b = 0; b <= middle_shifts; ++b) {
                        const name_hash hash{bits, a, c, b, bytes_read >= 2, bytes_read >= 3};
                        if (separates(names, hash)) return hash;
                    }
    }
    return {};
}

// What a slot of the table holds: its name's size (0: an empty slot, as no name is
// empty), its short_key when it has one (up to max_short_key bytes), and its position + 1,
// so that one load of the slot brings the candidate and what to compare it with, where
// the list's view and the name's bytes would be two more loads, each waiting for the one
// before. Aligned so that no slot straddles two cache lines.
struct alignas(32) name_slot {
    short_key key;
    std::size_t size = 0;
    std::uint16_t position_plus_one = 0;
};

template <std::size_t N, std::size_t Slots>
[[nodiscard]] constexpr std::array<name_slot, Slots> name_slots(const std::array<std::string_view, N>& names,
                                                                name_hash hash) noexcept {
    std::array<name_slot, Slots> slots{};
    if (hash.bits != 0)
        for (std::size_t i = 0; i < N; ++i) {
            name_slot& slot = slots[hash(names[i])];
            slot.position_plus_one = static_cast<std::uint16_t>(i + 1);
            slot.size = names[i].size();
            if (names[i].size() <= max_short_key) slot.key = short_key_of(names[i]);
        }
    return slots;
}

// find_name_plain(Names, name), by the perfect hash when there is one. Names are
// non-empty (every declared parameter name is).
template <const auto& Names>
class name_lookup {
public:
    static constexpr name_hash hash = find_name_hash(Names);
    static constexpr bool hashed = hash.bits != 0;

    // Inlined into the parser's loop: a call per parameter name costs more than the lookup.
    [[nodiscard, gnu::always_inline]] static constexpr std::size_t find(std::string_view name) noexcept {
        if constexpr (hashed) {
            if (name.empty()) return name_not_found;
            const name_slot& slot = slots[hash(name)];
            if (slot.size != name.size()) return name_not_found;  // an empty slot's size is 0
            const std::size_t position = slot.position_plus_one - 1u;
            if (name.size() > max_short_key) return bytes_equal(Names[position], name) ? position : name_not_found;
            return same_key(short_key_of(name), slot.key) ? position : name_not_found;
        } else {
            return find_name_plain(Names, name);
        }
    }

private:
    static constexpr auto slots = name_slots<Names.size(), (std::size_t{1} << hash.bits)>(Names, hash);
};

}  // namespace oauthcore::detail
