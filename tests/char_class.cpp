#include "oauthcore/char_class.hpp"

#include <cstdint>
#include <cstring>
#include <string>

#include "catch.hpp"
#include "oauthcore/basic_auth.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/scope.hpp"

using namespace oauthcore;

namespace {

// The grammars, written out a second time from the RFC text, byte by byte.
static_assert(is_in(char_class::vschar, ' ') && is_in(char_class::vschar, '~') && !is_in(char_class::vschar, '\x7f'));
static_assert(!is_in(char_class::nqchar, ' ') && !is_in(char_class::nqchar, '"') && !is_in(char_class::nqchar, '\\'));
static_assert(is_in(char_class::nqchar, '!') && is_in(char_class::nqchar, '#') && is_in(char_class::nqchar, ']'));
static_assert(is_in(char_class::description, ' ') && !is_in(char_class::description, '"'));
static_assert(is_in(char_class::param_name, '_') && !is_in(char_class::param_name, '~'));
static_assert(is_in(char_class::unreserved, '~') && !is_in(char_class::unreserved, '+'));
static_assert(is_in(char_class::control, '\0') && is_in(char_class::control, '\x7f') &&
              !is_in(char_class::control, ' '));
static_assert(is_in(char_class::json_plain, '\x7f') && !is_in(char_class::token_plain, '\x7f'));
static_assert(!is_in(char_class::json_plain, '\x80') && !is_in(char_class::vschar, '\xff'));
static_assert(is_in(char_class::uri, '%') && is_in(char_class::uri, '#') && !is_in(char_class::uri, ' ') &&
              !is_in(char_class::uri, '"') && !is_in(char_class::uri, '\x80'));
static_assert(is_in(char_class::form_plain, '*') && !is_in(char_class::form_plain, '~') &&
              !is_in(char_class::form_plain, ' '));

// A word of eight filler bytes with `byte` in lane `lane`.
std::uint64_t word_with(unsigned char byte, std::size_t lane, unsigned char filler = 'a') {
    unsigned char bytes[8];
    std::memset(bytes, filler, sizeof bytes);
    bytes[lane] = byte;
    std::uint64_t w;
    std::memcpy(&w, bytes, 8);
    return w;
}

template <class WordTest>
void check_word_test(const char* name, WordTest test, char_class k) {
    for (unsigned b = 0; b < 256; ++b) {
        for (std::size_t lane = 0; lane < 8; ++lane) {
            const bool flagged = test(word_with(static_cast<unsigned char>(b), lane)) != 0;
            if (flagged == is_in(k, static_cast<char>(b)))
                FAIL_CHECK(name << ": byte " << b << " in lane " << lane << " disagrees with the table");
        }
    }
}

// For a scan over a string: `byte` at every position of strings of every length up to 40,
// the rest filler, against the table.
template <class Scan>
void check_scan(const char* name, Scan scan, char_class k) {
    for (std::size_t size = 1; size <= 40; ++size) {
        for (std::size_t at = 0; at < size; ++at) {
            for (unsigned b = 0; b < 256; ++b) {
                std::string s(size, 'a');
                s[at] = static_cast<char>(b);
                if (scan(s) == is_in(k, static_cast<char>(b)))
                    FAIL_CHECK(name << ": byte " << b << " at " << at << " of " << size);
            }
        }
    }
}

}  // namespace

TEST_CASE("char class: each word test is exact against its table, for every byte in every lane", "[char_class][swar]") {
    check_word_test("swar_has_non_vschar", detail::swar_has_non_vschar, char_class::vschar);
    check_word_test("swar_has_non_plain_token_byte", detail::swar_has_non_plain_token_byte, char_class::token_plain);
    check_word_test("swar_has_json_special", detail::swar_has_json_special, char_class::json_plain);
}

TEST_CASE("char class: each string scan (words, vectors, tails) agrees with its table at every position",
          "[char_class][swar]") {
    check_scan(
        "non_plain_token_bytes", [](std::string_view s) { return detail::non_plain_token_bytes(s) != 0; },
        char_class::token_plain);
    check_scan(
        "is_plain_json_text", [](std::string_view s) { return !detail::is_plain_json_text(s); },
        char_class::json_plain);
    check_scan(
        "is_vschar_text", [](std::string_view s) { return !detail::is_vschar_text(s); }, char_class::vschar);
    // Basic's one scan of the decoded user-pass: its control-character flag (RFC 7617 2).
    check_scan(
        "user_pass_flags (control)",
        [](std::string_view s) { return (detail::user_pass_flags(s) & detail::user_pass_control) == 0; },
        char_class::control);
}

TEST_CASE("char class: the scalar checks read the table (RFC 6749 3.3, 5.2, 8.2)", "[char_class]") {
    for (unsigned b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        CHECK(detail::is_nqchar(c) == is_in(char_class::nqchar, c));
        CHECK(detail::is_description_text(std::string(1, c)) == is_in(char_class::description, c));
        CHECK(detail::is_param_name(std::string(1, c)) == is_in(char_class::param_name, c));
        CHECK(detail::is_realm_byte(c) == (c == '\t' || !is_in(char_class::control, c)));
    }
}
