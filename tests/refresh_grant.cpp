// The refresh_token grant (RFC 6749 6) and scope (RFC 6749 3.3) on one endpoint with
// the password grant.

#include "oauthcore/refresh_grant.hpp"

#include <string>
#include <vector>

#include "catch.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::str;
using oauthcore_test::test_request;

namespace {

// Issues access-N / refresh-N and records each refresh token in the store, as a host's
// issuer would (issue_token, for the password grant); makes the same without storing
// anything (make_token, for the refresh grant, whose store stores them). Grants the
// requested scope, or `narrow_to` when set.
class counting_issuer {
public:
    struct token_type {
        std::string access;
        std::string refresh;
        std::string granted;
        [[nodiscard]] std::string_view access_token() const { return access; }
        [[nodiscard]] std::optional<std::uint64_t> expires_in() const { return 3600; }
        [[nodiscard]] std::string_view refresh_token() const { return refresh; }
        [[nodiscard]] std::string_view scope() const { return granted; }
    };

    explicit counting_issuer(memory_refresh_token_store& store) : store_(store) {}

    outcome<token_type> issue_token(const memory_client& client, const memory_user& user, std::string_view scope) {
        auto token = make_token(client, user, scope);
        if (token.accepted())
            store_.add(token.value().refresh, str(client.id), str(user.username), str(user.email_address),
                       token.value().granted, 100);
        return token;
    }

    outcome<token_type> make_token(const memory_client& /*client*/, const memory_user& /*user*/,
                                   std::string_view scope) {
        if (failing) return outcome<token_type>::fail();
        ++count_;
        return outcome<token_type>::accept({"access-" + std::to_string(count_), "refresh-" + std::to_string(count_),
                                            narrow_to.empty() ? std::string(scope) : narrow_to});
    }
    [[nodiscard]] int made() const noexcept { return count_; }

    std::string narrow_to;
    bool failing = false;

private:
    memory_refresh_token_store& store_;
    int count_ = 0;
};

struct refresh_fixture {
    memory_client_store clients;
    memory_user_store users;
    memory_refresh_token_store refresh_tokens;
    counting_issuer issuer{refresh_tokens};
    endpoint_options options;
    exchange_storage storage;
    password_grant<memory_user_store, counting_issuer> password{users, issuer};
    refresh_token_grant<memory_refresh_token_store, counting_issuer> refresh{refresh_tokens, issuer};

    refresh_fixture() {
        clients.add(str(oauthcore_test::vendor_client_id), str(oauthcore_test::vendor_client_secret),
                    "password refresh_token", "read write profile");
        clients.add("other", "other-secret");
        clients.add("password-only", "po-secret", "password");
        users.add("john_doe", "john_doe@domain.com", "john_doe_secret");
    }

    response handle(const test_request& request) {
        token_endpoint endpoint{clients, options, password, refresh};
        return endpoint.handle(request, storage);
    }
    std::string body_of(const test_request& request) { return str(handle(request).body); }
};

test_request refresh_request(const std::string& token, const std::string& extra = "") {
    return test_request{}.with_body("grant_type=refresh_token&refresh_token=" + token + extra);
}

}  // namespace

TEST_CASE("refresh: a refresh token from the password grant works exactly once (RFC 6749 6, RFC 9700 4.14.2)",
          "[refresh][rfc6749]") {
    refresh_fixture f;
    const auto first = f.handle(test_request{});
    REQUIRE(first.status == 200);
    CHECK(first.body ==
          R"({"access_token":"access-1","expires_in":3600,"token_type":"bearer","refresh_token":"refresh-1"})");

    const auto refreshed = f.handle(refresh_request("refresh-1"));
    CHECK(refreshed.status == 200);
    CHECK(refreshed.body ==
          R"({"access_token":"access-2","expires_in":3600,"token_type":"bearer","refresh_token":"refresh-2"})");
    CHECK(f.refresh_tokens.revoked("refresh-1"));

    const auto reused = f.handle(refresh_request("refresh-1"));
    CHECK(reused.status == 400);
    CHECK(reused.body.find(R"("error":"invalid_grant")") != std::string_view::npos);
    CHECK_FALSE(reused.header("WWW-Authenticate"));
    // The rotated token still works.
    CHECK(f.handle(refresh_request("refresh-2")).status == 200);
}

