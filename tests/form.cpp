#include "oauthcore/form.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "catch.hpp"
#include "oauthcore/storage.hpp"

using namespace oauthcore;

namespace {

// The parameters of the password and refresh_token grants and the client authentication
// methods (the vendor's endpoint and its refresh grant read these).
using token_parameters = parameter_list<"grant_type", "username", "email_address", "password", "client_id",
                                        "client_secret", "scope", "refresh_token">;

std::string decode(std::string_view raw) {
    std::string out(decoded_size(raw), '\0');
    const std::size_t written = decode_form_component(raw, out.data());
    REQUIRE(written == out.size());
    return out;
}

std::vector<std::pair<std::string, std::string>> pairs_of(std::string_view body) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const form_pair p : form_pairs(body)) out.emplace_back(p.name, p.value);
    return out;
}

constexpr std::size_t count_pairs(std::string_view body) {
    std::size_t n = 0;
    for ([[maybe_unused]] const form_pair p : form_pairs(body)) ++n;
    return n;
}

template <std::size_t N>
struct decoded {
    std::array<char, N> bytes{};
    std::size_t size = 0;
    constexpr explicit decoded(std::string_view raw) { size = decode_form_component(raw, bytes.data()); }
    constexpr bool operator==(std::string_view s) const { return std::string_view(bytes.data(), size) == s; }
};

// WHATWG URL, application/x-www-form-urlencoded parsing, checked at compile time.
static_assert(decoded<16>("a+b") == "a b");
static_assert(decoded<16>("%41%62") == "Ab");
static_assert(decoded<16>("%4a%4A") == "JJ");
static_assert(decoded<16>("%zz%4") == "%zz%4");
static_assert(decoded<16>("%%41") == "%A");
static_assert(decoded<16>("%2B") == "+");
static_assert(decoded_size("%41%4") == 3);
static_assert(count_pairs("a=1&&b=2&") == 2);
static_assert(count_pairs("") == 0);
static_assert(count_pairs("&&&") == 0);

constexpr bool parses_vendor_body_in_constant_expression() {
    fixed_storage<64> storage;
    const auto fields =
        parse_form<token_parameters>("grant_type=password&username=john_doe&password=john%5Fdoe+secret", storage);
    return fields && (*fields)[param<"grant_type">] == "password" && (*fields)[param<"username">] == "john_doe" &&
           (*fields)[param<"password">] == "john_doe secret";
}
static_assert(parses_vendor_body_in_constant_expression());

}  // namespace

TEST_CASE("form: '+' decodes to space (WHATWG urlencoded parsing, step 3)", "[form][whatwg]") {
    CHECK(decode("john+doe") == "john doe");
    CHECK(decode("+") == " ");
}

TEST_CASE("form: percent-encoded bytes decode in either case (WHATWG percent-decode)", "[form][whatwg]") {
    CHECK(decode("%40") == "@");
    CHECK(decode("%c3%b6") == "\xc3\xb6");
    CHECK(decode("%C3%B6") == "\xc3\xb6");
    CHECK(decode("%00") == std::string(1, '\0'));
    CHECK(decode("%FF") == "\xff");
}

TEST_CASE("form: a '%' not followed by two hex digits stays literal (WHATWG percent-decode)", "[form][whatwg]") {
    CHECK(decode("%") == "%");
    CHECK(decode("100%") == "100%");
    CHECK(decode("%4") == "%4");
    CHECK(decode("%G1") == "%G1");
    CHECK(decode("%1G") == "%1G");
    CHECK(decode("%%") == "%%");
}

TEST_CASE("form: '%2B' is a literal plus, not a space (WHATWG: '+' replaced before percent-decoding)",
          "[form][whatwg]") {
    CHECK(decode("a%2Bb+c") == "a+b c");
}

