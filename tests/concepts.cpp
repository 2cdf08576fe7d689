#include "oauthcore/concepts.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "catch.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;

namespace {

// Types that miss one member each: the concepts must say no (and a call with one of
// them names the missing member in the compiler's error).
struct store_without_client_type {
    outcome<memory_client> authenticate_client(const client_authentication&);
};
struct store_with_wrong_return {
    using client_type = memory_client;
    bool authenticate_client(const client_authentication&);
};
// The signature before client authentication methods: the store must now see the method.
struct store_of_id_and_secret {
    using client_type = memory_client;
    outcome<client_type> authenticate_client(std::string_view, std::string_view);
};
struct client_without_allows_grant {};
struct store_of_bad_clients {
    using client_type = client_without_allows_grant;
    outcome<client_type> authenticate_client(const client_authentication&);
};
// Stores that answer later: the same members with a continuation (concepts.hpp).
struct client_store_answering_later {
    using client_type = memory_client;
    template <class Then>
    void authenticate_client(const client_authentication&, Then&&);
};
struct user_store_answering_later {
    using user_type = memory_user;
    void authenticate_user(user_identifier, std::string_view, std::function<void(outcome<memory_user>)>);
};
struct user_store_answering_later_with_the_wrong_type {
    using user_type = memory_user;
    void authenticate_user(user_identifier, std::string_view, std::function<void(outcome<int>)>);
};
struct user_store_without_method {
    using user_type = memory_user;
};
struct token_without_scope {
    std::string_view access_token() const;
    std::optional<std::uint64_t> expires_in() const;
    std::string_view refresh_token() const;
};
struct request_without_body {
    std::string_view method() const;
    std::string_view target() const;
    std::optional<std::string_view> header(std::string_view) const;
};
// Text copied out of a header map and returned by value: a view of it would dangle
// (the endpoints keep views), so these do not model request_source; references to text
// the request holds do.
struct request_returning_copies {
    std::string method() const;
    std::string target() const;
    std::optional<std::string> header(std::string_view) const;
    std::string body() const;
};
struct request_returning_a_header_copy {
    std::string_view method() const;
    std::string_view target() const;
    std::optional<std::string> header(std::string_view) const;
    std::string_view body() const;
};
struct request_returning_references {
    const std::string& method() const;
    const std::string& target() const;
    const std::optional<std::string>& header(std::string_view) const;
    const std::string& body() const;
};
struct observer_of_clients_only {
    void client_authentication_failed(std::string_view);
};

static_assert(client_store<memory_client_store>);
static_assert(!client_store<store_without_client_type>);
static_assert(!client_store<store_with_wrong_return>);
static_assert(!client_store<store_of_bad_clients>);
static_assert(!client_store<store_of_id_and_secret>);
static_assert(client_store<client_store_answering_later>);
static_assert(user_store<user_store_answering_later>);
static_assert(!user_store<user_store_answering_later_with_the_wrong_type>);
static_assert(user_store<memory_user_store>);
static_assert(!user_store<user_store_without_method>);
static_assert(issued_token<token_view>);
static_assert(!issued_token<token_without_scope>);
static_assert(request_source<oauthcore_test::test_request>);
static_assert(!request_source<request_without_body>);
static_assert(!request_source<request_returning_copies>);
static_assert(!request_source<request_returning_a_header_copy>);
static_assert(request_source<request_returning_references>);
static_assert(authentication_observer<oauthcore_test::counting_observer>);
static_assert(!authentication_observer<observer_of_clients_only>);
static_assert(token_issuer<fixed_token_issuer, memory_client, memory_user>);

// A grant replaced with new tokens: the maker makes them, the store stores them as it
// ends the old grant (ARCHITECTURE.md, "Replacing a grant").
struct issuer_without_make_token {
    using token_type = token_view;
    outcome<token_type> issue_token(const memory_client&, const memory_user&, std::string_view);
};
struct refresh_store_of_two_calls {  // the API before issue 17: revoke, then issue
    using record_type = memory_refresh_token_store::record_type;
    outcome<record_type> find_refresh_token(const memory_client&, std::string_view);
    outcome_status rotate_refresh_token(const record_type&);
};
struct code_store_that_consumes {  // find and spend in one call, before the checks
    using record_type = memory_authorization_code_store::record_type;
    outcome<record_type> consume_authorization_code(std::string_view);
};
static_assert(token_maker<fixed_token_issuer, memory_client, memory_user>);
static_assert(!token_maker<issuer_without_make_token, memory_client, memory_user>);
static_assert(refresh_token_store<memory_refresh_token_store, memory_client, token_view>);
static_assert(!refresh_token_store<refresh_store_of_two_calls, memory_client, token_view>);
static_assert(authorization_code_store<memory_authorization_code_store, token_view>);
static_assert(!authorization_code_store<code_store_that_consumes, token_view>);

}  // namespace