TEST_CASE("refresh: unknown, expired, revoked and other-client tokens are invalid_grant in both profiles",
          "[refresh][rfc6749]") {
    for (const auto p : {profile::social_id, profile::rfc6749}) {
        refresh_fixture f;
        f.options.profile = p;
        f.refresh_tokens.add("mine", "138", "john_doe", "", "read", 50);
        f.refresh_tokens.add("theirs", "other", "john_doe", "", "read", 50);
        for (const auto& request : {refresh_request("unknown"), refresh_request("theirs")}) {
            const auto r = f.handle(request);
            CHECK(r.status == 400);
            CHECK(r.error == error{reason::refresh_token_rejected});
        }
        f.refresh_tokens.set_now(50);
        CHECK(f.handle(refresh_request("mine")).error == error{reason::refresh_token_rejected});
        f.refresh_tokens.set_now(49);
        CHECK(f.handle(refresh_request("mine")).status == 200);
        CHECK(f.handle(refresh_request("mine")).error == error{reason::refresh_token_rejected});
    }
}

TEST_CASE("refresh: refresh_token is required (RFC 6749 6)", "[refresh][rfc6749]") {
    refresh_fixture f;
    for (const char* body : {"grant_type=refresh_token", "grant_type=refresh_token&refresh_token="}) {
        const auto r = f.handle(test_request{}.with_body(body));
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::missing_parameter, param<"refresh_token">});
        CHECK(r.body.find("The refresh_token parameter is required.") != std::string_view::npos);
    }
    // Syntax comes before the client store: a wrong secret is not even looked at.
    CHECK(f.handle(test_request{}.with_body("grant_type=refresh_token").with_header("Authorization", basic("138:x")))
              .error == error{reason::missing_parameter, param<"refresh_token">});
}

TEST_CASE("refresh: client authentication as for the password grant (RFC 6749 6)", "[refresh]") {
    refresh_fixture f;
    f.refresh_tokens.add("t", "138", "john_doe", "", "read", 50);
    CHECK(f.handle(refresh_request("t").with_header("Authorization", basic("138:wrong"))).status == 401);
    CHECK(f.handle(refresh_request("t").without_header("Authorization")).status == 401);
    const auto not_allowed =
        f.handle(refresh_request("t").with_header("Authorization", basic("password-only:po-secret")));
    CHECK(not_allowed.status == 400);
    CHECK(not_allowed.error == error{reason::unauthorized_client});
    CHECK_FALSE(f.refresh_tokens.revoked("t"));
}

TEST_CASE("refresh: the scope may narrow but not exceed the original grant (RFC 6749 6)", "[refresh][scope]") {
    refresh_fixture f;
    f.refresh_tokens.add("wide", "138", "john_doe", "", "read write", 50);
    f.refresh_tokens.add("none", "138", "john_doe", "", "", 50);

    const auto exceeding = f.handle(refresh_request("wide", "&scope=read+profile"));
    CHECK(exceeding.status == 400);
    CHECK(exceeding.error == error{reason::scope_exceeds_grant, param<"scope">});
    CHECK(exceeding.body.find(R"("error":"invalid_scope")") != std::string_view::npos);
    CHECK_FALSE(f.refresh_tokens.revoked("wide"));  // a refused request does not burn the token

    CHECK(f.handle(refresh_request("none", "&scope=read")).error == error{reason::scope_exceeds_grant, param<"scope">});

    // Narrower: granted as requested, so no scope member (RFC 6749 5.1: optional if identical).
    const auto narrower = f.handle(refresh_request("wide", "&scope=write"));
    CHECK(narrower.status == 200);
    CHECK(narrower.body.find("\"scope\"") == std::string_view::npos);
}

