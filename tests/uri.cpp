#include "oauthcore/uri.hpp"

#include <array>
#include <cctype>
#include <string>

#include "catch.hpp"
#include "oauthcore/storage.hpp"

using namespace oauthcore;

namespace {

std::string encoded(std::string_view text) {
    std::string out(form_encoded_size(text), '\0');
    CHECK(write_form_encoded(text, out.data()) == out.size());
    return out;
}

template <std::size_t N>
std::string redirect(std::string_view base, const std::array<query_parameter, N>& parameters) {
    fixed_storage<8192> storage;
    const auto built = build_redirect(base, parameters, storage);
    REQUIRE(built.has_value());
    const auto size = redirect_size(base, parameters);
    REQUIRE(size.has_value());
    CHECK(*size == built->size());
    return std::string(*built);
}

// A constant expression: the split and the checks run while compiling.
constexpr bool splits_rfc3986_example() {
    const uri_parts p = split_uri("foo://example.com:8042/over/there?name=ferret#nose");
    return p.scheme == "foo" && p.authority == "example.com:8042" && p.path == "/over/there" &&
           p.query == "name=ferret" && p.fragment == "nose" && p.has_query && p.has_fragment;
}
static_assert(splits_rfc3986_example());
static_assert(is_redirect_uri("https://client.example.com/cb"));
static_assert(!is_redirect_uri("https://client.example.com/cb#frag"));

}  // namespace

TEST_CASE("uri: split as RFC 3986 Appendix B, every input", "[uri][rfc3986]") {
    const uri_parts urn = split_uri("urn:example:animal:ferret:nose");
    CHECK(urn.scheme == "urn");
    CHECK(!urn.has_authority);
    CHECK(urn.path == "example:animal:ferret:nose");
    const uri_parts relative = split_uri("/cb?x=1");
    CHECK(!relative.has_scheme);
    CHECK(relative.path == "/cb");
    CHECK(relative.query == "x=1");
    const uri_parts empty_query = split_uri("https://a.example/cb?");
    CHECK(empty_query.has_query);
    CHECK(empty_query.query.empty());
    const uri_parts empty_fragment = split_uri("https://a.example/cb#");
    CHECK(empty_fragment.has_fragment);
    // A ':' after a '/' does not end a scheme (Appendix B: [^:/?#]+).
    CHECK(!split_uri("/a:b").has_scheme);
    CHECK(!split_uri(":x").has_scheme);
    const uri_parts all = split_uri("");
    CHECK(!all.has_scheme);
    CHECK(all.path.empty());
}

TEST_CASE("uri: a redirect URI is absolute, without fragment, in URI characters (RFC 6749 3.1.2, RFC 3986 2)",
          "[uri][rfc6749]") {
    CHECK(is_redirect_uri("https://client.example.com/cb"));
    CHECK(is_redirect_uri("https://client.example.com/cb?existing=1&x=%2F"));
    CHECK(is_redirect_uri("com.example.app:/oauth2redirect"));  // RFC 8252 7.1 private-use scheme
    CHECK(is_redirect_uri("http://127.0.0.1:8080/cb"));
    // RFC 6749 3.1.2: "The endpoint URI MUST NOT include a fragment component."
    CHECK(!is_redirect_uri("https://client.example.com/cb#"));
    CHECK(!is_redirect_uri("https://client.example.com/cb#x"));
    // RFC 6749 3.1.2: "MUST be an absolute URI".
    CHECK(!is_redirect_uri("/cb"));
    CHECK(!is_redirect_uri("//client.example.com/cb"));
    CHECK(!is_redirect_uri("1https://client.example.com/cb"));
    CHECK(!is_redirect_uri(""));
    // RFC 3986 2: nothing a URI is not written with; so no header injection in Location.
    CHECK(!is_redirect_uri("https://client.example.com/cb\r\nSet-Cookie: x=1"));
    CHECK(!is_redirect_uri("https://client.example.com/c b"));
    CHECK(!is_redirect_uri("https://client.example.com/\"cb\""));
    CHECK(!is_redirect_uri("https://client.example.com/\xc3\xa9"));
    // RFC 3986 2.1: a '%' starts two hex digits.
    CHECK(!is_redirect_uri("https://client.example.com/cb?x=%2"));
    CHECK(!is_redirect_uri("https://client.example.com/cb?x=%zz"));
    CHECK(is_redirect_uri("https://client.example.com/cb?x=%2f"));
    CHECK(!is_redirect_uri("https://client.example.com/" + std::string(max_redirect_uri_bytes, 'a')));
}

