#include "sqlite_database.hpp"
#include "token_database.hpp"

namespace token_server {

bool names_postgres(std::string_view) { return false; }

std::string printable_location(std::string_view location) { return std::string(location); }

result<std::unique_ptr<token_database>> open_token_database(const std::string& location,
                                                            const database_options& options) {
    return sqlite_database::open(location, options.seed);
}

}  // namespace token_server
