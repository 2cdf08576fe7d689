#pragma once
// Request parameters as data. A grant, a client authentication method and the endpoint
// itself each declare the parameters they read, as a parameter_list; the endpoint
// recognises the union of those lists, computed at compile time, and ignores every other
// parameter (RFC 6749 3.2). A new parameter is one more name in the list of whatever
// reads it: no table, enum or capacity elsewhere changes.
//
//   param-name = 1*name-char                                  (RFC 6749 8.2)
//   name-char  = "-" / "." / "_" / DIGIT / ALPHA
//
// A declared name outside that grammar, or declared twice in one list, does not compile.
// Names are compared byte for byte (case-sensitive, RFC 6749 3.1 and 3.2).
//
// Reading a parameter names it at compile time: `form[param<"code_verifier">]`. The
// position is found while compiling, and reading a parameter that the reader did not
// declare is a compile error (so a grant cannot depend on another grant's list).

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "oauthcore/char_class.hpp"

namespace oauthcore {

namespace detail {

// A string literal as a template argument: param<"scope">.
template <std::size_t N>
struct fixed_string {
    char chars[N]{};

    // NOLINTNEXTLINE(google-explicit-constructor): written as a literal in template arguments
    consteval fixed_string(const char (&text)[N]) {
        for (std::size_t i = 0; i < N; ++i) chars[i] = text[i];
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
};

// RFC 6749 8.2 param-name.
[[nodiscard]] constexpr bool is_param_name(std::string_view name) noexcept {
    return !name.empty() && all_in(char_class::param_name, name);
}

// True when no two of `names` are equal.
template <std::size_t N>
[[nodiscard]] constexpr bool all_distinct(const std::array<std::string_view, N>& names) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (names[i] == names[j]) return false;
    return true;
}

template <std::size_t N>
[[nodiscard]] constexpr bool are_distinct_param_names(const std::array<std::string_view, N>& names) noexcept {
    for (const std::string_view name : names)
        if (!is_param_name(name)) return false;
    return all_distinct(names);
}

inline constexpr std::size_t not_declared = static_cast<std::size_t>(-1);

template <std::size_t N>
[[nodiscard]] constexpr std::size_t position_of(const std::array<std::string_view, N>& names,
                                                std::string_view name) noexcept {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name) return i;
    return not_declared;
}

// Called only when a name is outside RFC 6749 8.2: in a constant evaluation, a call to a
// function that is not constexpr stops compilation, and the error names this function.
void parameter_name_outside_rfc6749_8_2_grammar() noexcept;

}  // namespace detail

// One parameter, named at compile time: `param<"redirect_uri">`.
template <detail::fixed_string Name>
struct param_t {
    static_assert(detail::is_param_name(Name.view()),
                  "oauthcore: a parameter name is 1*( ALPHA / DIGIT / \"-\" / \".\" / \"_\" ) (RFC 6749 8.2)");
    static constexpr std::string_view name = Name.view();
};

template <detail::fixed_string Name>
inline constexpr param_t<Name> param{};

// The parameters one reader declares, in its order. Example:
//   using parameters = oauthcore::parameter_list<"code", "redirect_uri", "code_verifier">;
template <detail::fixed_string... Names>
struct parameter_list {
    static constexpr std::array<std::string_view, sizeof...(Names)> names{Names.view()...};
    static_assert(detail::are_distinct_param_names(names),
                  "oauthcore: a parameter_list holds distinct names of 1*( ALPHA / DIGIT / \"-\" / \".\" / \"_\" ) "
                  "(RFC 6749 8.2)");
};

// A type that lists parameter names: a parameter_list or a parameter_union.
template <class Set>
concept parameter_set = requires {
    requires std::same_as<typename std::remove_cvref_t<decltype(Set::names)>::value_type, std::string_view>;
};

namespace detail {

template <class... Sets>
[[nodiscard]] consteval std::size_t union_size() {
    constexpr std::size_t total = (std::size_t{0} + ... + Sets::names.size());
    std::array<std::string_view, total> seen{};
    std::size_t count = 0;
    [[maybe_unused]] const auto add = [&](const auto& names) {
        for (const std::string_view name : names) {
            bool known = false;
            for (std::size_t i = 0; i < count; ++i) known = known || seen[i] == name;
            if (!known) seen[count++] = name;
        }
    };
    (add(Sets::names), ...);
    return count;
}

template <class... Sets>
[[nodiscard]] consteval auto union_names() {
    std::array<std::string_view, union_size<Sets...>()> names{};
    std::size_t count = 0;
    [[maybe_unused]] const auto add = [&](const auto& from) {
        for (const std::string_view name : from)
            if (position_of(names, name) == not_declared) names[count++] = name;
    };
    (add(Sets::names), ...);
    return names;
}

}  // namespace detail

// Every name of the given sets, each once, in the order first seen.
template <parameter_set... Sets>
struct parameter_union {
    static constexpr auto names = detail::union_names<Sets...>();
};

// True when Set declares `name`.
template <parameter_set Set>
[[nodiscard]] constexpr bool declares(std::string_view name) noexcept {
    return detail::position_of(Set::names, name) != detail::not_declared;
}

class parameter_name;
namespace detail {
[[nodiscard]] constexpr parameter_name declared_name(std::string_view name) noexcept;
}  // namespace detail

// The name of a parameter as an error may print it: only a name written in the program
// (a literal, a param<...>, or a name of a declared list), never bytes a client sent, so
// that an error description cannot echo client input.
class parameter_name {
public:
    constexpr parameter_name() noexcept = default;
    template <std::size_t N>
    // NOLINTNEXTLINE(google-explicit-constructor): error{reason::missing_parameter, "code"}
    consteval parameter_name(const char (&name)[N]) : text_(name, N - 1) {
        if (!detail::is_param_name(text_)) detail::parameter_name_outside_rfc6749_8_2_grammar();
    }
    template <detail::fixed_string Name>
    // NOLINTNEXTLINE(google-explicit-constructor): error{reason::missing_parameter, param<"code">}
    constexpr parameter_name(param_t<Name>) noexcept : text_(param_t<Name>::name) {}

    [[nodiscard]] constexpr std::string_view text() const noexcept { return text_; }
    [[nodiscard]] constexpr bool empty() const noexcept { return text_.empty(); }
    friend constexpr bool operator==(const parameter_name& a, const parameter_name& b) noexcept {
        return a.text_ == b.text_;
    }

private:
    friend constexpr parameter_name detail::declared_name(std::string_view name) noexcept;
    struct declared_tag {};
    constexpr parameter_name(declared_tag, std::string_view name) noexcept : text_(name) {}

    std::string_view text_;
};

namespace detail {
// For a name taken from a declared list (checked at compile time), at run time.
[[nodiscard]] constexpr parameter_name declared_name(std::string_view name) noexcept {
    return parameter_name(parameter_name::declared_tag{}, name);
}
}  // namespace detail

}  // namespace oauthcore
