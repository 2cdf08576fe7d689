#include "connection_registry.hpp"

#include <vector>

namespace token_server {

std::uint64_t connection_registry::try_add(std::weak_ptr<stoppable> c) {
    const std::lock_guard lock(mutex_);
    if (stopping_ || open_.size() >= max_) return 0;
    const std::uint64_t id = next_id_++;
    open_.emplace(id, std::move(c));
    return id;
}

void connection_registry::remove(std::uint64_t id) {
    const std::lock_guard lock(mutex_);
    open_.erase(id);
}

void connection_registry::stop_all() {
    std::vector<std::shared_ptr<stoppable>> open;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        open.reserve(open_.size());
        for (const auto& [id, weak] : open_)
            if (auto c = weak.lock()) open.push_back(std::move(c));
    }
    // Outside the lock: a connection that ends here removes itself.
    for (const auto& c : open) c->stop();
}

}  // namespace token_server
