#include "oauthcore/concepts.hpp"

#include "catch.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;

namespace {

// Types that miss one member each: the concepts must say no (and a call with one of
// them names the missing member in the compiler's error).
struct store_without_client_type {
    outcome<memory_client> authenticate_client(std::string_view, std::string_view);
};
struct store_with_wrong_return {
    using client_type = memory_client;
    bool authenticate_client(std::string_view, std::string_view);
};
struct client_without_allows_grant {};
struct store_of_bad_clients {
    using client_type = client_without_allows_grant;
    outcome<client_type> authenticate_client(std::string_view, std::string_view);
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
struct observer_of_clients_only {
    void client_authentication_failed(std::string_view);
};

static_assert(client_store<memory_client_store>);
static_assert(!client_store<store_without_client_type>);
static_assert(!client_store<store_with_wrong_return>);
static_assert(!client_store<store_of_bad_clients>);
static_assert(user_store<memory_user_store>);
static_assert(!user_store<user_store_without_method>);
static_assert(issued_token<token_view>);
static_assert(!issued_token<token_without_scope>);
static_assert(request_source<oauthcore_test::test_request>);
static_assert(!request_source<request_without_body>);
static_assert(authentication_observer<oauthcore_test::counting_observer>);
static_assert(!authentication_observer<observer_of_clients_only>);
static_assert(token_issuer<fixed_token_issuer, memory_client, memory_user>);

}  // namespace

TEST_CASE("concepts: outcome carries accepted, rejected and failed", "[concepts]") {
    const auto accepted = outcome<int>::accept(7);
    CHECK(accepted.accepted());
    CHECK(accepted.value() == 7);
    CHECK(outcome<int>::reject().status() == outcome_status::rejected);
    CHECK(outcome<int>::fail().status() == outcome_status::failed);
}

TEST_CASE("memory stores: client secret and user password are checked; unknown ids reject", "[concepts][stores]") {
    memory_client_store clients;
    clients.add("138", "secret");
    CHECK(clients.authenticate_client("138", "secret").accepted());
    CHECK(clients.authenticate_client("138", "secreT").status() == outcome_status::rejected);
    CHECK(clients.authenticate_client("138", "").status() == outcome_status::rejected);
    CHECK(clients.authenticate_client("139", "secret").status() == outcome_status::rejected);

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
    const auto client = clients.authenticate_client("138", "secret");
    REQUIRE(client.accepted());
    CHECK(client.value().allows_grant("password"));
    CHECK_FALSE(client.value().allows_grant("client_credentials"));
    const auto restricted = clients.authenticate_client("ro", "secret");
    REQUIRE(restricted.accepted());
    CHECK_FALSE(restricted.value().allows_grant("password"));
    // The unknown-id comparison pads with at most 4096 filler bytes; longer secrets still reject.
    CHECK(clients.authenticate_client("nobody", std::string(5000, 's')).status() == outcome_status::rejected);
    CHECK(clients.authenticate_client("nobody", std::string(4096, '\0')).status() == outcome_status::rejected);
}