TEST_CASE("form: sequences split on '&', name from value at the first '=' (WHATWG steps 1-2)", "[form][whatwg]") {
    using P = std::vector<std::pair<std::string, std::string>>;
    CHECK(pairs_of("a=1&b=2") == P{{"a", "1"}, {"b", "2"}});
    CHECK(pairs_of("a=1=2") == P{{"a", "1=2"}});
    CHECK(pairs_of("a") == P{{"a", ""}});
    CHECK(pairs_of("=v") == P{{"", "v"}});
    CHECK(pairs_of("&a=1&&") == P{{"a", "1"}});
    CHECK(pairs_of("").empty());
}

TEST_CASE("form: the vendor body parses into its three parameters without copying", "[form][vendor]") {
    request_storage storage;
    const std::string_view body = "grant_type=password&username=john_doe&password=john_doe_secret";
    const auto fields = parse_form<token_parameters>(body, storage);
    REQUIRE(fields);
    CHECK((*fields)[param<"grant_type">] == "password");
    CHECK((*fields)[param<"username">] == "john_doe");
    CHECK((*fields)[param<"password">] == "john_doe_secret");
    CHECK_FALSE(fields->given(param<"email_address">));
    // Views into the body: nothing needed decoding.
    CHECK((*fields)[param<"username">].data() == body.data() + 29);
    CHECK(storage.used() == 0);
}

TEST_CASE("form: decoded values go to the request storage", "[form]") {
    request_storage storage;
    const auto fields =
        parse_form<token_parameters>("username=john.doe%40example.com&password=p%40ss+w%C3%B6rd", storage);
    REQUIRE(fields);
    CHECK((*fields)[param<"username">] == "john.doe@example.com");
    CHECK((*fields)[param<"password">] == "p@ss w\xc3\xb6rd");
    // Each decoded value takes its raw size: decoding is in place, in one pass.
    CHECK(storage.used() ==
          std::string_view("john.doe%40example.com").size() + std::string_view("p%40ss+w%C3%B6rd").size());
    CHECK_FALSE(storage.uses_heap());
}

TEST_CASE("form: an encoded name is recognised after decoding (WHATWG decodes names too)", "[form][whatwg]") {
    request_storage storage;
    const auto fields = parse_form<token_parameters>("grant%5Ftype=password&user+name=x&%70assword=y", storage);
    REQUIRE(fields);
    CHECK((*fields)[param<"grant_type">] == "password");
    CHECK((*fields)[param<"password">] == "y");
    CHECK_FALSE(fields->given(param<"username">));  // "user name" is another parameter
}

TEST_CASE("form: a parameter with an empty value counts as omitted (RFC 6749 3.2)", "[form][rfc6749]") {
    request_storage storage;
    const auto fields = parse_form<token_parameters>("grant_type=password&username=&password", storage);
    REQUIRE(fields);
    CHECK_FALSE(fields->given(param<"username">));
    CHECK_FALSE(fields->given(param<"password">));
}

TEST_CASE("form: a name one byte away from a recognised one is not it, at every position (RFC 6749 3.2)",
          "[form][rfc6749]") {
    for (std::size_t p = 0; p < token_parameters::names.size(); ++p) {
        const std::string name(token_parameters::names[p]);
        {
            request_storage storage;
            const std::string body = name + "=v";  // the fields are views into it
            const auto fields = parse_form<token_parameters>(body, storage);
            REQUIRE(fields);
            CHECK(fields->at(p) == "v");
        }
        for (std::size_t at = 0; at < name.size(); ++at) {
            for (const char flip : {'\x01', '\x20', '\x40'}) {
                std::string near = name;
                near[at] = static_cast<char>(near[at] ^ flip);
                request_storage storage;
                const std::string body = near + "=v";
                const auto fields = parse_form<token_parameters>(body, storage);
                REQUIRE(fields);
                for (std::size_t q = 0; q < token_parameters::names.size(); ++q)
                    if (fields->present(q)) FAIL_CHECK(near << " read as " << token_parameters::names[q]);
            }
        }
    }
}