TEST_CASE("uri: an authority names a host and perhaps a numeric port, no userinfo (RFC 3986 3.2)", "[uri][rfc3986]") {
    for (const std::string_view a : {"as.example.com", "as.example.com:8443", "as.example.com:", "[::1]", "[::1]:80",
                                     "127.0.0.1:8080", "localhost"})
        CHECK(is_host_authority(a));
    for (const std::string_view a :
         {"", ":443", "user@as.example.com", "@as.example.com", "as.example.com:x", "[]", "[::1", "[::1]x", "[::1]:8a"})
        CHECK_FALSE(is_host_authority(a));
}

TEST_CASE("uri: a host is an IP-literal, an IPv4 address or a reg-name, by RFC 3986 3.2.2's grammar",
          "[uri][rfc3986]") {
    // reg-name = *( unreserved / pct-encoded / sub-delims ); IP-literal = "[" ( IPv6address
    // / IPvFuture ) "]", IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).
    for (const std::string_view a :
         {"xn--bcher-kva.example", "a%41b.example", "a!$&'()*+,;=b", "_x~y-z.", "192.0.2.1:443", "[2001:db8::7]",
          "[::]", "[::1]:8080", "[2001:db8:0:0:0:0:2:1]", "[1:2:3:4:5:6:7::]", "[::ffff:192.0.2.1]",
          "[64:ff9b::192.0.2.33]", "[FE80::A]", "[v1.fe:ed]:8080", "[V7.x!]"})
        CHECK(is_host_authority(a));
    // Brackets only around an IPv6 address or an IPvFuture; no space, quote or other byte
    // outside URI characters; '%' only as a triplet, never inside brackets (a zone
    // identifier); no gen-delim in a reg-name.
    for (const std::string_view a : {"a[b]",
                                     "a]b",
                                     "[a]b]",
                                     "[[::1]]",
                                     "[a@b]",
                                     "as example.com",
                                     "as\"x.example",
                                     "a%zz.example",
                                     "a%4",
                                     "a\x01b",
                                     "\xC3\xA9.example",
                                     "[::1 ]",
                                     "[]:80",
                                     "a{b}",
                                     "[a]",
                                     "[example.com]",
                                     "[!]",
                                     "[:]",
                                     "[v]",
                                     "[v1.]",
                                     "[v.x]",
                                     "[%41]",
                                     "[fe80::1%25en0]",
                                     "[1:2:3:4:5:6:7:8:9]",
                                     "[1::2::3]",
                                     "[12345::]",
                                     "[::1:]",
                                     "[:1::]",
                                     "[1:2:3:4:5:6:7]",
                                     "[1.2.3.4]",
                                     "[::256.0.0.1]",
                                     "[::1.02.3.4]",
                                     "[::1.2.3]",
                                     "[::1.2.3.4.5]",
                                     "[::1.2.3.4:5]"})
        CHECK_FALSE(is_host_authority(a));
}

TEST_CASE("uri: IPv4 and IPv6 addresses against RFC 3986 3.2.2 and RFC 4291 2.2's examples", "[uri][rfc3986]") {
    for (const std::string_view a : {"0.0.0.0", "192.0.2.1", "255.255.255.255", "10.0.0.9"})
        CHECK(detail::is_ipv4_address(a));
    for (const std::string_view a : {"", "1.2.3", "1.2.3.4.", "256.1.1.1", "01.2.3.4", "1..2.3", "1.2.3.4a", "a.b.c.d"})
        CHECK_FALSE(detail::is_ipv4_address(a));
    // RFC 4291 2.2's examples.
    for (const std::string_view a :
         {"ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "2001:DB8:0:0:8:800:200C:417A", "2001:DB8::8:800:200C:417A",
          "FF01::101", "::1", "::", "0:0:0:0:0:0:13.1.68.3", "::13.1.68.3", "::FFFF:129.144.52.38"})
        CHECK(detail::is_ipv6_address(a));
    for (const std::string_view a : {"", ":", ":::", "1:2", "::1::", "1:2:3:4:5:6:7:8::", "g::", "::1.2.3.4::"})
        CHECK_FALSE(detail::is_ipv6_address(a));
}

