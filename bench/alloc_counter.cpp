// Replaces the global operator new so that the benchmarks can report how many heap
// allocations one iteration makes. libstdc++'s array and nothrow forms call these two,
// so each allocation is counted once.

#include <cstdint>
#include <cstdlib>
#include <new>

#include "support.hpp"

void* operator new(std::size_t size) {
    ++bench::allocation_count;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}

void* operator new(std::size_t size, std::align_val_t alignment) {
    ++bench::allocation_count;
    void* p = nullptr;
    if (posix_memalign(&p, static_cast<std::size_t>(alignment), size == 0 ? 1 : size) == 0) return p;
    throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
