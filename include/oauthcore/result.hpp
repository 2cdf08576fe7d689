#pragma once
// result<T>: a value or an error, with the member names of std::expected so that a later
// switch to std::expected is mechanical (std::expected itself is not usable with
// clang 14 + libstdc++ 12). The library never throws: a value() call on an error is a
// contract violation that traps instead of throwing.

#include "oauthcore/language.hpp"

#include <type_traits>
#include <utility>

namespace oauthcore {

namespace detail {
[[noreturn]] inline void contract_violation() noexcept { __builtin_trap(); }
}  // namespace detail

// Wraps an error for construction of a result, like std::unexpected.
template <class E>
class unexpected {
public:
    constexpr explicit unexpected(E e) noexcept : error_(std::move(e)) {}
    [[nodiscard]] constexpr const E& error() const noexcept { return error_; }

private:
    E error_;
};

// T must be default-constructible: the result keeps both members instead of a union,
// which keeps it a literal type usable in constant expressions.
template <class T, class E>
class basic_result {
    static_assert(std::is_default_constructible_v<T>, "result<T> needs a default-constructible T");

public:
    using value_type = T;
    using error_type = E;

    constexpr basic_result(const T& value) noexcept
        : value_(value), has_value_(true) {}  // NOLINT(google-explicit-constructor)
    constexpr basic_result(T&& value) noexcept
        : value_(std::move(value)), has_value_(true) {}  // NOLINT(google-explicit-constructor)
    constexpr basic_result(unexpected<E> e) noexcept
        : error_(e.error()), has_value_(false) {}  // NOLINT(google-explicit-constructor)
    // A default T, for filling in place: a parser that writes a large value into the
    // result it returns by name (NRVO) copies nothing.
    constexpr explicit basic_result(std::in_place_t) noexcept : has_value_(true) {}

    [[nodiscard]] constexpr bool has_value() const noexcept { return has_value_; }
    constexpr explicit operator bool() const noexcept { return has_value_; }

    [[nodiscard]] constexpr const T& value() const& noexcept {
        if (!has_value_) detail::contract_violation();
        return value_;
    }
    [[nodiscard]] constexpr T& value() & noexcept {
        if (!has_value_) detail::contract_violation();
        return value_;
    }
    [[nodiscard]] constexpr const E& error() const noexcept {
        if (has_value_) detail::contract_violation();
        return error_;
    }
    constexpr const T& operator*() const noexcept { return value(); }
    constexpr T& operator*() noexcept { return value(); }
    constexpr const T* operator->() const noexcept { return &value(); }
    constexpr T* operator->() noexcept { return &value(); }

    template <class U>
    [[nodiscard]] constexpr T value_or(U&& fallback) const& noexcept {
        return has_value_ ? value_ : static_cast<T>(std::forward<U>(fallback));
    }

private:
    T value_{};
    E error_{};
    bool has_value_;
};

template <class E>
class basic_result<void, E> {
public:
    using value_type = void;
    using error_type = E;

    constexpr basic_result() noexcept : has_value_(true) {}
    constexpr basic_result(unexpected<E> e) noexcept
        : error_(e.error()), has_value_(false) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] constexpr bool has_value() const noexcept { return has_value_; }
    constexpr explicit operator bool() const noexcept { return has_value_; }
    [[nodiscard]] constexpr const E& error() const noexcept {
        if (has_value_) detail::contract_violation();
        return error_;
    }

private:
    E error_{};
    bool has_value_;
};

}  // namespace oauthcore
