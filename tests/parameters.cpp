#include "oauthcore/parameters.hpp"

#include <string>
#include <vector>

#include "catch.hpp"
#include "oauthcore/detail/name_lookup.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/storage.hpp"

using namespace oauthcore;

namespace {

// RFC 6749 8.2 param-name = 1*name-char; name-char = "-" / "." / "_" / DIGIT / ALPHA.
static_assert(detail::is_param_name("grant_type"));
static_assert(detail::is_param_name("a-b.c_9Z"));
static_assert(!detail::is_param_name(""));
static_assert(!detail::is_param_name("a b"));
static_assert(!detail::is_param_name("a+b"));
static_assert(!detail::is_param_name("a%5F"));
static_assert(!detail::is_param_name("caf\xc3\xa9"));

using grant_a = parameter_list<"code", "redirect_uri", "code_verifier">;
using grant_b = parameter_list<"device_code", "scope">;
using methods = parameter_list<"client_id", "client_secret", "client_assertion_type", "client_assertion">;
using everything = parameter_union<parameter_list<"grant_type", "client_id">, methods, grant_a, grant_b>;

// The union keeps the first occurrence of each name, in order.
static_assert(everything::names.size() == 10);
static_assert(everything::names[0] == "grant_type");
static_assert(everything::names[1] == "client_id");
static_assert(everything::names[2] == "client_secret");
static_assert(declares<everything>("code_verifier") && declares<everything>("device_code"));
static_assert(!declares<everything>("password"));
static_assert(parameter_union<>::names.size() == 0);
static_assert(param<"client_assertion_type">.name == "client_assertion_type");

// Lists that share lengths and first letters (client_secret, code_verifier), and one
// name per length from 1 to 40 (the prefixes of one text, so that a byte compared at the
// wrong offset would be seen): a hash is found for each, and it separates them.
using same_shape = parameter_list<"client_secret", "code_verifier", "email_address", "refresh_token", "response_type",
                                  "scope", "state", "token">;
using every_length = parameter_list<
    "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghij", "abcdefghijk",
    "abcdefghijkl", "abcdefghijklm", "abcdefghijklmn", "abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnopq",
    "abcdefghijklmnopqr", "abcdefghijklmnopqrs", "abcdefghijklmnopqrst", "abcdefghijklmnopqrstu",
    "abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuvw", "abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwxy",
    "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyza", "abcdefghijklmnopqrstuvwxyzab",
    "abcdefghijklmnopqrstuvwxyzabc", "abcdefghijklmnopqrstuvwxyzabcd", "abcdefghijklmnopqrstuvwxyzabcde",
    "abcdefghijklmnopqrstuvwxyzabcdef", "abcdefghijklmnopqrstuvwxyzabcdefg", "abcdefghijklmnopqrstuvwxyzabcdefgh",
    "abcdefghijklmnopqrstuvwxyzabcdefghi", "abcdefghijklmnopqrstuvwxyzabcdefghij",
    "abcdefghijklmnopqrstuvwxyzabcdefghijk", "abcdefghijklmnopqrstuvwxyzabcdefghijkl",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklm", "abcdefghijklmnopqrstuvwxyzabcdefghijklmn">;
static_assert(detail::name_lookup<same_shape::names>::hashed);
static_assert(detail::name_lookup<everything::names>::hashed);
static_assert(detail::name_lookup<every_length::names>::hashed);

// The table's keys are made while compiling and compared with keys made at run time (the
// test below) or, here, in constant evaluation: every name is found, and no name with one
// byte changed is.
template <class Set>
constexpr bool finds_names_and_not_their_near_misses() {
    using lookup = detail::name_lookup<Set::names>;
    for (std::size_t i = 0; i < Set::names.size(); ++i) {
        const std::string_view name = Set::names[i];
        if (lookup::find(name) != i) return false;
        char near[64]{};
        for (std::size_t at = 0; at < name.size(); ++at) {
            for (std::size_t k = 0; k < name.size(); ++k) near[k] = name[k];
            near[at] = static_cast<char>(near[at] ^ 0x20);
            if (lookup::find(std::string_view(near, name.size())) != detail::name_not_found) return false;
        }
    }
    return true;
}
static_assert(finds_names_and_not_their_near_misses<every_length>());
static_assert(finds_names_and_not_their_near_misses<everything>());

template <class Set>
void check_lookup_against_the_plain_search(const std::vector<std::string>& probes) {
    using lookup = detail::name_lookup<Set::names>;
    for (const auto& name : Set::names) {
        CHECK(lookup::find(name) == detail::find_name_plain(Set::names, name));
        CHECK(lookup::find(name) != detail::name_not_found);
    }
    for (const auto& probe : probes) CHECK(lookup::find(probe) == detail::find_name_plain(Set::names, probe));
}

std::vector<std::string> near_misses_of(const auto& names) {
    std::vector<std::string> probes{"", "x", std::string(64, 'a')};
    for (const std::string_view name : names) {
        const std::string n(name);
        probes.push_back(n + "x");
        probes.push_back(n.substr(0, n.size() - 1));
        for (std::size_t at = 0; at < n.size(); ++at) {
            for (const char flip : {'\x01', '\x20', '\x40', '\x80'}) {
                std::string near = n;
                near[at] = static_cast<char>(near[at] ^ flip);
                probes.push_back(near);
            }
        }
    }
    return probes;
}

}  // namespace

