#pragma once
// Errors as values for the server's own code: oauthcore's result with a message that
// is safe to print (it never holds a secret, a password or a token).

#include <string>

#include "oauthcore/result.hpp"

namespace token_server {

template <class T>
using result = oauthcore::basic_result<T, std::string>;

[[nodiscard]] inline oauthcore::unexpected<std::string> failure(std::string message) {
    return oauthcore::unexpected<std::string>(std::move(message));
}

}  // namespace token_server