TEST_CASE("form: unrecognised parameters are ignored (RFC 6749 3.2)", "[form][rfc6749]") {
    request_storage storage;
    const auto fields =
        parse_form<token_parameters>("foo=bar&grant_type=password&x%zz=1&Grant_Type=client_credentials", storage);
    REQUIRE(fields);
    CHECK((*fields)[param<"grant_type">] == "password");
}

TEST_CASE("form: a recognised parameter sent twice is invalid_request naming it (RFC 6749 3.2)", "[form][rfc6749]") {
    request_storage storage;
    for (const auto& [body, named] : std::vector<std::pair<std::string, parameter_name>>{
             {"grant_type=password&grant_type=password", param<"grant_type">},
             {"username=a&password=b&username=a", param<"username">},
             {"password=&password=x", param<"password">},
             {"email_address=a&email%5Faddress=b", param<"email_address">},
             {"client_secret=a&client_secret=a", param<"client_secret">},
         }) {
        storage.reset();
        const auto fields = parse_form<token_parameters>(body, storage);
        REQUIRE_FALSE(fields);
        CHECK(fields.error() == error{reason::duplicate_parameter, named});
    }
}

TEST_CASE("form: an unrecognised parameter may repeat", "[form]") {
    request_storage storage;
    CHECK(parse_form<token_parameters>("foo=1&foo=2&grant_type=password", storage));
}

TEST_CASE("form: limits on body, parameter count and parameter size are clean errors", "[form][limits]") {
    request_storage storage;
    form_limits limits;
    limits.max_body_bytes = 20;
    limits.max_parameters = 3;
    limits.max_parameter_bytes = 5;
    CHECK(parse_form<token_parameters>("a=1&b=2&c=3&&&&&&&&&", storage, limits).has_value());  // 20 bytes
    CHECK(parse_form<token_parameters>("a=1&b=2&c=3&&&&&&&&&&", storage, limits).error().reason ==
          reason::body_too_large);
    CHECK(parse_form<token_parameters>("a=1&b=2&c=3", storage, limits).has_value());
    CHECK(parse_form<token_parameters>("a=1&b=2&c=3&d", storage, limits).error().reason == reason::too_many_parameters);
    CHECK(parse_form<token_parameters>("a=12345", storage, limits).has_value());
    CHECK(parse_form<token_parameters>("a=123456", storage, limits).error().reason == reason::parameter_too_large);
    CHECK(parse_form<token_parameters>("abcdef=1", storage, limits).error().reason == reason::parameter_too_large);
    // Empty sequences are not parameters.
    CHECK(parse_form<token_parameters>("a&&&&&&&b", storage, limits).has_value());
}

TEST_CASE("form: default limits are 16 KiB, 32 parameters, 4 KiB per parameter", "[form][limits]") {
    const form_limits limits;
    CHECK(limits.max_body_bytes == 16384);
    CHECK(limits.max_parameters == 32);
    CHECK(limits.max_parameter_bytes == 4096);
    request_storage storage;
    std::string body;
    for (int i = 0; i < 32; ++i) body += "p" + std::to_string(i) + "=v&";
    CHECK(parse_form<token_parameters>(body, storage));
    body += "one=more";
    CHECK(parse_form<token_parameters>(body, storage).error().reason == reason::too_many_parameters);
}

TEST_CASE("form: a large body with encoded values takes one heap block", "[form][storage]") {
    request_storage storage;
    const std::string password = "password=" + std::string(4000, '+');
    const std::string username = "username=" + std::string(4000, '+');
    const auto fields = parse_form<token_parameters>(password + "&" + username, storage);
    REQUIRE(fields);
    CHECK((*fields)[param<"password">] == std::string(4000, ' '));
    CHECK((*fields)[param<"username">] == std::string(4000, ' '));
    CHECK(storage.uses_heap());
}

TEST_CASE("form: NUL and high bytes pass through as bytes", "[form]") {
    request_storage storage;
    const std::string body = std::string("password=a\0b\xff", 13) + "&username=%00";
    const auto fields = parse_form<token_parameters>(body, storage);
    REQUIRE(fields);
    CHECK((*fields)[param<"password">] == std::string_view("a\0b\xff", 4));
    CHECK((*fields)[param<"username">] == std::string_view("\0", 1));
}