TEST_CASE("uri: loopback authorities are 127.0.0.1, [::1] and localhost, with a numeric port (RFC 8252 7.3, 8.3)",
          "[uri][rfc8252]") {
    for (const std::string_view a : {"127.0.0.1", "127.0.0.1:8080", "[::1]", "[::1]:80", "localhost", "localhost:9000"})
        CHECK(is_loopback_authority(a));
    for (const std::string_view a : {"", "127.0.0.2", "127.0.0.1.example.com", "localhost.example.com", "localhost:x",
                                     "[::2]", "user@localhost", "127.0.0.1:80:80", "localhos"})
        CHECK_FALSE(is_loopback_authority(a));
}

TEST_CASE("uri: every byte class of a URI, against RFC 3986 2 written out", "[uri][rfc3986][char_class]") {
    const std::string_view allowed =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";
    for (unsigned b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        CHECK(is_in(char_class::uri, c) == (allowed.find(c) != std::string_view::npos));
    }
}

TEST_CASE("uri: redirect URIs are compared byte for byte (RFC 9700 2.1, 4.1.3, RFC 6749 3.1.2.3)", "[uri][rfc9700]") {
    CHECK(redirect_uri_matches("https://client.example.com/cb", "https://client.example.com/cb"));
    // No normalisation of any kind (RFC 3986 6.2.1 simple string comparison).
    CHECK(!redirect_uri_matches("https://client.example.com/cb", "https://CLIENT.example.com/cb"));
    CHECK(!redirect_uri_matches("https://client.example.com/cb", "https://client.example.com/cb/"));
    CHECK(!redirect_uri_matches("https://client.example.com/cb", "https://client.example.com:443/cb"));
    CHECK(!redirect_uri_matches("https://client.example.com/cb", "https://client.example.com/%63b"));
    CHECK(!redirect_uri_matches("https://client.example.com/cb", "https://client.example.com/cb?x=1"));
    // RFC 9700 4.1.1: no pattern or prefix matching.
    CHECK(!redirect_uri_matches("https://client.example.com/", "https://client.example.com/cb"));
    CHECK(!redirect_uri_matches("https://client.example.com/cb", "https://client.example.com/cb.evil.example"));
    CHECK(!redirect_uri_matches("https://client.example.com/cb", "https://client.example.com.evil.example/cb"));
}

