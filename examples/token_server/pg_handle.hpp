#pragma once
// Owning handles for libpq's connection and result, parameters sent in binary form and
// rows read in binary form (no text escaping in either direction: digests travel as
// their 32 bytes, integers as 8).
//
// A statement names each parameter's type with a cast ($1::bigint, $2::bytea,
// $3::text); the server then reads the binary value as that type.

#include <libpq-fe.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "random_token.hpp"

namespace token_server {

struct pg_connection_closer {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using pg_connection = std::unique_ptr<PGconn, pg_connection_closer>;

struct pg_result_clearer {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using pg_result = std::unique_ptr<PGresult, pg_result_clearer>;

// One parameter: a bigint, a text or a bytea, or NULL. It may point into itself (an
// integer's bytes): it is filled in place and never copied.
class pg_param {
public:
    pg_param() = default;
    pg_param(const pg_param&) = delete;
    pg_param& operator=(const pg_param&) = delete;

    void set(std::int64_t value) noexcept {
        auto bits = static_cast<std::uint64_t>(value);
        for (std::size_t i = integer_.size(); i-- > 0; bits >>= 8) integer_[i] = static_cast<char>(bits & 0xff);
        data_ = integer_.data();
        length_ = static_cast<int>(integer_.size());
    }
    void set(std::string_view text) noexcept {
        data_ = text.data() != nullptr ? text.data() : "";  // a null pointer would be NULL
        length_ = static_cast<int>(text.size());
    }
    void set(const std::optional<std::string_view>& text) noexcept {
        if (text) set(*text);
    }
    void set(const token_digest& digest) noexcept {
        data_ = reinterpret_cast<const char*>(digest.data());
        length_ = static_cast<int>(digest.size());
    }
    void set(const std::optional<token_digest>& digest) noexcept {
        if (digest) set(*digest);
    }
    void set(const std::optional<std::int64_t>& value) noexcept {
        if (value) set(*value);
    }
    void set(std::nullopt_t) noexcept {}

    [[nodiscard]] const char* data() const noexcept { return data_; }  // null: SQL NULL
    [[nodiscard]] int length() const noexcept { return length_; }

private:
    std::array<char, 8> integer_{};
    const char* data_ = nullptr;
    int length_ = 0;
};

// Runs the prepared statement `name` with these parameters; rows come back in binary.
// A null result only when libpq could not allocate one or lost the connection.
template <class... Args>
[[nodiscard]] pg_result execute_prepared(PGconn* connection, const char* name, const Args&... args) {
    constexpr std::size_t count = sizeof...(Args);
    std::array<pg_param, count> params;
    std::size_t next = 0;
    (params[next++].set(args), ...);
    std::array<const char*, count> values{};
    std::array<int, count> lengths{};
    std::array<int, count> formats{};
    for (std::size_t i = 0; i < count; ++i) {
        values[i] = params[i].data();
        lengths[i] = params[i].length();
        formats[i] = 1;
    }
    return pg_result(
        PQexecPrepared(connection, name, static_cast<int>(count), values.data(), lengths.data(), formats.data(), 1));
}

// A row of a binary result, read as the statement's columns are typed.
class pg_row {
public:
    pg_row(const PGresult* result, int row) noexcept : result_(result), row_(row) {}

    [[nodiscard]] bool is_null(int column) const noexcept { return PQgetisnull(result_, row_, column) != 0; }
    [[nodiscard]] std::string text(int column) const {
        return std::string(PQgetvalue(result_, row_, column),
                           static_cast<std::size_t>(PQgetlength(result_, row_, column)));
    }
    // A bigint (8 bytes), integer (4) or boolean (1), big-endian; 0 for NULL.
    [[nodiscard]] std::int64_t integer(int column) const noexcept {
        const int length = PQgetlength(result_, row_, column);
        if (is_null(column) || (length != 8 && length != 4 && length != 1)) return 0;
        const auto* bytes = reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row_, column));
        std::uint64_t bits = (bytes[0] & 0x80) != 0 && length > 1 ? ~std::uint64_t(0) : 0;
        for (int i = 0; i < length; ++i) bits = (bits << 8) | bytes[i];
        return static_cast<std::int64_t>(bits);
    }
    // A bytea of exactly N bytes; nullopt for NULL or any other size.
    template <std::size_t N = 32>
    [[nodiscard]] std::optional<std::array<unsigned char, N>> digest(int column) const noexcept {
        if (is_null(column) || PQgetlength(result_, row_, column) != static_cast<int>(N)) return std::nullopt;
        std::array<unsigned char, N> out{};
        std::memcpy(out.data(), PQgetvalue(result_, row_, column), N);
        return out;
    }

private:
    const PGresult* result_;
    int row_;
};

}  // namespace token_server