TEST_CASE("form: hex digits are exactly 0-9, a-f, A-F (WHATWG percent-decode)", "[form][whatwg]") {
    // The neighbours of each range stay literal.
    for (const std::string_view raw :
         {"%/0", "%:0", "%@0", "%G0", "%`0", "%g0", "%0/", "%0:", "%0@", "%0G", "%0`", "%0g"})
        CHECK(decode(raw) == std::string(raw));
    CHECK(decode("%09%af%AF%fA") == "\x09\xaf\xaf\xfa");
}

TEST_CASE("form: every '%XY' of two bytes decodes exactly when both are hex digits (WHATWG percent-decode)",
          "[form][whatwg]") {
    // The WHATWG definition spelled out, independent of the library's tables.
    const auto hex_value = [](int c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::size_t decoded_triplets = 0;
    for (int x = 0; x < 256; ++x) {
        for (int y = 0; y < 256; ++y) {
            const std::string raw = {'%', static_cast<char>(x), static_cast<char>(y)};
            const bool hex = hex_value(x) >= 0 && hex_value(y) >= 0;
            std::string expected = hex ? std::string(1, static_cast<char>(hex_value(x) * 16 + hex_value(y))) : raw;
            if (!hex)
                for (char& c : expected) c = c == '+' ? ' ' : c;
            if (decode(raw) != expected) FAIL_CHECK("%" << x << " " << y);
            decoded_triplets += hex ? 1 : 0;
        }
    }
    CHECK(decoded_triplets == 22 * 22);
}

TEST_CASE("form: a '%' in each of the last three positions, and '+' there (WHATWG percent-decode)", "[form][whatwg]") {
    // The decoder looks for triplets only where two bytes follow; these are its edges.
    CHECK(decode("ab%41") == "abA");
    CHECK(decode("abc%4") == "abc%4");
    CHECK(decode("abcd%") == "abcd%");
    CHECK(decode("ab%4+") == "ab%4 ");
    CHECK(decode("abc%+") == "abc% ");
    CHECK(decode("%41%42") == "AB");
    CHECK(decode("x+%41+") == "x A ");
    CHECK(decode("++") == "  ");
}

TEST_CASE("form: an encoded name longer than any parameter's is not recognised (RFC 6749 3.2: ignored)", "[form]") {
    request_storage storage;
    const auto fields =
        parse_form<token_parameters>("%67rant_type_and_more=x&password%5F=y&grant%5Ftype=password", storage);
    REQUIRE(fields);
    CHECK((*fields)[param<"grant_type">] == "password");
    CHECK_FALSE(fields->given(param<"password">));
}

TEST_CASE("form: an exhausted fixed_storage is out_of_memory, not a crash", "[form][storage]") {
    fixed_storage<8> storage;
    CHECK(parse_form<token_parameters>("password=ab%41", storage));  // takes 5 bytes: the raw size
    CHECK(parse_form<token_parameters>("username=a+b+", storage).error() == error{reason::out_of_memory});
    // Values that need no decoding take no storage at all.
    CHECK(parse_form<token_parameters>("username=plain&password=plain", storage));
}

TEST_CASE("form: iterators over the same body compare by position", "[form]") {
    const std::string body = "a=1&b=2";
    const form_pairs pairs(body);
    auto first = pairs.begin();
    auto second = pairs.begin();
    CHECK(first == second);
    ++second;
    CHECK_FALSE(first == second);
    CHECK((*second).name == "b");
    auto third = second++;
    CHECK(third != second);
    CHECK(second == pairs.end());
    CHECK_FALSE(first == pairs.end());
}

TEST_CASE("form: a '%' in the last two bytes stays literal, decoded or not (WHATWG percent-decode)", "[form][whatwg]") {
    CHECK(decode("ab%") == "ab%");
    CHECK(decode("ab%4") == "ab%4");
    CHECK(decode("ab%41") == "abA");
    CHECK(decode("%") == "%");
    CHECK(decode("%4") == "%4");
    CHECK(decode("%%") == "%%");
    CHECK(decode("+%") == " %");
    CHECK(decode("%4+") == "%4 ");
    CHECK(decode("%g1%1g%41") == "%g1%1gA");
    request_storage storage;
    const auto fields = parse_form<token_parameters>("username=a%4&password=b%", storage);
    REQUIRE(fields);
    CHECK((*fields)[param<"username">] == "a%4");
    CHECK((*fields)[param<"password">] == "b%");
}

TEST_CASE("form: a decoded value takes its raw size from storage, short or long", "[form][storage]") {
    // Decoding never lengthens, so the value is decoded straight into a block of its raw
    // size; what the decoder writes is exactly the decoded bytes.
    for (const std::size_t triplets : {1u, 85u, 86u, 200u}) {
        std::string raw;
        for (std::size_t i = 0; i < triplets; ++i) raw += "%41";
        const std::string decoded(triplets, 'A');
        // WHATWG: '+' is a space; a '%' without two hex digits after it stays literal.
        for (const auto& [suffix, decoded_suffix] : {std::pair{"", ""}, std::pair{"+", " "}, std::pair{"%", "%"},
                                                     std::pair{"%4", "%4"}, std::pair{"xy", "xy"}}) {
            request_storage storage;
            const auto fields = parse_form<token_parameters>("password=" + raw + suffix, storage);
            REQUIRE(fields);
            CHECK((*fields)[param<"password">] == decoded + decoded_suffix);
            CHECK(storage.used() == raw.size() + std::string_view(suffix).size());
        }
    }
}

TEST_CASE("form: an exhausted storage is out_of_memory for short and long decoded values", "[form][storage]") {
    fixed_storage<8> storage;
    CHECK(parse_form<token_parameters>("password=%41%41%41%41%41%41%41%41%41", storage).error() ==
          error{reason::out_of_memory});
    storage.reset();
    CHECK(parse_form<token_parameters>("password=" + std::string(300, '+'), storage).error() ==
          error{reason::out_of_memory});
}

TEST_CASE("form: needs_decoding finds a '+' or '%' at every position of every length", "[form]") {
    // Short strings are read as overlapping words, long ones sixteen bytes a step (the
    // last step overlapping): each position of each length must be seen.
    for (std::size_t size = 0; size <= 72; ++size) {
        const std::string plain(size, 'a');
        CHECK_FALSE(needs_decoding(plain));
        for (std::size_t at = 0; at < size; ++at) {
            for (const char c : {'+', '%'}) {
                std::string raw = plain;
                raw[at] = c;
                CHECK(needs_decoding(raw));
            }
        }
    }
}

namespace {

// WHATWG steps 1-2 one byte at a time: the reference the splitter's sixteen-byte search
// is held to.
std::vector<std::pair<std::string, std::string>> reference_pairs(std::string_view body) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t start = 0;
    while (start <= body.size()) {
        std::size_t amp = start;
        while (amp < body.size() && body[amp] != '&') ++amp;
        const std::string_view sequence = body.substr(start, amp - start);
        if (!sequence.empty()) {
            std::size_t eq = 0;
            while (eq < sequence.size() && sequence[eq] != '=') ++eq;
            out.emplace_back(sequence.substr(0, eq), eq < sequence.size() ? sequence.substr(eq + 1) : "");
        }
        start = amp + 1;
    }
    return out;
}

}  // namespace

