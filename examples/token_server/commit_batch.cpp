#include "commit_batch.hpp"

namespace token_server {

namespace {

thread_local commit_batch* current_batch = nullptr;

}  // namespace

commit_batch::~commit_batch() {
    if (open_) close();
}

void commit_batch::open() {
    if (open_) return;
    open_ = true;
    current_batch = this;
    hooks_.begin();
}

void commit_batch::close() {
    if (!open_) return;
    commit_and_deliver();
    open_ = false;
    if (current_batch == this) current_batch = nullptr;
}

void commit_batch::commit_and_deliver() {
    if (!hooks_.commit()) ++failures_;
    // Taken out first: a delivery may be slow to run, and none registers another.
    std::vector<waiting_reply> ready;
    ready.swap(waiting_);
    for (waiting_reply& w : ready) w.deliver(w.failures_at_job_start == failures_);
    // The vector's memory is kept for the next batch.
    ready.clear();
    waiting_.swap(ready);
}

void commit_batch::after_commit(delivery deliver) {
    commit_batch* batch = current_batch;
    if (batch == nullptr) return deliver(true);
    batch->waiting_.push_back({std::move(deliver), batch->failures_at_job_start_});
}

void commit_batch::flush() {
    commit_batch* batch = current_batch;
    if (batch == nullptr) return;
    batch->commit_and_deliver();
    batch->hooks_.begin();
}

}  // namespace token_server