TEST_CASE("refresh: an omitted scope means the original scope (RFC 6749 6)", "[refresh][scope]") {
    refresh_fixture f;
    f.refresh_tokens.add("wide", "138", "john_doe", "", "read write", 50);
    const auto r = f.handle(refresh_request("wide"));
    CHECK(r.status == 200);
    CHECK(r.body.find(R"("scope":"read write")") != std::string_view::npos);
}

TEST_CASE("refresh: a store that does not rotate keeps the old token usable (RFC 9700 4.14.2)", "[refresh]") {
    // Rotation is the store's to do: one that stores the new tokens and leaves the old
    // refresh token live answers accepted, and the grant does not tell the two apart.
    struct keeping_store {
        memory_refresh_token_store inner;
        using record_type = memory_refresh_token_store::record_type;
        outcome<record_type> find_refresh_token(const memory_client& client, std::string_view token) const {
            return inner.find_refresh_token(client, token);
        }
        outcome_status replace_refresh_token(const record_type&, const counting_issuer::token_type&) {
            return outcome_status::accepted;
        }
    };
    refresh_fixture f;
    keeping_store store;
    store.inner.add("keep", "138", "john_doe", "", "read", 50);
    refresh_token_grant<keeping_store, counting_issuer> reusable{store, f.issuer};
    token_endpoint endpoint{f.clients, f.options, f.password, reusable};
    CHECK(endpoint.handle(refresh_request("keep"), f.storage).status == 200);
    CHECK(endpoint.handle(refresh_request("keep"), f.storage).status == 200);
    CHECK_FALSE(store.inner.revoked("keep"));
}

TEST_CASE(
    "refresh: a failure between revoking the old token and storing the new ones loses nothing: the old token "
    "still works, or the new pair is stored, never neither (failure injection)",
    "[refresh][atomic]") {
    const memory_client client{"138", "refresh_token", {}, {}};
    struct injection {
        const char* what;
        void (*inject)(refresh_fixture&, bool);
        reason why;
    };
    const injection injections[] = {
        {"the store's write of the new tokens fails after the revocation",
         [](refresh_fixture& f, bool on) { f.refresh_tokens.set_failing_writes(on); }, reason::refresh_store_failure},
        {"the maker fails", [](refresh_fixture& f, bool on) { f.issuer.failing = on; }, reason::issuer_failure},
        {"the maker makes a token that cannot be sent",
         [](refresh_fixture& f, bool on) { f.issuer.narrow_to = on ? "read\"" : ""; }, reason::invalid_issued_token},
    };
    for (const injection& i : injections) {
        INFO(i.what);
        refresh_fixture f;
        f.refresh_tokens.add("old", "138", "john_doe", "", "read", 50);
        i.inject(f, true);
        const auto failed = f.handle(refresh_request("old"));
        CHECK(failed.status == 500);
        CHECK(failed.error == error{i.why});
        // Nothing changed: the old token is live, no new one was stored.
        CHECK_FALSE(f.refresh_tokens.revoked("old"));
        CHECK(f.refresh_tokens.find_refresh_token(client, "old").accepted());
        for (int n = 1; n <= f.issuer.made(); ++n)
            CHECK_FALSE(f.refresh_tokens.find_refresh_token(client, "refresh-" + std::to_string(n)).accepted());
        // The client retries with the same token once the failure is gone.
        i.inject(f, false);
        const auto retried = f.handle(refresh_request("old"));
        CHECK(retried.status == 200);
        const std::string fresh = "refresh-" + std::to_string(f.issuer.made());
        CHECK(retried.body.find(fresh) != std::string_view::npos);
        CHECK(f.refresh_tokens.revoked("old"));
        CHECK(f.refresh_tokens.find_refresh_token(client, fresh).accepted());
    }
}

