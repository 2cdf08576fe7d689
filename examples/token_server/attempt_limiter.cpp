#include "attempt_limiter.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace token_server {

attempt_limiter::attempt_limiter(const attempt_limits& limits, std::size_t max_entries)
    : limits_(limits), max_entries_(std::max<std::size_t>(max_entries, 1)) {
    static_assert(sizeof hash_key_ == crypto_generichash_KEYBYTES);
    crypto_generichash_keygen(hash_key_);
}

unsigned attempt_limiter::limit_of(attempt_kind kind) const noexcept {
    return kind == attempt_kind::address ? limits_.max_address_failures : limits_.max_failures;
}

std::uint64_t attempt_limiter::key_of(attempt_kind kind, std::string_view name) const noexcept {
    // Keyed BLAKE2b over the kind and the name, so that a client id and a user name
    // that are the same text are two entries.
    unsigned char digest[crypto_generichash_BYTES_MIN];
    crypto_generichash_state state;
    const auto kind_byte = static_cast<unsigned char>(kind);
    crypto_generichash_init(&state, hash_key_, sizeof hash_key_, sizeof digest);
    crypto_generichash_update(&state, &kind_byte, 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(name.data()), name.size());
    crypto_generichash_final(&state, digest, sizeof digest);
    std::uint64_t key = 0;
    std::memcpy(&key, digest, sizeof key);
    return key;
}

std::optional<std::chrono::seconds> attempt_limiter::refused(attempt_kind kind, std::string_view name,
                                                             clock::time_point now) {
    if (!counts(kind)) return std::nullopt;
    const std::uint64_t key = key_of(kind, name);
    const std::lock_guard lock(mutex_);
    const table& names = table_of(kind);
    const auto found = names.find(key);
    if (found == names.end() || found->second.refused_until <= now) return std::nullopt;
    return found->second.back_off;
}

void attempt_limiter::record_failure(attempt_kind kind, std::string_view name, clock::time_point now) {
    if (!counts(kind)) return;
    const std::uint64_t key = key_of(kind, name);
    const std::lock_guard lock(mutex_);
    table& names = table_of(kind);
    auto found = names.find(key);
    if (found == names.end()) {
        if (names.size() >= max_entries_) make_room(names, now);
        found = names.emplace(key, entry{}).first;
    }
    entry& e = found->second;
    if (e.failures > 0 && now - e.last_failure > limits_.failure_window) e = entry{};
    ++e.failures;
    e.last_failure = now;
    const unsigned limit = limit_of(kind);
    if (e.failures >= limit) {
        // limit failures: lockout; each one after: twice the one before, up to max_lockout.
        const unsigned doublings = std::min(e.failures - limit, 12u);
        e.back_off = std::min<std::chrono::seconds>(limits_.lockout * (1u << doublings), max_lockout);
        e.refused_until = now + e.back_off;
    }
}

void attempt_limiter::forget(attempt_kind kind, std::string_view name) {
    if (!counts(kind)) return;
    const std::uint64_t key = key_of(kind, name);
    const std::lock_guard lock(mutex_);
    table_of(kind).erase(key);
}

std::size_t attempt_limiter::size(attempt_kind kind) {
    const std::lock_guard lock(mutex_);
    return table_of(kind).size();
}

void attempt_limiter::make_room(table& names, clock::time_point now) {
    // Down to seven eighths, so that the next call is at least an eighth of the table's
    // new names away: the scans below cost O(size) once per max_entries / 8 new names.
    const std::size_t keep = max_entries_ - std::max<std::size_t>(max_entries_ / 8, 1);
    std::erase_if(names, [&](const auto& item) {
        const entry& e = item.second;
        return e.refused_until <= now && now - e.last_failure > limits_.failure_window;
    });
    if (names.size() <= keep) return;
    // Then the names under no back-off whose last failure is oldest; and only if that is
    // not enough, the names under back-off whose back-off ends first.
    std::vector<std::pair<clock::time_point, std::uint64_t>> free;
    std::vector<std::pair<clock::time_point, std::uint64_t>> refused;
    for (const auto& [key, e] : names) {
        if (e.refused_until <= now)
            free.emplace_back(e.last_failure, key);
        else
            refused.emplace_back(e.refused_until, key);
    }
    std::size_t excess = names.size() - keep;
    for (auto* candidates : {&free, &refused}) {
        const std::size_t count = std::min(candidates->size(), excess);
        if (count == 0) continue;
        std::nth_element(candidates->begin(), candidates->begin() + static_cast<std::ptrdiff_t>(count - 1),
                         candidates->end());
        for (std::size_t i = 0; i < count; ++i) names.erase((*candidates)[i].second);
        excess -= count;
    }
}

}  // namespace token_server
