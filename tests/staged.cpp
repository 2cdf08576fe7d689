// Hosts whose stores answer later (a database client with callbacks, a coroutine, a
// thread pool): every grant runs through token_endpoint::handle_async with every store
// answering from a queue the test drains, or from another thread, and each response is
// byte for byte the one the one-call handle() gives for the same request (endpoint.hpp:
// one order of checks, cut at the stores).

#include <deque>
#include <map>
#include <set>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "catch.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "oauthcore/refresh_grant.hpp"
#include "support.hpp"
#include "token_exchange_grant.hpp"

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::str;
using oauthcore_test::test_request;

namespace {

// Work the stores have been asked for, run when the test says (an event loop's queue).
struct pending_work {
    std::deque<std::pair<std::string, std::function<void()>>> queue;
    std::map<std::string, int>* answered = nullptr;  // by store member, across requests

    void later(std::string member, std::function<void()> answer) {
        queue.emplace_back(std::move(member), std::move(answer));
    }
    void run_all() {
        while (!queue.empty()) {
            auto [member, next] = std::move(queue.front());
            queue.pop_front();
            next();
            ++(*answered)[member];
        }
    }
};

// Each store answers later: its member takes a continuation and the answer is queued.
// Arguments are copied into the queued work, as a database client copies its query.
struct later_clients {
    memory_client_store& real;
    pending_work& work;
    using client_type = memory_client;
    template <class Then>
    void authenticate_client(const client_authentication& presented, Then then) {
        work.later("authenticate_client", [this, presented, then] { then(real.authenticate_client(presented)); });
    }
};

struct later_users {
    memory_user_store& real;
    pending_work& work;
    using user_type = memory_user;
    template <class Then>
    void authenticate_user(user_identifier who, std::string_view password, Then then) {
        work.later("authenticate_user", [this, who, password, then] { then(real.authenticate_user(who, password)); });
    }
};

struct later_refresh_tokens {
    memory_refresh_token_store& real;
    pending_work& work;
    using record_type = memory_refresh_token_store::record_type;
    template <class Then>
    void find_refresh_token(const memory_client& client, std::string_view token, Then then) {
        work.later("find_refresh_token", [this, client, token, then] { then(real.find_refresh_token(client, token)); });
    }
    template <class Token, class Then>
    void replace_refresh_token(const record_type& record, const Token& tokens, Then then) {
        work.later("replace_refresh_token",
                   [this, record, tokens, then] { then(real.replace_refresh_token(record, tokens)); });
    }
};

template <class Real>
struct later_issuer {
    Real& real;
    pending_work& work;
    using token_type = typename Real::token_type;
    template <class Client, class User, class Then>
    void issue_token(const Client& client, const User& user, std::string_view scope, Then then) {
        work.later("issue_token", [this, client, user, scope, then] { then(real.issue_token(client, user, scope)); });
    }
    template <class Client, class User, class Then>
    void make_token(const Client& client, const User& user, std::string_view scope, Then then) {
        work.later("make_token", [this, client, user, scope, then] { then(real.make_token(client, user, scope)); });
    }
};

struct later_codes {
    memory_authorization_code_store& real;
    pending_work& work;
    using record_type = memory_authorization_code_store::record_type;
    template <class Then>
    void find_authorization_code(std::string_view code, Then then) {
        work.later("find_authorization_code", [this, code, then] { then(real.find_authorization_code(code)); });
    }
    template <class Token, class Then>
    void redeem_authorization_code(const record_type& record, const Token& tokens, Then then) {
        work.later("redeem_authorization_code",
                   [this, record, tokens, then] { then(real.redeem_authorization_code(record, tokens)); });
    }
};

struct later_devices {
    memory_device_code_store& real;
    pending_work& work;
    using record_type = memory_device_code_store::record_type;
    template <class Then>
    void poll_device_code(std::string_view device_code, std::uint64_t now, Then then) {
        work.later("poll_device_code",
                   [this, device_code, now, then] { then(real.poll_device_code(device_code, now)); });
    }
    template <class Token, class Then>
    void redeem_device_code(const record_type& record, const Token& tokens, Then then) {
        work.later("redeem_device_code",
                   [this, record, tokens, then] { then(real.redeem_device_code(record, tokens)); });
    }
};

struct later_subjects {
    oauthcore_test::subject_store& real;
    pending_work& work;
    using subject_type = oauthcore_test::exchange_subject;
    template <class Then>
    void find_subject(std::string_view token, Then then) {
        work.later("find_subject", [this, token, then] { then(real.find_subject(token)); });
    }
};

static_assert(client_store<later_clients>);
static_assert(user_store<later_users>);
static_assert(refresh_token_store<later_refresh_tokens, memory_client, token_view>);
static_assert(authorization_code_store<later_codes, token_view>);
static_assert(token_maker<later_issuer<fixed_token_issuer>, memory_client, memory_user>);
static_assert(device_code_store<later_devices, token_view>);

// RFC 7636 Appendix B.
constexpr std::string_view appendix_b_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view appendix_b_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
constexpr std::uint64_t now_seconds = 50;
const auto fixed_clock = [] { return now_seconds; };

// Everything both endpoints read from; each endpoint gets its own copy of the stores, so
// that a refresh token rotated by one is still good for the other.
struct world {
    memory_client_store clients;
    memory_user_store users;
    memory_refresh_token_store refresh_tokens;
    fixed_token_issuer issuer{{oauthcore_test::vendor_access_token, 604800, oauthcore_test::vendor_refresh_token, {}}};
    oauthcore_test::subject_store subjects;
    memory_authorization_code_store codes;
    memory_device_code_store devices;