TEST_CASE("refresh: store failures are 500 server_error", "[refresh]") {
    struct failing_store {
        struct record_type {
            memory_user user() const { return {}; }
            std::string_view scope() const { return {}; }
        };
        bool fail_find = true;
        outcome<record_type> find_refresh_token(const memory_client&, std::string_view) {
            return fail_find ? outcome<record_type>::fail() : outcome<record_type>::accept({});
        }
        outcome_status replace_refresh_token(const record_type&, const counting_issuer::token_type&) {
            return outcome_status::failed;
        }
    };
    static_assert(refresh_token_store<failing_store, memory_client, counting_issuer::token_type>);
    refresh_fixture f;
    failing_store store;
    refresh_token_grant<failing_store, counting_issuer> refresh{store, f.issuer};
    token_endpoint endpoint{f.clients, f.options, f.password, refresh};
    CHECK(endpoint.handle(refresh_request("x"), f.storage).error == error{reason::refresh_store_failure});
    store.fail_find = false;
    const auto r = endpoint.handle(refresh_request("x"), f.storage);
    CHECK(r.status == 500);
    CHECK(r.error == error{reason::refresh_store_failure});
}

TEST_CASE("refresh: the vendor's endpoint alone does not support it (unsupported_grant_type)", "[refresh][vendor]") {
    oauthcore_test::vendor_endpoint endpoint;
    const auto r = endpoint.handle(refresh_request("anything"));
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::unsupported_grant_type});
}

TEST_CASE("scope: the client's scope hook refuses what it does not allow (RFC 6749 3.3, 5.2)", "[scope][password]") {
    refresh_fixture f;
    const auto r = f.handle(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&scope=read+admin"));
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::scope_not_allowed, param<"scope">});
    CHECK(r.body.find(R"("error":"invalid_scope")") != std::string_view::npos);
    CHECK(f.handle(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&scope=read+write")).status ==
          200);
}

TEST_CASE("scope: malformed scope is invalid_scope before any store is asked (RFC 6749 3.3)", "[scope][password]") {
    refresh_fixture f;
    for (const char* scope : {"read++write", "%22quoted%22", "back%5Cslash", "+read"}) {
        const auto r = f.handle(test_request{}
                                    .with_body(str(oauthcore_test::vendor_username_body) + "&scope=" + scope)
                                    .with_header("Authorization", basic("138:wrong")));
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::invalid_scope_syntax, param<"scope">});
    }
}