TEST_CASE("uri: a loopback redirect URI's port may vary only when asked (RFC 8252 7.3, RFC 9700 2.1)",
          "[uri][rfc8252][rfc9700]") {
    constexpr auto vary = redirect_uri_matching::loopback_port_may_vary;
    CHECK(!redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb"));
    CHECK(redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb", vary));
    CHECK(redirect_uri_matches("http://127.0.0.1:8000/cb", "http://127.0.0.1:51004/cb", vary));
    CHECK(redirect_uri_matches("http://[::1]/cb?x=1", "http://[::1]:9/cb?x=1", vary));
    // Everything else still byte for byte.
    CHECK(!redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb2", vary));
    CHECK(!redirect_uri_matches("http://127.0.0.1/cb", "http://[::1]:51004/cb", vary));
    CHECK(!redirect_uri_matches("http://127.0.0.1/cb?x=1", "http://127.0.0.1:1/cb?x=2", vary));
    CHECK(!redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:1/cb#f", vary));
    CHECK(!redirect_uri_matches("http://localhost/cb", "http://localhost:1/cb", vary));  // RFC 8252 8.3: not a name
    CHECK(!redirect_uri_matches("https://127.0.0.1/cb", "https://127.0.0.1:1/cb", vary));
    CHECK(!redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1:1x/cb", vary));
    CHECK(!redirect_uri_matches("http://127.0.0.1/cb", "http://127.0.0.1.evil.example:1/cb", vary));
    CHECK(!redirect_uri_matches("http://127.0.0.1/cb", "http://user@127.0.0.1:1/cb", vary));
}

TEST_CASE("uri: values are form-encoded as the WHATWG serializer does (RFC 6749 Appendix B)", "[uri][whatwg]") {
    // RFC 6749 Appendix B's own example: " %&+£€" is "+%25%26%2B%C2%A3%E2%82%AC".
    CHECK(encoded(" %&+\xc2\xa3\xe2\x82\xac") == "+%25%26%2B%C2%A3%E2%82%AC");
    CHECK(encoded("AZaz09*-._") == "AZaz09*-._");
    CHECK(encoded("~!'()") == "%7E%21%27%28%29");
    CHECK(encoded("https://as.example/") == "https%3A%2F%2Fas.example%2F");
    CHECK(encoded(std::string_view("\0\n\x7f\xff", 4)) == "%00%0A%7F%FF");
    CHECK(encoded("").empty());
    // Every byte: as it is, '+', or three bytes.
    for (unsigned b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        const std::string e = encoded(one);
        const bool plain =
            std::isalnum(static_cast<unsigned char>(b)) != 0 || one == "*" || one == "-" || one == "." || one == "_";
        if (plain)
            CHECK(e == one);
        else if (b == ' ')
            CHECK(e == "+");
        else
            CHECK(e.size() == 3);
    }
}

TEST_CASE("uri: a redirect adds its parameters to the query, keeping the registered URI's (RFC 6749 3.1.2, 4.1.2)",
          "[uri][rfc6749]") {
    const std::array<query_parameter, 3> params{
        {{"code", "SplxlOBeZQQYbYS6WxSbIA"}, {"state", "xyz"}, {"iss", "https://server.example.com"}}};
    // RFC 6749 4.1.2's example response, with RFC 9207's iss.
    CHECK(redirect("https://client.example.com/cb", params) ==
          "https://client.example.com/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&iss=https%3A%2F%2Fserver.example.com");
    CHECK(redirect("https://client.example.com/cb?lang=en", params)
              .starts_with("https://client.example.com/cb?lang=en&code="));
    CHECK(redirect("https://client.example.com/cb?", params).starts_with("https://client.example.com/cb?code="));
    CHECK(
        redirect("https://client.example.com/cb?a=1&", params).starts_with("https://client.example.com/cb?a=1&code="));
    // An empty value is left out.
    const std::array<query_parameter, 3> no_state{{{"code", "c"}, {"state", ""}, {"iss", "i"}}};
    CHECK(redirect("https://client.example.com/cb", no_state) == "https://client.example.com/cb?code=c&iss=i");
    const std::array<query_parameter, 1> nothing{{{"state", ""}}};
    CHECK(redirect("https://client.example.com/cb", nothing) == "https://client.example.com/cb");
    // State comes back as the client sent it, once decoded (RFC 6749 4.1.2).
    const std::array<query_parameter, 1> state{{{"state", "a b&c=d#e"}}};
    CHECK(redirect("https://client.example.com/cb", state) == "https://client.example.com/cb?state=a+b%26c%3Dd%23e");
}

TEST_CASE("uri: a redirect on a URI with a fragment, or on no URI, is refused (RFC 6749 3.1.2)", "[uri][rfc6749]") {
    fixed_storage<256> storage;
    const std::array<query_parameter, 1> params{{{"code", "c"}}};
    for (const std::string_view base : {"https://client.example.com/cb#", "https://client.example.com/cb#x",
                                        "/relative", "", "https://client.example.com/\r\n"}) {
        const auto built = build_redirect(base, params, storage);
        REQUIRE(!built.has_value());
        CHECK(built.error() == error{reason::invalid_parameter, parameter_name("redirect_uri")});
        CHECK(!redirect_size(base, params).has_value());
    }
    CHECK(storage.used() == 0);
}

TEST_CASE("uri: a redirect larger than the storage is out_of_memory, never cut short", "[uri]") {
    fixed_storage<40> storage;
    const std::array<query_parameter, 1> params{{{"code", std::string_view("0123456789012345678901234567890123")}}};
    const auto built = build_redirect("https://c.example/cb", params, storage);
    REQUIRE(!built.has_value());
    CHECK(built.error() == error{reason::out_of_memory});
}