TEST_CASE("form: '&' and '=' are found at every position of bodies up to 80 bytes (WHATWG steps 1-2)",
          "[form][whatwg]") {
    // The search takes sixteen bytes a step and ends with the sixteen that end at the
    // sequence's end (bodies of 16 bytes or more) or byte by byte (shorter ones): each
    // delimiter is tried at each offset of each step, alone, paired, and doubled.
    for (std::size_t size = 1; size <= 80; ++size) {
        for (std::size_t at = 0; at < size; ++at) {
            for (const std::string_view delimiters : {"&", "=", "&=", "=&", "==", "&&"}) {
                std::string body(size, 'a');
                for (std::size_t i = 0; i < delimiters.size() && at + i < size; ++i) body[at + i] = delimiters[i];
                if (at + 5 < size) body[at + 5] = '=';
                INFO("body " << body);
                CHECK(pairs_of(body) == reference_pairs(body));
            }
        }
    }
}

TEST_CASE("form: names and other short strings compare equal exactly when every byte is (bytes_equal, short_key)",
          "[form]") {
    // Up to thirty-two bytes the comparison reads overlapping words (or the first, middle
    // and last byte under four): a difference at any position of any length must show.
    for (std::size_t size = 0; size <= 40; ++size) {
        std::string a;
        for (std::size_t i = 0; i < size; ++i) a += static_cast<char>('a' + i);
        const std::string same = a;
        CHECK(detail::bytes_equal(a, same));
        CHECK_FALSE(detail::bytes_equal(a, a + "x"));
        for (std::size_t at = 0; at < size; ++at) {
            std::string b = a;
            b[at] = static_cast<char>(b[at] ^ 0x20);
            INFO("size " << size << ", differing byte " << at);
            CHECK_FALSE(detail::bytes_equal(a, b));
            // Up to sixteen bytes, the short keys (name_lookup's table holds them) give the
            // same answer.
            if (size <= detail::max_short_key)
                CHECK_FALSE(detail::same_key(detail::short_key_of(a), detail::short_key_of(b)));
        }
        if (size >= 1 && size <= detail::max_short_key)
            CHECK(detail::same_key(detail::short_key_of(a), detail::short_key_of(same)));
    }
    static_assert(detail::bytes_equal("password", "password") && !detail::bytes_equal("password", "passwore"));
}

