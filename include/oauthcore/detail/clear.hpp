#pragma once
// Clearing the fixed arrays that every request builds (form_fields' views, a response's
// headers) without rep stos. g++ 12 at -O2 with generic tuning clears 128 bytes or more at
// once with rep stos, whose start-up costs more than the rest of parsing a small form,
// and up to 96 bytes with vector stores; so such an array is cleared in two calls of at
// most 64 bytes each.

#include <array>
#include <cstddef>
#include <cstring>
#include <type_traits>

namespace oauthcore::detail {

// Sets every byte of `values` to zero. For arrays of views and sizes: all-zero bytes are
// an empty string_view (a null pointer and size 0) on every target the library builds for.
template <class T, std::size_t N>
inline void clear_array(std::array<T, N>& values) noexcept {
    static_assert(std::is_trivially_copyable_v<T> && sizeof(values) <= 128, "two pieces of at most 64 bytes");
    constexpr std::size_t first = sizeof(values) < 64 ? sizeof(values) : 64;
    auto* const bytes = reinterpret_cast<unsigned char*>(values.data());
    std::memset(bytes, 0, first);
    std::memset(bytes + first, 0, sizeof(values) - first);
}

}  // namespace oauthcore::detail
