#include "connection_registry.hpp"

#include <vector>

namespace token_server {

connection_registry::admission connection_registry::try_add(std::weak_ptr<stoppable> c, std::string_view address) {
    const std::lock_guard lock(mutex_);
    if (stopping_ || open_.size() >= max_) return {};
    if (max_per_address_ == 0) {
        const std::uint64_t id = next_id_++;
        open_.emplace(id, entry{std::move(c), std::string()});
        return {id, false};
    }
    const auto [count, new_address] = per_address_.try_emplace(std::string(address), 0);
    if (count->second >= max_per_address_) return {0, true};
    const std::uint64_t id = next_id_++;
    try {
        open_.emplace(id, entry{std::move(c), count->first});
    } catch (...) {
        // Nothing counted: an address seen first here leaves no entry behind.
        if (new_address) per_address_.erase(count);
        throw;
    }
    ++count->second;
    return {id, false};
}

void connection_registry::remove(std::uint64_t id) {
    const std::lock_guard lock(mutex_);
    const auto found = open_.find(id);
    if (found == open_.end()) return;
    if (max_per_address_ != 0) {
        const auto count = per_address_.find(found->second.address);
        if (count != per_address_.end() && --count->second == 0) per_address_.erase(count);
    }
    open_.erase(found);
}

void connection_registry::stop_all() {
    std::vector<std::shared_ptr<stoppable>> open;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        open.reserve(open_.size());
        for (const auto& [id, open_entry] : open_)
            if (auto c = open_entry.connection.lock()) open.push_back(std::move(c));
    }
    // Outside the lock: a connection that ends here removes itself.
    for (const auto& c : open) c->stop();
}

}  // namespace token_server
