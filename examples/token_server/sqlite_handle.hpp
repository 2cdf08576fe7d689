#pragma once
// Owning handles for SQLite's connection and prepared statement.

#include <sqlite3.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace token_server {

struct connection_closer {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using connection = std::unique_ptr<sqlite3, connection_closer>;

struct statement_finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using statement = std::unique_ptr<sqlite3_stmt, statement_finalizer>;

// Resets a statement and drops its bindings when a query is done, on every path out.
// Text is bound with SQLITE_STATIC, so resetting before the bound views go away matters.
class statement_use {
public:
    explicit statement_use(sqlite3_stmt* s) noexcept : s_(s) {}
    statement_use(const statement_use&) = delete;
    statement_use& operator=(const statement_use&) = delete;
    ~statement_use() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }

    bool bind(int index, std::string_view text) noexcept {
        return sqlite3_bind_text(s_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC) == SQLITE_OK;
    }
    bool bind_blob(int index, const void* data, int size) noexcept {
        return sqlite3_bind_blob(s_, index, data, size, SQLITE_STATIC) == SQLITE_OK;
    }
    template <std::size_t N>
    bool bind(int index, const std::array<unsigned char, N>& bytes) noexcept {
        return bind_blob(index, bytes.data(), static_cast<int>(N));
    }
    template <std::size_t N>
    bool bind(int index, const std::optional<std::array<unsigned char, N>>& bytes) noexcept {
        return bytes ? bind(index, *bytes) : bind_null(index);
    }
    bool bind(int index, sqlite3_int64 value) noexcept { return sqlite3_bind_int64(s_, index, value) == SQLITE_OK; }
    bool bind_null(int index) noexcept { return sqlite3_bind_null(s_, index) == SQLITE_OK; }
    int step() noexcept { return sqlite3_step(s_); }

    [[nodiscard]] std::string text(int column) const {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(s_, column));
        return data == nullptr ? std::string()
                               : std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(s_, column)));
    }
    [[nodiscard]] sqlite3_int64 integer(int column) const noexcept { return sqlite3_column_int64(s_, column); }
    [[nodiscard]] bool is_null(int column) const noexcept { return sqlite3_column_type(s_, column) == SQLITE_NULL; }
    // A BLOB column of exactly N bytes; nullopt for NULL or any other size.
    template <std::size_t N = 32>
    [[nodiscard]] std::optional<std::array<unsigned char, N>> digest(int column) const noexcept {
        const void* data = sqlite3_column_blob(s_, column);
        if (data == nullptr || sqlite3_column_bytes(s_, column) != static_cast<int>(N)) return std::nullopt;
        std::array<unsigned char, N> out{};
        std::memcpy(out.data(), data, N);
        return out;
    }

private:
    sqlite3_stmt* s_;
};

}  // namespace token_server