namespace {
client_authentication basic_auth(std::string_view id, std::string_view secret) {
    return {"client_secret_basic", id, secret};
}
}  // namespace

TEST_CASE("concepts: outcome carries accepted, rejected and failed", "[concepts]") {
    const auto accepted = outcome<int>::accept(7);
    CHECK(accepted.accepted());
    CHECK(accepted.value() == 7);
    CHECK(outcome<int>::reject().status() == outcome_status::rejected);
    CHECK(outcome<int>::fail().status() == outcome_status::failed);
}

TEST_CASE("memory stores: client secret and user password are checked, unknown ids reject", "[concepts][stores]") {
    memory_client_store clients;
    clients.add("138", "secret");
    CHECK(clients.authenticate_client(basic_auth("138", "secret")).accepted());
    CHECK(clients.authenticate_client(basic_auth("138", "secreT")).status() == outcome_status::rejected);
    CHECK(clients.authenticate_client(basic_auth("138", "")).status() == outcome_status::rejected);
    CHECK(clients.authenticate_client(basic_auth("139", "secret")).status() == outcome_status::rejected);

    memory_user_store users;
    users.add("john_doe", "john_doe@domain.com", "pw");
    users.add("", "only@mail", "pw2");
    CHECK(users.authenticate_user({identifier_kind::username, "john_doe"}, "pw").accepted());
    CHECK(users.authenticate_user({identifier_kind::email_address, "john_doe@domain.com"}, "pw").accepted());
    CHECK_FALSE(users.authenticate_user({identifier_kind::username, "john_doe@domain.com"}, "pw").accepted());
    CHECK_FALSE(users.authenticate_user({identifier_kind::username, "john_doe"}, "pW").accepted());
    CHECK_FALSE(users.authenticate_user({identifier_kind::username, ""}, "pw2").accepted());
    CHECK(users.authenticate_user({identifier_kind::email_address, "only@mail"}, "pw2").accepted());
}

TEST_CASE("memory stores: grant permission, and unknown ids with secrets longer than the filler (RFC 6749 10.10)",
          "[concepts][stores]") {
    memory_client_store clients;
    clients.add("138", "secret");
    clients.add("ro", "secret", "refresh_token");
    const auto client = clients.authenticate_client(basic_auth("138", "secret"));
    REQUIRE(client.accepted());
    CHECK(client.value().allows_grant("password"));
    CHECK_FALSE(client.value().allows_grant("client_credentials"));
    const auto restricted = clients.authenticate_client(basic_auth("ro", "secret"));
    REQUIRE(restricted.accepted());
    CHECK_FALSE(restricted.value().allows_grant("password"));
    // The unknown-id comparison pads with at most 4096 filler bytes; longer secrets still reject.
    CHECK(clients.authenticate_client(basic_auth("nobody", std::string(5000, 's'))).status() ==
          outcome_status::rejected);
    CHECK(clients.authenticate_client(basic_auth("nobody", std::string(4096, '\0'))).status() ==
          outcome_status::rejected);
}

TEST_CASE("memory stores: a public client authenticates with method none only (RFC 6749 2.1)", "[concepts][stores]") {
    memory_client_store clients;
    clients.add("spa", "", "authorization_code refresh_token", {}, "none");
    clients.add("web", "secret");
    CHECK(clients.authenticate_client({"none", "spa", {}}).accepted());
    CHECK(clients.authenticate_client({"none", "spa", {}}).value().authentication_method() == "none");
    // A confidential client cannot drop its secret by claiming to be public, and a public
    // client's empty secret is no secret.
    CHECK_FALSE(clients.authenticate_client({"none", "web", {}}).accepted());
    CHECK_FALSE(clients.authenticate_client(basic_auth("spa", "")).accepted());
    CHECK_FALSE(clients.authenticate_client({"none", "nobody", {}}).accepted());
}

TEST_CASE("memory stores: a confidential client added with an empty secret never authenticates (RFC 6749 2.3.1)",
          "[concepts][stores]") {
    memory_client_store clients;
    clients.add("svc", "", "client_credentials");
    CHECK(clients.authenticate_client(basic_auth("svc", "")).status() == outcome_status::rejected);
    CHECK(clients.authenticate_client({"client_secret_post", "svc", ""}).status() == outcome_status::rejected);
    CHECK_FALSE(clients.authenticate_client({"none", "svc", {}}).accepted());
}