    world() {
        clients.add(str(oauthcore_test::vendor_client_id), str(oauthcore_test::vendor_client_secret),
                    "password refresh_token urn:ietf:params:oauth:grant-type:token-exchange client_credentials "
                    "authorization_code urn:ietf:params:oauth:grant-type:device_code",
                    "read write");
        clients.add("spa", "", "refresh_token authorization_code urn:ietf:params:oauth:grant-type:device_code", "read",
                    "none");
        users.add("john_doe", "john_doe@domain.com", "john_doe_secret");
        refresh_tokens.add("rt-1", "138", "john_doe", "", "read write", 100);
        refresh_tokens.add("rt-spa", "spa", "john_doe", "", "read", 100);
        const auto code = [this](std::string value, std::string client, std::string challenge, std::uint64_t expiry) {
            codes.add({std::move(value), std::move(client), "https://spa.example/cb", std::move(challenge), "S256",
                       "john_doe", "", "read", expiry});
        };
        code("code-spa", "spa", str(appendix_b_challenge), 100);
        code("code-138", "138", "", 100);
        code("code-used", "spa", str(appendix_b_challenge), 100);
        (void)codes.redeem_authorization_code(codes.find_authorization_code("code-used").value(),
                                              token_view{"a", {}, {}, {}});
        code("code-expired", "spa", str(appendix_b_challenge), now_seconds);
        for (const char* device : {"dc-approved", "dc-pending", "dc-slow", "dc-denied"})
            devices.add({device, "spa", "read", 100, 5});
        devices.add({"dc-expired", "spa", "read", now_seconds, 5});
        (void)devices.approve("dc-approved", "john_doe", "");
        (void)devices.deny("dc-denied");
        (void)devices.poll_device_code("dc-slow", now_seconds - 1);
    }
};

endpoint_options options_for_all() {
    endpoint_options options;
    options.allow_body_client_auth = true;
    options.allow_public_clients = true;
    return options;
}

struct answer {
    int status;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::optional<error> failure;