namespace {

// decode_form_in_place_room into a block of exactly raw.size() bytes (as decode_to_storage
// takes), held to decode_form_component.
void check_in_place_room(std::string_view raw) {
    std::vector<char> room(raw.size());
    const std::size_t written = detail::decode_form_in_place_room(raw, room.data());
    const std::string expected = decode(raw);
    INFO("raw " << raw);
    REQUIRE(written == expected.size());
    CHECK(std::string_view(room.data(), written) == expected);
}

}  // namespace

TEST_CASE("form: values decoded sixteen bytes a step give the byte loop's bytes (WHATWG percent-decode)",
          "[form][whatwg]") {
    // Sixteen-byte steps copy runs without '%' (with '+' made a space) and leave the rest to
    // the byte loop, chosen by a look at the first thirty-two bytes: each kind of byte at
    // each position of each length, into a block of the raw size, plain and after a run.
    for (std::size_t size = 0; size <= 72; ++size) {
        for (const std::string_view fill : {"a", "ab+", "a%41", "%41%42"}) {
            std::string plain;
            while (plain.size() < size) plain += fill;
            plain.resize(size);
            check_in_place_room(plain);
            for (std::size_t at = 0; at < size; ++at) {
                for (const std::string_view put : {"%", "+", "%4", "%41", "%zz", "%%41", "%2B", "%a+"}) {
                    std::string raw = plain;
                    raw.replace(at, std::min(put.size(), size - at), put.substr(0, size - at));
                    check_in_place_room(raw);
                }
            }
        }
    }
}

TEST_CASE("form: random values decode the same sixteen bytes a step as byte by byte", "[form][whatwg]") {
    std::uint64_t state = 0x9E3779B97F4A7C15u;
    const auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    constexpr std::string_view alphabet = "%%%++aZ09fF-._~&=\x80\xff";
    for (int round = 0; round < 20000; ++round) {
        const std::size_t size = next() % 100;
        const std::size_t percent_every = 1 + next() % 40;  // from dense to sparse
        std::string raw;
        for (std::size_t i = 0; i < size; ++i) {
            const std::uint64_t r = next();
            raw += r % percent_every == 0 ? '%' : alphabet[r % alphabet.size()];
        }
        check_in_place_room(raw);
    }
}