TEST_CASE("scope: echoed only when the granted scope differs from the requested one (RFC 6749 5.1)",
          "[scope][password]") {
    refresh_fixture f;
    const auto same = f.handle(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&scope=read"));
    CHECK(same.body.find("\"scope\"") == std::string_view::npos);
    const auto collapsed =
        f.handle(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&scope=read+read"));
    CHECK(collapsed.body.find("\"scope\"") == std::string_view::npos);
    f.issuer.narrow_to = "read";
    const auto narrowed =
        f.handle(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&scope=read+write"));
    CHECK(narrowed.status == 200);
    CHECK(narrowed.body.find(R"("scope":"read")") != std::string_view::npos);
    const auto defaulted = f.handle(test_request{});
    CHECK(defaulted.body.find(R"("scope":"read")") != std::string_view::npos);
}

TEST_CASE("refresh: a token revoked between lookup and rotation is invalid_grant (a concurrent reuse)",
          "[refresh][rfc6749]") {
    struct racing_store {
        memory_refresh_token_store inner;
        using record_type = memory_refresh_token_store::record_type;
        outcome<record_type> find_refresh_token(const memory_client& client, std::string_view token) const {
            return inner.find_refresh_token(client, token);
        }
        outcome_status replace_refresh_token(const record_type& record, const counting_issuer::token_type& tokens) {
            const counting_issuer::token_type theirs{"access-x", "refresh-x", "read"};
            (void)inner.replace_refresh_token(record, theirs);  // the other request wins the race
            return inner.replace_refresh_token(record, tokens);
        }
    };
    refresh_fixture f;
    racing_store store;
    store.inner.add("t", "138", "john_doe", "", "read", 50);
    refresh_token_grant<racing_store, counting_issuer> refresh{store, f.issuer};
    token_endpoint endpoint{f.clients, f.options, f.password, refresh};
    struct counting_observer : null_observer {
        int refused = 0;
        void refresh_token_rejected(std::string_view /*client_id*/) { ++refused; }
    } observer;
    const auto r = endpoint.handle(refresh_request("t"), f.storage, observer);
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::refresh_token_rejected});
    CHECK(observer.refused == 1);
    // The winner's tokens are stored, the loser's are not.
    const memory_client client{"138", "refresh_token", {}, {}};
    CHECK(store.inner.find_refresh_token(client, "refresh-x").accepted());
    CHECK_FALSE(store.inner.find_refresh_token(client, "refresh-1").accepted());
}

TEST_CASE("refresh: an observer with refresh_token_rejected is told of each refused refresh token (RFC 9700 4.14.2)",
          "[refresh][observer]") {
    struct refresh_observer {
        std::vector<std::string> rejected_for;
        int other_failures = 0;
        void client_authentication_failed(std::string_view /*client_id*/) { ++other_failures; }
        void user_authentication_failed(std::string_view /*client_id*/, user_identifier /*who*/) { ++other_failures; }
        void refresh_token_rejected(std::string_view client_id) { rejected_for.emplace_back(client_id); }
    };
    refresh_fixture f;
    f.refresh_tokens.add("mine", "138", "john_doe", "", "read", 50);
    token_endpoint endpoint{f.clients, f.options, f.password, f.refresh};
    refresh_observer observer;
    CHECK(endpoint.handle(refresh_request("mine"), f.storage, observer).status == 200);
    CHECK(observer.rejected_for.empty());
    // The rotated token again (the theft signal), then a guess.
    CHECK(endpoint.handle(refresh_request("mine"), f.storage, observer).status == 400);
    CHECK(endpoint.handle(refresh_request("guess"), f.storage, observer).status == 400);
    CHECK(observer.rejected_for == std::vector<std::string>{"138", "138"});
    CHECK(observer.other_failures == 0);

    // An observer without the member is not told of refused refresh tokens some other way
    // (they are not client or user authentication failures); the null observer likewise.
    struct authentication_observer {
        int failures = 0;
        void client_authentication_failed(std::string_view /*client_id*/) { ++failures; }
        void user_authentication_failed(std::string_view /*client_id*/, user_identifier /*who*/) { ++failures; }
    } without_member;
    CHECK(endpoint.handle(refresh_request("guess"), f.storage, without_member).status == 400);
    CHECK(without_member.failures == 0);
    CHECK(endpoint.handle(refresh_request("guess"), f.storage).status == 400);
}

TEST_CASE("refresh: the client's scope hook applies to a refreshed scope too (RFC 6749 3.3)", "[refresh][scope]") {
    refresh_fixture f;
    f.refresh_tokens.add("admin", "138", "john_doe", "", "read admin", 50);
    const auto r = f.handle(refresh_request("admin"));
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::scope_not_allowed, param<"scope">});
    CHECK_FALSE(f.refresh_tokens.revoked("admin"));
    CHECK(f.handle(refresh_request("admin", "&scope=read")).status == 200);
}

TEST_CASE("refresh: a malformed scope is invalid_scope before the store is asked (RFC 6749 3.3)", "[refresh][scope]") {
    refresh_fixture f;
    f.refresh_tokens.add("t", "138", "john_doe", "", "read", 50);
    CHECK(f.handle(refresh_request("t", "&scope=read++write")).error ==
          error{reason::invalid_scope_syntax, param<"scope">});
    CHECK_FALSE(f.refresh_tokens.revoked("t"));
}

