#include <libpq-fe.h>

#include <memory>

#include "postgres_database.hpp"
#include "sqlite_database.hpp"
#include "token_database.hpp"

namespace token_server {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) noexcept {
    return text.substr(0, prefix.size()) == prefix;
}

// True when `word` is one of libpq's connection keywords (host, dbname, user, ...).
bool is_libpq_keyword(std::string_view word) {
    const std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(PQconndefaults(), &PQconninfoFree);
    if (!options) return false;
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o)
        if (word == o->keyword) return true;
    return false;
}

}  // namespace

bool names_postgres(std::string_view location) {
    if (starts_with(location, "postgresql://") || starts_with(location, "postgres://")) return true;
    // key/value: the first word, spaces, '=' (libpq allows spaces around it).
    std::size_t end = 0;
    while (end < location.size() && ((location[end] >= 'a' && location[end] <= 'z') || location[end] == '_')) ++end;
    std::size_t equals = end;
    while (equals < location.size() && location[equals] == ' ') ++equals;
    return end > 0 && equals < location.size() && location[equals] == '=' && is_libpq_keyword(location.substr(0, end));
}

namespace {

using conninfo_options = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// libpq's reading of a connection string; null when it does not parse. libpq's message
// may quote the string, password and all: it is dropped.
conninfo_options parse_conninfo(std::string_view location) {
    char* error = nullptr;
    const std::string text(location);
    conninfo_options options(PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
    PQfreemem(error);
    return options;
}

}  // namespace

bool parses_as_conninfo(std::string_view location) { return parse_conninfo(location) != nullptr; }

std::string printable_location(std::string_view location) {
    if (!names_postgres(location)) return std::string(location);
    const conninfo_options options = parse_conninfo(location);
    if (!options) return "a PostgreSQL database (its connection string does not parse)";
    std::string database, details;
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
        if (o->val == nullptr || *o->val == '\0') continue;
        const std::string_view keyword = o->keyword;
        if (keyword == "dbname")
            database = o->val;
        else if (keyword == "host" || keyword == "hostaddr" || keyword == "port" || keyword == "user")
            details += (details.empty() ? "" : ", ") + std::string(keyword) + " " + o->val;
    }
    std::string out = "PostgreSQL database " + (database.empty() ? std::string("(libpq's default)") : database);
    return details.empty() ? out : out + " (" + details + ")";
}

result<std::unique_ptr<token_database>> open_token_database(const std::string& location,
                                                            const database_options& options) {
    if (names_postgres(location)) return postgres_database::open(location, options);
    return sqlite_database::open(location, options.seed, options.sync);
}

}  // namespace token_server
