#pragma once
// What the server answers one request with, and what its log line says about it.

#include <string_view>

#include "beast_adapter.hpp"

namespace token_server {

// A response and what its log line says about it (static strings).
struct reply {
    http_response message;
    std::string_view log_code = "-";
    std::string_view log_name = "-";
};

}  // namespace token_server