TEST_CASE("grant set: store and issuer failures are 500 on every grant", "[refresh][password]") {
    struct failing_clients {
        using client_type = memory_client;
        outcome<client_type> authenticate_client(const client_authentication&) { return outcome<client_type>::fail(); }
    };
    refresh_fixture f;
    f.refresh_tokens.add("t", "138", "john_doe", "", "read", 50);
    failing_clients clients;
    token_endpoint broken{clients, f.options, f.password, f.refresh};
    CHECK(broken.handle(test_request{}, f.storage).error == error{reason::client_store_failure});
    CHECK(broken.handle(refresh_request("t"), f.storage).error == error{reason::client_store_failure});

    f.issuer.failing = true;
    CHECK(f.handle(test_request{}).error == error{reason::issuer_failure});
    const auto refreshed = f.handle(refresh_request("t"));
    CHECK(refreshed.status == 500);
    CHECK(refreshed.error == error{reason::issuer_failure});
    f.issuer.failing = false;
    const auto wrong = f.handle(test_request{}.with_body("grant_type=password&username=john_doe&password=nope"));
    CHECK(wrong.error == error{reason::user_rejected});
}

TEST_CASE("memory_refresh_token_store: replacement, revocation and bounds", "[refresh][stores]") {
    memory_refresh_token_store store;
    store.add("t", "138", "john_doe", "", "read write", 10);
    CHECK_FALSE(store.revoked("t"));
    CHECK_FALSE(store.revoked("unknown"));
    const memory_client client{"138", "refresh_token", {}, {}};
    const auto found = store.find_refresh_token(client, "t");
    REQUIRE(found.accepted());
    CHECK(found.value().user().username == "john_doe");
    CHECK(found.value().scope() == "read write");
    // The new refresh token keeps the old one's scope, even for a narrower access token
    // (RFC 6749 6), and its client, user and expiry.
    CHECK(store.replace_refresh_token(found.value(), token_view{"a", 60, "t2", "read"}) == outcome_status::accepted);
    CHECK(store.revoked("t"));
    const auto replacement = store.find_refresh_token(client, "t2");
    REQUIRE(replacement.accepted());
    CHECK(replacement.value().scope() == "read write");
    CHECK(replacement.value().user().username == "john_doe");
    CHECK(store.replace_refresh_token(found.value(), token_view{"a", 60, "t3", {}}) == outcome_status::rejected);
    CHECK_FALSE(store.find_refresh_token(client, "t3").accepted());
    store.set_now(10);
    CHECK_FALSE(store.find_refresh_token(client, "t2").accepted());
    // Tokens without a refresh token end the grant: nothing is stored in its place.
    store.add("last", "138", "john_doe", "", "", 20);
    CHECK(store.replace_refresh_token(store.find_refresh_token(client, "last").value(), token_view{"a", 60, {}, {}}) ==
          outcome_status::accepted);
    CHECK(store.revoked("last"));
    memory_refresh_token_store::record_type bogus;
    bogus.index = 99;
    CHECK(store.replace_refresh_token(bogus, token_view{"a", 60, "t4", {}}) == outcome_status::failed);
    const memory_client other{"139", "refresh_token", {}, {}};
    store.add("u", "138", "john_doe", "", "", 20);
    CHECK(store.find_refresh_token(other, "u").status() == outcome_status::rejected);
}

TEST_CASE("scope: a client type without allows_scope accepts any scope", "[scope]") {
    struct any_scope_client {
        bool allows_grant(std::string_view) const { return true; }
    };
    CHECK(check_scope_allowed(any_scope_client{}, "anything at all"));
    const memory_client limited{"c", "password", "read", {}};
    CHECK(check_scope_allowed(limited, "read"));
    CHECK(check_scope_allowed(limited, "read write").error() == error{reason::scope_not_allowed, param<"scope">});
    CHECK(check_scope_allowed(limited, ""));
}
