#pragma once
// Stores that answer later, from a queue the test drains (an event loop's), for the
// endpoints beside the token endpoint: each wraps an in-memory store and copies its
// arguments into the queued work, as a database client copies its query.

#include <deque>
#include <functional>
#include <string_view>
#include <utility>

#include "oauthcore/memory_stores.hpp"

namespace oauthcore_test {

struct later_queue {
    std::deque<std::function<void()>> work;

    void run_all() {
        while (!work.empty()) {
            auto next = std::move(work.front());
            work.pop_front();
            next();
        }
    }
};

struct later_clients {
    oauthcore::memory_client_store& real;
    later_queue& queue;
    using client_type = oauthcore::memory_client;
    template <class Then>
    void authenticate_client(const oauthcore::client_authentication& presented, Then then) {
        queue.work.emplace_back([this, presented, then] { then(real.authenticate_client(presented)); });
    }
};

struct later_tokens {
    oauthcore::memory_token_store& real;
    later_queue& queue;
    using record_type = oauthcore::memory_token_store::record_type;
    template <class Then>
    void find_token(std::string_view token, oauthcore::token_kind kind, Then then) {
        queue.work.emplace_back([this, token, kind, then] { then(real.find_token(token, kind)); });
    }
    template <class Then>
    void revoke_token(const record_type& record, Then then) {
        queue.work.emplace_back([this, record, then] { then(real.revoke_token(record)); });
    }
};

static_assert(oauthcore::client_store<later_clients>);
static_assert(oauthcore::revocable_token_store<later_tokens>);

}  // namespace oauthcore_test