TEST_CASE("parameters: the hashed lookup answers as the plain search, for names and near misses",
          "[parameters][lookup]") {
    check_lookup_against_the_plain_search<everything>(near_misses_of(everything::names));
    check_lookup_against_the_plain_search<same_shape>(near_misses_of(same_shape::names));
    check_lookup_against_the_plain_search<grant_a>(near_misses_of(everything::names));
    check_lookup_against_the_plain_search<every_length>(near_misses_of(every_length::names));
}

TEST_CASE("parameters: a name of any length is recognised, 1 to 64 bytes (RFC 6749 8.2 has no limit)",
          "[parameters][form]") {
    using lengths =
        parameter_list<"a", "bb", "ccccccccccccccc", "dddddddddddddddd", "eeeeeeeeeeeeeeeee", "client_assertion_type",
                       "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff">;
    check_lookup_against_the_plain_search<lengths>(near_misses_of(lengths::names));
    request_storage storage;
    std::string body;
    for (const std::string_view name : lengths::names) body += std::string(name) + "=" + std::string(name) + "&";
    const auto form = parse_form<lengths>(body, storage);
    REQUIRE(form);
    for (std::size_t i = 0; i < lengths::names.size(); ++i) CHECK(form->at(i) == lengths::names[i]);
    CHECK((*form)[param<"client_assertion_type">] == "client_assertion_type");
}

TEST_CASE("parameters: a set of more than 64 names keeps every one (no fixed capacity)", "[parameters][form]") {
    // 70 names, p00 to p69, generated at compile time.
    using many = parameter_list<"p00", "p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10", "p11",
                                "p12", "p13", "p14", "p15", "p16", "p17", "p18", "p19", "p20", "p21", "p22", "p23",
                                "p24", "p25", "p26", "p27", "p28", "p29", "p30", "p31", "p32", "p33", "p34", "p35",
                                "p36", "p37", "p38", "p39", "p40", "p41", "p42", "p43", "p44", "p45", "p46", "p47",
                                "p48", "p49", "p50", "p51", "p52", "p53", "p54", "p55", "p56", "p57", "p58", "p59",
                                "p60", "p61", "p62", "p63", "p64", "p65", "p66", "p67", "p68", "p69">;
    check_lookup_against_the_plain_search<many>(near_misses_of(many::names));
    std::string body;
    for (const std::string_view name : many::names) body += std::string(name) + "=v" + std::string(name) + "&";
    request_storage storage;
    form_limits limits;
    limits.max_parameters = 100;
    const auto form = parse_form<many>(body, storage, limits);
    REQUIRE(form);
    for (std::size_t i = 0; i < many::names.size(); ++i) {
        CHECK(form->present(i));
        CHECK(form->at(i) == "v" + std::string(many::names[i]));
    }
    CHECK((*form)[param<"p69">] == "vp69");
    // A repeat past the 64th name is still named.
    const auto repeated = parse_form<many>("p68=a&p69=b&p69=c", storage, limits);
    REQUIRE_FALSE(repeated);
    CHECK(repeated.error() == error{reason::duplicate_parameter, param<"p69">});
}

TEST_CASE("parameters: a parameter_name is a name written in the program (RFC 6749 5.2, no echo)",
          "[parameters][errors]") {
    constexpr parameter_name literal = "code_verifier";
    constexpr parameter_name from_param = param<"code_verifier">;
    static_assert(literal == from_param);
    static_assert(literal.text() == "code_verifier");
    static_assert(parameter_name{}.empty());
    CHECK(detail::declared_name(everything::names[3]).text() == everything::names[3]);
}
