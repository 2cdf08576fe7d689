#pragma once
// Per-request memory for the bytes oauthcore has to produce: decoded parameter values,
// decoded Basic credentials, the response body. Views handed out by parsers point into
// a storage object, so it must outlive them; it is neither copyable nor movable.
//
// Every storage serves its first bytes from an inline buffer, so ordinary requests
// allocate nothing. A request that needs more takes exactly one heap block, sized by
// the bound the parsers announced with expect_more(); a failed allocation is reported
// as nullptr (the caller turns it into reason::out_of_memory), never thrown.

#include "oauthcore/language.hpp"

#include <array>
#include <cstddef>
#include <memory>
#include <new>

namespace oauthcore {

// A storage of fixed capacity and no heap: usable in constant expressions and where
// allocation is not allowed at all.
template <std::size_t Capacity>
class fixed_storage {
public:
    constexpr fixed_storage() = default;
    fixed_storage(const fixed_storage&) = delete;
    fixed_storage& operator=(const fixed_storage&) = delete;

    constexpr void expect_more(std::size_t /*bytes*/) noexcept {}
    [[nodiscard]] constexpr char* take(std::size_t bytes) noexcept {
        if (bytes > Capacity - used_) return nullptr;
        char* block = buffer_.data() + used_;
        used_ += bytes;
        return block;
    }
    // Returns the block of `bytes` the last take() gave out, for a writer that found out,
    // having written, that it needs another size (nothing taken since may point into it).
    constexpr void give_back(const char* /*block*/, std::size_t bytes) noexcept { used_ -= bytes; }
    constexpr void reset() noexcept { used_ = 0; }
    [[nodiscard]] constexpr std::size_t used() const noexcept { return used_; }

private:
    std::array<char, Capacity> buffer_{};
    std::size_t used_ = 0;
};

// Inline bytes first, then at most one heap block per request.
template <std::size_t InlineBytes>
class basic_storage {
public:
    basic_storage() = default;
    basic_storage(const basic_storage&) = delete;
    basic_storage& operator=(const basic_storage&) = delete;

    // Announces that a parser may take up to `bytes` more before the next reset(). A
    // heap block, if one is needed, is made as large as all announced bytes, so that it
    // never has to grow (growing would move bytes that views already point at).
    void expect_more(std::size_t bytes) noexcept { bound_ += bytes; }

    // `bytes` of writable memory, or nullptr when the announced bound or the heap is
    // exhausted.
    [[nodiscard]] char* take(std::size_t bytes) noexcept {
        if (bytes <= InlineBytes - inline_used_) {
            char* block = inline_.data() + inline_used_;
            inline_used_ += bytes;
            return block;
        }
        return take_from_heap(bytes);
    }

    // Returns the block of `bytes` the last take() gave out (see fixed_storage).
    void give_back(const char* block, std::size_t bytes) noexcept {
        if (bytes <= inline_used_ && block == inline_.data() + (inline_used_ - bytes))
            inline_used_ -= bytes;
        else
            heap_used_ -= bytes;
    }

    // Forgets everything taken (views into this storage become invalid); keeps a heap
    // block for reuse.
    void reset() noexcept {
        inline_used_ = 0;
        heap_used_ = 0;
        bound_ = 0;
    }

    [[nodiscard]] std::size_t used() const noexcept { return inline_used_ + heap_used_; }
    [[nodiscard]] bool uses_heap() const noexcept { return heap_used_ != 0; }

private:
    // take() past the inline bytes: rare (a request with long encoded values), and kept
    // apart so that take() stays small enough to inline into every parser.
    [[nodiscard]] char* take_from_heap(std::size_t bytes) noexcept {
        if (heap_used_ == 0) {
            // The first heap block of this request holds everything announced: a block
            // kept from an earlier request is reused only when it is that large (else the
            // next take would not fit, and growing would move what views point at).
            const std::size_t capacity = bound_ > bytes ? bound_ : bytes;
            if (!heap_ || heap_capacity_ < capacity) {
                heap_.reset(new (std::nothrow) char[capacity]);
                heap_capacity_ = heap_ ? capacity : 0;
                if (!heap_) return nullptr;
            }
        } else if (bytes > heap_capacity_ - heap_used_) {
            return nullptr;  // past the announced bound: views point into the current block
        }
        char* block = heap_.get() + heap_used_;
        heap_used_ += bytes;
        return block;
    }

    std::array<char, InlineBytes> inline_;
    std::size_t inline_used_ = 0;
    std::unique_ptr<char[]> heap_;
    std::size_t heap_capacity_ = 0;
    std::size_t heap_used_ = 0;
    std::size_t bound_ = 0;
};

// Decoded request values: the vendor's requests need about 100 bytes of it, and only
// when something in them is percent-encoded.
using request_storage = basic_storage<2048>;
// Response bodies: the vendor's success body is 208 bytes.
using response_storage = basic_storage<1024>;

}  // namespace oauthcore
