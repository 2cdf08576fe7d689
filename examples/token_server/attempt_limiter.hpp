#pragma once
// Brute-force protection for the token endpoint (RFC 6749 4.3.2: the server MUST
// protect it against brute force; OWASP ASVS 2.2.1). Failed authentications are
// counted per user identifier, per client id and per source address; after a number of
// failures within a window, the name or address is refused for a back-off period that
// doubles with each further failure. A user identifier is counted the same whether or
// not it exists (the stores reject both alike, and oauthcore tells the observer of
// both), so a refusal says nothing about which users exist. A client id is counted only
// when it is registered (request_gate.hpp says why; a client id is no secret).
//
// Names are kept only as keyed 64-bit hashes (BLAKE2b with a key drawn at start):
// a table entry has a fixed size whatever the client sent, nothing readable stays in
// memory, and a client cannot aim collisions at a bucket. Each kind has a table of its
// own of at most max_entries names, so that failures of one kind never push another's
// names out. When a table is full, forgotten names (window over, not refused) are swept
// out, then the names under no back-off whose last failure is oldest, down to seven
// eighths of the table; only when that is not enough, the names whose back-off ends
// first. The sweep thus runs once per eighth of a table's new names, and a name under
// back-off is dropped only from a table of names all under back-off (which takes, for
// users, an argon2id check per failure; for client ids, registered ones).

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace token_server {

struct attempt_limits {
    unsigned max_failures = 5;                 // per user identifier and per client id; 0: not counted
    unsigned max_address_failures = 50;        // per source address; 0: not counted
    std::chrono::seconds lockout{60};          // the first back-off; doubles per further failure
    std::chrono::seconds failure_window{900};  // failures further apart than this start the count again
};

// The longest back-off, however many failures came before.
inline constexpr std::chrono::seconds max_lockout{3600};

enum class attempt_kind : unsigned char { address, client, user };

class attempt_limiter {
public:
    using clock = std::chrono::steady_clock;

    explicit attempt_limiter(const attempt_limits& limits, std::size_t max_entries = 100'000);

    // The back-off refusing `name` at `now`, if one does: its whole length, the same for
    // every name with the same history (it goes into Retry-After).
    [[nodiscard]] std::optional<std::chrono::seconds> refused(attempt_kind kind, std::string_view name,
                                                              clock::time_point now);
    void record_failure(attempt_kind kind, std::string_view name, clock::time_point now);
    // After a successful authentication of this client or user: its count starts again.
    void forget(attempt_kind kind, std::string_view name);

    [[nodiscard]] bool counts(attempt_kind kind) const noexcept { return limit_of(kind) > 0; }

    // The names `kind`'s table holds (for tests).
    [[nodiscard]] std::size_t size(attempt_kind kind);

private:
    struct entry {
        unsigned failures = 0;
        clock::time_point last_failure;
        clock::time_point refused_until;
        std::chrono::seconds back_off{0};
    };

    // The key is already a keyed hash: the map uses it as it is.
    struct identity {
        std::size_t operator()(std::uint64_t k) const noexcept { return static_cast<std::size_t>(k); }
    };
    using table = std::unordered_map<std::uint64_t, entry, identity>;

    [[nodiscard]] unsigned limit_of(attempt_kind kind) const noexcept;
    [[nodiscard]] std::uint64_t key_of(attempt_kind kind, std::string_view name) const noexcept;
    [[nodiscard]] table& table_of(attempt_kind kind) noexcept { return tables_[static_cast<std::size_t>(kind)]; }
    void make_room(table& names, clock::time_point now);

    attempt_limits limits_;
    std::size_t max_entries_;
    unsigned char hash_key_[32];
    std::mutex mutex_;
    std::array<table, 3> tables_;  // by attempt_kind
};

}  // namespace token_server