    explicit answer(const response& r) : status(r.status), body(r.body), failure(r.error) {
        for (const header_field h : r.headers()) headers.emplace_back(h.name, h.value);
    }
    friend bool operator==(const answer&, const answer&) = default;
};

const std::vector<test_request>& requests() {
    static const std::vector<test_request> all = [] {
        const std::string exchange_type = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&";
        const std::string subject_type = "&subject_token_type=urn:ietf:params:oauth:token-type:access_token";
        std::vector<test_request> r;
        // password: success by username and by email, wrong password, wrong client, bad scope
        r.push_back(test_request{});
        r.push_back(test_request{}.with_body(str(oauthcore_test::vendor_email_body)));
        r.push_back(test_request{}.with_body("grant_type=password&username=john_doe&password=nope"));
        r.push_back(test_request{}.with_header("Authorization", basic("138:nope")));
        r.push_back(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&scope=admin"));
        r.push_back(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&scope=read"));
        // refresh_token: success, narrowed scope, unknown token, too wide, public client
        r.push_back(test_request{}.with_body("grant_type=refresh_token&refresh_token=rt-1"));
        r.push_back(test_request{}.with_body("grant_type=refresh_token&refresh_token=rt-1&scope=read"));
        r.push_back(test_request{}.with_body("grant_type=refresh_token&refresh_token=unknown"));
        r.push_back(test_request{}.with_body("grant_type=refresh_token&refresh_token=rt-1&scope=admin"));
        r.push_back(test_request{}
                        .without_header("Authorization")
                        .with_body("grant_type=refresh_token&refresh_token=rt-spa&client_id=spa"));
        // a public client on the password grant, and client_secret_post
        r.push_back(test_request{}
                        .without_header("Authorization")
                        .with_body(str(oauthcore_test::vendor_username_body) + "&client_id=spa"));
        r.push_back(test_request{}
                        .without_header("Authorization")
                        .with_body(str(oauthcore_test::vendor_username_body) +
                                   "&client_id=138&client_secret=" + str(oauthcore_test::vendor_client_secret)));
        // the host's token exchange grant: success, unknown subject, store failure, bad type
        r.push_back(test_request{}.with_body(exchange_type + "subject_token=subject-token-of-alice" + subject_type));
        r.push_back(test_request{}.with_body(exchange_type + "subject_token=nobody" + subject_type));
        r.push_back(test_request{}.with_body(exchange_type + "subject_token=broken-store" + subject_type));
        r.push_back(test_request{}.with_body(exchange_type + "subject_token=x&subject_token_type=jwt"));
        // client_credentials: success, a scope the client may not have, a public client
        r.push_back(test_request{}.with_body("grant_type=client_credentials&scope=read"));
        r.push_back(test_request{}.with_body("grant_type=client_credentials&scope=admin"));
        r.push_back(
            test_request{}.without_header("Authorization").with_body("grant_type=client_credentials&client_id=spa"));
        // authorization_code: a public client with PKCE, a confidential one without, a
        // second use, a wrong verifier, another redirect_uri, expired, unknown, and a
        // malformed verifier
        const std::string code_type = "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fspa.example%2Fcb&";
        const auto as_spa = [](std::string body) {
            return test_request{}.without_header("Authorization").with_body(std::move(body) + "&client_id=spa");
        };
        const std::string verifier = "&code_verifier=" + str(appendix_b_verifier);
        r.push_back(as_spa(code_type + "code=code-spa" + verifier));
        r.push_back(test_request{}.with_body(code_type + "code=code-138"));
        r.push_back(as_spa(code_type + "code=code-used" + verifier));
        r.push_back(as_spa(code_type + "code=code-spa&code_verifier=" + std::string(43, 'v')));
        r.push_back(
            as_spa("grant_type=authorization_code&redirect_uri=https://other.example/cb&code=code-spa" + verifier));
        r.push_back(as_spa(code_type + "code=code-expired" + verifier));
        r.push_back(as_spa(code_type + "code=unknown" + verifier));
        r.push_back(as_spa(code_type + "code=code-spa&code_verifier=short"));
        // device_code: approved, pending, polled too soon, denied, expired, unknown
        for (const char* device : {"dc-approved", "dc-pending", "dc-slow", "dc-denied", "dc-expired", "dc-unknown"})
            r.push_back(as_spa("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=" +
                               std::string(device)));
        // failures before any store
        r.push_back(test_request{}.with_body("grant_type=unknown"));
        r.push_back(test_request{}.without_header("Authorization"));
        return r;
    }();
    return all;
}

// The one-call path, with stores that answer now.
answer now(const test_request& request) {
    world w;
    password_grant password{w.users, w.issuer};
    refresh_token_grant refresh{w.refresh_tokens, w.issuer};
    oauthcore_test::token_exchange_grant exchange{w.subjects, w.issuer};
    client_credentials_grant services{w.issuer};
    authorization_code_grant code{w.codes, w.issuer, fixed_clock};
    device_code_grant device{w.devices, w.issuer, fixed_clock};
    token_endpoint endpoint{w.clients, options_for_all(), password, refresh, exchange, services, code, device};
    exchange_storage storage;
    return answer(endpoint.handle(request, storage));
}

}  // namespace

TEST_CASE("staged: every grant with every store answering later gives the one-call response, byte for byte",
          "[staged][endpoint]") {
    std::map<std::string, int> answered;
    for (const auto& request : requests()) {
        INFO(request.body_ << " / " << request.header("Authorization").value_or("(no Authorization)"));
        world w;
        pending_work work{{}, &answered};
        later_clients clients{w.clients, work};
        later_users users{w.users, work};
        later_refresh_tokens refresh_tokens{w.refresh_tokens, work};
        later_issuer<fixed_token_issuer> issuer{w.issuer, work};
        later_subjects subjects{w.subjects, work};
        later_codes codes{w.codes, work};
        later_devices devices{w.devices, work};
        password_grant password{users, issuer};
        refresh_token_grant refresh{refresh_tokens, issuer};
        oauthcore_test::token_exchange_grant exchange{subjects, issuer};
        client_credentials_grant services{issuer};
        authorization_code_grant code{codes, issuer, fixed_clock};
        device_code_grant device{devices, issuer, fixed_clock};
        token_endpoint endpoint{clients, options_for_all(), password, refresh, exchange, services, code, device};

        exchange_storage storage;
        response out;
        int finished = 0;
        oauthcore_test::counting_observer observer;
        endpoint.handle_async(
            request, storage, out, [&finished](const response&) { ++finished; }, observer);
        // Nothing is answered until the stores answer, unless the request failed before them.
        const bool failed_before_stores = work.queue.empty();
        CHECK(finished == (failed_before_stores ? 1 : 0));
        work.run_all();
        CHECK(finished == 1);
        CHECK(answer(out) == now(request));
    }
    // The requests reach the outcomes they were written for, on both paths.
    std::set<std::string> outcomes;
    int successes = 0;
    for (const auto& request : requests()) {
        const answer a = now(request);
        if (a.failure) outcomes.insert(std::string(to_string(a.failure->reason)));
        successes += a.status == 200 ? 1 : 0;
    }
    CHECK(successes == 12);
    for (const char* expected : {"user_rejected",
                                 "client_rejected",
                                 "scope_not_allowed",
                                 "refresh_token_rejected",
                                 "scope_exceeds_grant",
                                 "public_client_not_allowed",
                                 "invalid_parameter",
                                 "issuer_failure",
                                 "code_reused",
                                 "code_verifier_mismatch",
                                 "redirect_uri_mismatch",
                                 "code_expired",
                                 "code_rejected",
                                 "authorization_pending",
                                 "slow_down",
                                 "access_denied",
                                 "expired_token",
                                 "device_code_rejected",
                                 "unsupported_grant_type",
                                 "client_authentication_missing"}) {
        INFO(expected);
        CHECK(outcomes.count(expected) == 1);
    }
    // Every store member answered later at least once, and the client store for every
    // request but the six that fail before it (an unknown grant type, no client
    // authentication, a public client on the password grant and on client_credentials, a
    // bad subject_token_type, a malformed code_verifier).
    for (const char* member :
         {"authenticate_client", "authenticate_user", "find_refresh_token", "replace_refresh_token", "issue_token",
          "make_token", "find_subject", "find_authorization_code", "redeem_authorization_code", "poll_device_code",
          "redeem_device_code"})
        CHECK(answered[member] > 0);
    CHECK(answered["authenticate_client"] == static_cast<int>(requests().size()) - 6);
}

TEST_CASE("staged: a store answering on another thread (RFC 6749 4.3.2 password grant)", "[staged][endpoint]") {
    world w;
    std::vector<std::thread> threads;
    // The user store answers from a thread of its own, as a pool of password hashers would.
    struct threaded_users {
        memory_user_store& real;
        std::vector<std::thread>& threads;
        using user_type = memory_user;
        void authenticate_user(user_identifier who, std::string_view password,
                               std::function<void(outcome<memory_user>)> then) {
            threads.emplace_back([this, who, password, then] { then(real.authenticate_user(who, password)); });
        }
    } users{w.users, threads};
    password_grant password{users, w.issuer};
    token_endpoint endpoint{w.clients, endpoint_options{}, password};
    exchange_storage storage;
    response out;
    std::string body;
    // The host keeps the request's bytes alive until finish has run: the user store's
    // thread reads the username and password from them.
    const test_request request;
    endpoint.handle_async(request, storage, out, [&body](const response& r) { body = r.body; });
    for (auto& t : threads) t.join();
    CHECK(body == oauthcore_test::vendor_success_json);
    CHECK(answer(out) == now(request));
}
